"""Routes of the service-commitment board (服务承诺公示栏): the board, pledging, one pledge with its progress and
ratings, photos. Organisations are in org_views.py, the report cards' routes in report_views.py.

Every form is a plain POST answered with 303; a refused one shows the page again (400) with the error beside the
form. The board's filters are a GET form that htmx submits in place (the list is swapped, the URL pushed).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.boards import access, board, bp, photos, services, steps
from portal.boards.forms import CommitmentForm, FulfilForm, ProgressForm, RatingForm, StepForm, WithdrawForm, page_forms
from portal.boards.models import Category, Commitment, Progress
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.htmx import form_page, render, wants_partial
from portal.refusals import Refused


def _load(slug: str, commitment_id: int) -> tuple[Compound, Commitment]:
    """(compound, pledge) if the pledge is on this compound's board; 404 otherwise (the board is public)."""
    compound = get_compound(slug)
    commitment = board.load(commitment_id)
    if commitment is None or not access.commitment_in(commitment, compound):
        abort(404)
    return compound, commitment


@bp.route("/")
def index(slug: str):
    """服务承诺公示栏: the compound's pledges, overdue first, filtered by organisation, status and category."""
    compound = get_compound(slug)
    permissions.require("view_board", compound, current_user)
    filters = board.Filters.from_args(request.args)
    page = board.board(compound, filters)
    context = {"compound": compound, "filters": filters, "board_page": page}
    if not wants_partial():
        context.update(
            organisations=access.serving(compound),
            categories=list(Category),
            can_pledge=access.can_pledge(current_user, compound),
            can_manage=access.may_manage(current_user, compound),
        )
    return render("boards/index.html", partial="boards/_list.html", **context)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """亮承诺: pledge for an organisation one acts for, or in one's own name."""
    compound = get_compound(slug)
    organisations, own_name = access.pledge_choices(current_user, compound)
    if not organisations and not own_name:
        if access.may_manage(current_user, compound):  # staff, before any organisation serves the compound
            flash(_("First add the organisations that serve the compound."), "info")
            return redirect(url_for("boards.new_organisation", slug=slug), 303)
        permissions.require(False, compound, current_user)
    form = CommitmentForm(organisations=organisations, own_name=own_name)
    may_widen = any(access.may_pledge_community_wide(current_user, o, compound) for o in organisations)
    if form.validate_on_submit():
        choice = form.pledger.data
        organisation = next((o for o in organisations if f"org-{o.id}" == choice), None)
        try:
            commitment = services.pledge(
                compound,
                current_user,
                organisation=organisation,
                title=form.title.data,
                target=form.target.data,
                category=Category(form.category.data),
                due_on=form.due_on.data,
                community_wide=form.community_wide.data,
            )
        except Refused as error:
            field = {"past_due": form.due_on, "community_wide": form.community_wide, "title": form.title}.get(
                error.code, form.target
            )
            field.errors = [*field.errors, error.sentence]
        else:
            flash(_("Your pledge is on the board. Post progress on it as the work goes on."), "success")
            return redirect(url_for("boards.commitment", slug=slug, commitment_id=commitment.id), 303)
    return form_page("boards/new.html", compound=compound, form=form, may_widen=may_widen)


@bp.route("/<int:commitment_id>")
def commitment(slug: str, commitment_id: int):
    """One pledge: target, status, progress with photos, fulfilment or withdrawal, ratings and the rating form."""
    compound, found = _load(slug, commitment_id)
    return _page(compound, found)


def _page(compound: Compound, commitment: Commitment, status: int = 200, posted: StepForm | None = None):
    """The pledge's page with its forms; a refused one (`posted`) shows again as typed, its error at the field."""
    ratings = board.commitment_ratings(commitment)
    me = getattr(current_user, "id", None)
    mine = next((r for r in ratings if r.person_id == me), None)
    blank = (ProgressForm(formdata=None), FulfilForm(formdata=None), WithdrawForm(formdata=None))
    forms = page_forms([*blank, RatingForm(formdata=None, obj=mine)], posted)
    return render(
        "boards/commitment.html",
        compound=compound,
        commitment=commitment,
        card=board.card(commitment),
        ratings=ratings,
        mine=mine,
        names=access.sees_rater_names(current_user, compound),
        can_report=access.can_report(current_user, commitment),
        can_rate=access.can_rate(current_user, commitment, compound),
        forms=forms,
        status=status,
    )


def _submit(compound: Compound, found: Commitment, form: StepForm, field, step, success: str, anchor=None):
    """Take `step` with the form's values: done (303 to the pledge), or the page again with the error at `field`."""

    def done():
        flash(success, "success")
        return redirect(url_for("boards.commitment", slug=compound.slug, commitment_id=found.id, _anchor=anchor), 303)

    return steps.submit(form, field, step, done, lambda status: _page(compound, found, status, form))


def _reporting(slug: str, commitment_id: int) -> tuple[Compound, Commitment]:
    """The pledge, once the person may report on it (403 members, 404 outsiders)."""
    compound, found = _load(slug, commitment_id)
    permissions.require(access.can_report(current_user, found), compound, current_user)
    return compound, found


@bp.route("/<int:commitment_id>/progress", methods=["POST"])
@login_required
def progress(slug: str, commitment_id: int):
    """晒进度: a dated update with up to 6 photos (all are checked before anything is stored)."""
    compound, found = _reporting(slug, commitment_id)
    form = ProgressForm()
    step = steps.progress_step(form, lambda body, checked: services.add_progress(found, current_user, body, checked))
    return _submit(compound, found, form, form.body, step, _("Progress posted."), "progress")


@bp.route("/<int:commitment_id>/fulfil", methods=["POST"])
@login_required
def fulfil(slug: str, commitment_id: int):
    """践诺: mark the pledge fulfilled, saying what was done."""
    done = _("The pledge is marked fulfilled. Residents can now rate it.")
    return _end(slug, commitment_id, services.fulfil, FulfilForm, done)


@bp.route("/<int:commitment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(slug: str, commitment_id: int):
    """Withdraw the pledge, with the reason everyone will read."""
    return _end(slug, commitment_id, services.withdraw, WithdrawForm, _("The pledge is withdrawn."))


def _end(slug: str, commitment_id: int, end, form_class: type[FulfilForm | WithdrawForm], success: str):
    """Fulfil or withdraw with the words typed: refused at the field (400) as typed, or done (303)."""
    compound, found = _reporting(slug, commitment_id)
    form = form_class()
    return _submit(compound, found, form, form.words, lambda: end(found, current_user, form.words.data), success)


@bp.route("/<int:commitment_id>/rating", methods=["POST"])
@login_required
def rate(slug: str, commitment_id: int):
    """评价: 1–5 stars with an optional comment; rating again replaces one's rating."""
    compound, found = _load(slug, commitment_id)
    # A login for visitors, 404 outside the compound, 403 to members who may not rate it (their own pledge, too).
    permissions.require(access.can_rate(current_user, found, compound), compound, current_user)
    form = RatingForm()

    def step():
        services.rate(found, current_user, compound, form.stars.data, form.comment.data)

    return _submit(compound, found, form, form.stars, step, _("Thank you: your rating is saved."), "ratings")


@bp.route("/photos/<int:photo_id>")
def photo(slug: str, photo_id: int):
    """A progress photo, to anyone who may see the pledge on this board."""
    compound = get_compound(slug)
    found = photos.linked(photo_id, "progress_id")
    update = db.session.get(Progress, found.progress_id)
    if update is None or not access.commitment_in(update.commitment, compound):
        abort(404)
    return photos.send(found)
