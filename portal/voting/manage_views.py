"""Preparing and running votes: create, edit a draft, items and options, and each lifecycle step."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import permissions
from portal.compounds.services import get_compound
from portal.db import utcnow
from portal.htmx import form_status, render
from portal.i18n import to_local
from portal.refusals import Refused, sentence
from portal.voting import access, bp, lifecycle, loading, reminders, services
from portal.voting import scope as scopes
from portal.voting.forms import ItemForm, OptionForm, ReasonForm, RemindForm, VoteForm
from portal.voting.models import VoteKind, VoteStatus

# Steps that only staff take: results are certified by the community (社区监督).
CERTIFY_STEPS = (VoteStatus.preliminary, VoteStatus.final, VoteStatus.archived)


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str):
    """发起投票: a new draft."""
    compound = get_compound(slug)
    permissions.require("manage_votes", compound, current_user)
    form = VoteForm(compound=compound)
    if form.validate_on_submit():
        if form.kind.data == "election" and not permissions.may(current_user, "certify_votes", compound):
            form.kind.errors = [_("Committee elections are run by community staff.")]
        else:
            vote = services.create_vote(compound, form.settings(), current_user)
            flash(_("Draft saved. Add what voters answer, then announce it."), "info")
            return redirect(url_for("voting.edit", slug=slug, vote_id=vote.id), 303)
    return render("voting/new.html", compound=compound, form=form, status=form_status())


def _managed(slug: str, vote_id: int):
    compound, vote = loading.load(slug, vote_id)
    permissions.require(access.can_manage(current_user, vote), compound, current_user, shown=True)
    return compound, vote


@bp.route("/<int:vote_id>/edit", methods=["GET", "POST"])
def edit(slug: str, vote_id: int):
    """A draft's settings, items or options, and the next steps of the vote."""
    compound, vote = _managed(slug, vote_id)
    form = VoteForm(obj=None if request.method == "POST" else _form_data(vote), compound=compound)
    status = 200
    if request.method == "POST":
        if not lifecycle.editable(vote):
            abort(409)
        if form.validate_on_submit():
            services.update_vote(vote, form.settings(), current_user)
            flash(_("Saved."), "info")
            return redirect(url_for("voting.edit", slug=slug, vote_id=vote.id), 303)
        status = 400
    return _edit_page(compound, vote, form=form, status=status)


def _form_data(vote):
    """The vote's settings as the form's initial data."""

    class Data:
        kind = vote.kind.value
        title = vote.title
        description = vote.description
        secrecy = vote.secrecy.value
        opens_at = to_local(vote.opens_at)
        closes_at = to_local(vote.closes_at)
        allow_change = vote.allow_change
        publish_unit_choices = vote.publish_unit_choices
        poll_multiple = vote.poll_multiple
        seats = vote.seats
        objection_days = vote.objection_days
        scope = scopes.chosen(vote)

    return Data()


def _edit_page(compound, vote, status=200, **forms):
    forms.setdefault("form", VoteForm(obj=_form_data(vote), compound=compound))
    forms.setdefault("item_form", ItemForm(prefix="item"))
    forms.setdefault("option_form", OptionForm(prefix="option"))
    forms.setdefault("reason_form", ReasonForm())
    return render(
        "voting/edit.html",
        compound=compound,
        vote=vote,
        editable=lifecycle.editable(vote),
        problems=lifecycle.problems_before_announcing(vote) if vote.status == VoteStatus.draft else [],
        needs_reason=vote.status == VoteStatus.draft and lifecycle.needs_early_reason(vote),
        steps=[s for s in lifecycle.TRANSITIONS[vote.status] if _offered(vote, s)],
        closes_early=vote.status == VoteStatus.open and lifecycle.closes_early(vote),
        now=utcnow(),
        status=status,
        **forms,
    )


def _may_take(vote, target: VoteStatus) -> bool:
    """Staff alone certify results and close a vote before its announced time; whoever manages the vote takes the
    other steps."""
    if target in CERTIFY_STEPS or (target == VoteStatus.closed and lifecycle.closes_early(vote)):
        return access.can_certify(current_user, vote)
    return access.can_manage(current_user, vote)


def _offered(vote, target: VoteStatus) -> bool:
    """A step shown as a button: allowed to this person, and not opening before the announced time (it opens by
    itself then)."""
    if target == VoteStatus.open and utcnow() < vote.opens_at:
        return False
    return _may_take(vote, target)


def _draft(slug: str, vote_id: int, kind: VoteKind | None = None):
    """(compound, vote) of a draft this person manages; 409 once announced or for the wrong kind of vote."""
    compound, vote = _managed(slug, vote_id)
    if not lifecycle.editable(vote) or (kind is not None and vote.kind != kind):
        abort(409)
    return compound, vote


def _back_to(vote, anchor: str):
    return redirect(url_for("voting.edit", slug=vote.compound.slug, vote_id=vote.id) + anchor, 303)


@bp.route("/<int:vote_id>/items", methods=["POST"])
def add_item(slug: str, vote_id: int):
    """Add a 表决事项."""
    compound, vote = _draft(slug, vote_id, VoteKind.resolution)
    item_form = ItemForm(prefix="item")
    if not item_form.validate_on_submit():
        return _edit_page(compound, vote, item_form=item_form, status=400)
    services.add_item(
        vote, item_form.title.data, item_form.description.data or "", item_form.category.data, current_user
    )
    return _back_to(vote, "#items")


@bp.route("/<int:vote_id>/items/<int:item_id>/delete", methods=["POST"])
def remove_item(slug: str, vote_id: int, item_id: int):
    """Remove an item from a draft."""
    return _removed(slug, vote_id, services.remove_item, item_id, "#items")


@bp.route("/<int:vote_id>/options", methods=["POST"])
def add_option(slug: str, vote_id: int):
    """Add a poll option."""
    compound, vote = _draft(slug, vote_id, VoteKind.poll)
    option_form = OptionForm(prefix="option")
    if not option_form.validate_on_submit():
        return _edit_page(compound, vote, option_form=option_form, status=400)
    services.add_option(vote, option_form.label.data, current_user)
    return _back_to(vote, "#options")


@bp.route("/<int:vote_id>/options/<int:option_id>/delete", methods=["POST"])
def remove_option(slug: str, vote_id: int, option_id: int):
    """Remove a poll option from a draft."""
    return _removed(slug, vote_id, services.remove_option, option_id, "#options")


def _removed(slug: str, vote_id: int, remove, row_id: int, anchor: str):
    """Take an item or an option out of a draft, and go back to its list."""
    _compound, vote = _draft(slug, vote_id)
    remove(vote, row_id, current_user)
    return _back_to(vote, anchor)


@bp.route("/<int:vote_id>/step", methods=["POST"])
def step(slug: str, vote_id: int):
    """Take one lifecycle step (announce, open, close, post results, archive, cancel), by a named person."""
    compound, vote = loading.load(slug, vote_id)
    reason_form = ReasonForm()
    target = reason_form.step()
    if target is None:
        abort(400)  # a button only the page sends
    permissions.require(_may_take(vote, target), compound, current_user, shown=True)
    if not reason_form.validate_on_submit():
        return _edit_page(compound, vote, reason_form=reason_form, status=400)
    early = target == VoteStatus.announced and lifecycle.needs_early_reason(vote)
    if early and not access.can_certify(current_user, vote):
        # Short notice is the community's call (DOMAIN: announced 15 days ahead unless staff record a reason).
        reason_form.reason.errors = [sentence("early_needs_staff")]
        return _edit_page(compound, vote, reason_form=reason_form, status=400)
    try:
        lifecycle.transition(vote, target, current_user, reason_form.reason.data)
    except Refused as error:
        reason_form.reason.errors = [error.sentence]
        status = 409 if error.code == "step_not_possible" else 400
        return _edit_page(compound, vote, reason_form=reason_form, status=status)
    flash(step_done_text(target), "info")
    return redirect(url_for("voting.show", slug=slug, vote_id=vote.id), 303)


@bp.route("/<int:vote_id>/remind", methods=["POST"])
def remind(slug: str, vote_id: int):
    """Remind every activated owner who has not voted, in their inbox (at most once a day)."""
    compound, vote = loading.load(slug, vote_id)
    permissions.require(access.can_drive_turnout(current_user, vote), compound, current_user, shown=True)
    if not RemindForm().validate_on_submit():
        abort(400)
    try:
        count = reminders.remind_not_voted(vote, current_user)
    except Refused as error:
        flash(error.sentence, "error")
    else:
        flash(
            ngettext(
                "%(num)d owner who has not voted was reminded.",
                "%(num)d owners who have not voted were reminded.",
                count,
            ),
            "info",
        )
    return redirect(url_for("voting.turnout_by_place", slug=slug, vote_id=vote.id), 303)


def step_done_text(target: VoteStatus) -> str:
    """What happened, after a step."""
    return {
        VoteStatus.announced: _("The vote is announced. Voters can read it; nothing they answer can change now."),
        VoteStatus.open: _("Voting is open. The electorate is frozen."),
        VoteStatus.closed: _("Voting is closed. The ballot box is sealed."),
        VoteStatus.preliminary: _("The preliminary result is posted. Owners may object."),
        VoteStatus.final: _("The final result is posted."),
        VoteStatus.archived: _("The vote is archived."),
        VoteStatus.cancelled: _("The vote is cancelled."),
    }[target]
