"""Vote pages for owners: the list, a vote with its live turnout, the ballot with a review step, the receipt."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.compounds.services import get_compound
from portal.coowners import services as coowners
from portal.db import reads_first
from portal.htmx import render
from portal.refusals import Refused
from portal.voting import (
    access,
    ballot_form,
    box,
    bp,
    candidates,
    casting,
    electorate,
    lifecycle,
    loading,
    pace,
    printing,
    receipts,
    services,
    turnout,
)
from portal.voting import scope as scopes
from portal.voting.forms import ReceiptForm
from portal.voting.models import BallotChannel, VoteKind, VoteStatus


@bp.app_template_filter("notice_title")
def notice_title(notice) -> str:
    """A notice's title in the reader's language: the portal's own vote notices are translated, others as written."""
    if notice.event and notice.event.startswith("vote.") and notice.vote is not None:
        return lifecycle.notice_title(notice.event, notice.vote.title)
    return notice.title


@bp.route("/")
def index(slug: str):
    """投票: the compound's votes, newest first."""
    compound = get_compound(slug)
    permissions.require("view_votes", compound, current_user)
    manager = permissions.may(current_user, "manage_votes", compound) or permissions.may(
        current_user, "certify_votes", compound
    )
    votes = services.votes_of(
        compound, include_drafts=manager, draft_elections=permissions.may(current_user, "view_roll", compound)
    )
    for vote in votes:
        lifecycle.keep_time(vote)  # the list shows each vote as its window now has it
    return render("voting/index.html", compound=compound, votes=votes, manager=manager)


@bp.route("/<int:vote_id>/")
def show(slug: str, vote_id: int):
    """One vote: what is asked, when, the live turnout, and my part in it."""
    compound, vote = loading.load(slug, vote_id)
    right = electorate.right_of(vote, current_user)
    voted = box.has_voted(vote, right)
    return render(
        "voting/show.html",
        compound=compound,
        vote=vote,
        right=right,
        voted=voted,
        my_ballot=box.my_ballot(vote, right) if voted else None,
        proxies=[(r, box.has_voted(vote, r)) for r in access.proxy_rights(current_user, vote)],
        turnout=turnout.turnout(vote) if vote.electorate_heads is not None else None,
        past=pace.history(vote) if vote.electorate_heads is not None else None,
        open_now=access.is_open_now(vote),
        manage=access.can_manage(current_user, vote),
        certify=access.can_certify(current_user, vote),
        results_visible=access.can_see_results(current_user, vote),
        receipt=receipts.shown_code(vote, right.id) if voted else None,
        events=vote_events(vote),
        my_units=coowners.for_vote(vote, current_user),
        outside_scope=_outside_scope(vote, right),
    )


def _outside_scope(vote, right) -> str | None:
    """The sentence for an owner of the compound outside a vote's scope (they read the vote, with no ballot)."""
    if not vote.scope or right is not None or not scopes.owns_here(vote, current_user):
        return None
    return None if scopes.covers(vote, current_user) else scopes.outside_sentence(vote)


def vote_events(vote):
    """The audited transitions, oldest first."""
    from portal.extensions import db
    from portal.voting.models import VoteEvent

    return list(db.session.scalars(db.select(VoteEvent).where(VoteEvent.vote_id == vote.id).order_by(VoteEvent.id)))


@bp.route("/<int:vote_id>/turnout/buildings")
def turnout_by_place(slug: str, vote_id: int):
    """投票进度（按楼栋）: for committee and staff; an open secret vote shows it only after the close."""
    compound, vote = loading.load(slug, vote_id)
    if vote.electorate_heads is None:
        abort(404)
    permissions.require(access.can_drive_turnout(current_user, vote), compound, current_user, shown=True)
    hidden = turnout.is_stepped(vote)
    places = [] if hidden else turnout.by_place(vote)
    return render(
        "voting/turnout_places.html",
        compound=compound,
        vote=vote,
        turnout=turnout.turnout(vote) if hidden else turnout.of_places(vote, places),
        past=pace.history(vote),
        places=places,
        hidden=hidden,
        building_ids=printing.building_ids(vote.compound, vote),  # each building: its non-voter list and its prints
        printable=vote.status == VoteStatus.open,
    )


@bp.route("/<int:vote_id>/turnout")
def turnout_fragment(slug: str, vote_id: int):
    """投票进度 (htmx polls it about every 10 s; 304 when nothing changed)."""
    compound, vote = loading.load(slug, vote_id)
    if vote.electorate_heads is None:
        abort(404)
    published = turnout.turnout(vote)  # the ETag comes from the published figures only, never the exact ones
    tag = f"{vote.status.value}-{published.etag}"
    if tag in request.if_none_match:
        response = make_response("", 304)
        response.headers["Vary"] = "HX-Request"
    else:
        response = render("voting/_turnout.html", vote=vote, turnout=published)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.route("/<int:vote_id>/roll")
def roll(slug: str, vote_id: int):
    """The electorate: rooms and areas with the totals, never names (before opening: as it would be frozen now)."""
    compound, vote = loading.load(slug, vote_id)
    permissions.require("view_roll", compound, current_user)
    if vote.electorate_heads is None:
        drafts = electorate.drafts_for(vote)
        rows = [(i, d.label, d.area, d.is_developer) for i, d in enumerate(drafts, start=1)]
        frozen = False
    else:
        from portal.extensions import db
        from portal.voting.models import VotingRight

        rights = db.session.scalars(
            db.select(VotingRight).where(VotingRight.vote_id == vote.id).order_by(VotingRight.ordinal)
        )
        rows = [(r.ordinal, r.label, r.area_m2, r.is_developer) for r in rights]
        frozen = True
    heads, area = len(rows), sum((row[2] for row in rows), Decimal("0.00"))
    return render("voting/roll.html", compound=compound, vote=vote, rows=rows, heads=heads, area=area, frozen=frozen)


bp.add_app_template_global(scopes.addressed_to, "vote_addressed_to")
bp.add_app_template_global(ballot_form.CODES, "ballot_codes")
bp.add_app_template_global(ballot_form.fields, "ballot_hidden")


def posted_choices(vote) -> box.Choices:
    """The choices of the posted ballot form, once it reads (the quick path takes the ordinary one otherwise)."""
    form = ballot_form.form_for(vote)
    if not form.validate():
        raise Refused("unreadable")
    return form.choices()


@bp.route("/<int:vote_id>/ballot", methods=["GET", "POST"])
@login_required
def ballot(slug: str, vote_id: int):
    """选票: fill in → review → submit. Works without JavaScript; `for` = an owner's right held as proxy."""
    on_behalf = request.values.get("for")
    submitting = request.method == "POST" and ballot_form.BallotForm().confirming
    if submitting and not on_behalf:  # the owner submits their own reviewed ballot: the case of the quick path
        receipt = casting.try_cast(slug, vote_id, current_user, posted_choices)
        if receipt is not None:
            return _receipt_redirect(slug, vote_id, receipt)
    compound, vote, own = loading.load_with_right(slug, vote_id)
    if not access.is_open_now(vote):
        flash(_("This vote is not open for voting."), "error")
        return redirect(url_for("voting.show", slug=slug, vote_id=vote.id), 303)
    right, proxy = access.right_for(current_user, vote, on_behalf, own)
    # Submitting: the ballot box itself refuses a used right (and records a conflict), so no look-up first.
    already = None if submitting else box.has_voted(vote, right)
    context = {"compound": compound, "vote": vote, "right": right, "proxy": proxy, "on_behalf": on_behalf}
    if already and not vote.allow_change:
        if request.method == "POST":
            channel = BallotChannel.proxy if proxy else BallotChannel.online
            box.record_conflict(vote, right, channel, already.channel, current_user)
        flash(_("This ballot has been cast already."), "info")
        return redirect(url_for("voting.show", slug=slug, vote_id=vote.id), 303)
    if request.method == "GET":
        current = box.my_ballot(vote, right) if already else None
        form = ballot_form.form_for(vote, _choices_of(current))
        return _fill_in(form, context)
    form = ballot_form.form_for(vote)
    if form.validate_on_submit():
        try:
            choices = box.validate(vote, form.choices())
        except Refused as error:
            form.form_errors.append(error.sentence)
    if form.errors:
        return _fill_in(form, context, status=400)
    if not form.confirming:
        if form.change.data:
            return _fill_in(form, context)
        return _unstored(render("voting/review.html", ballot=form, choices=choices, **context))
    try:
        receipt = box.cast(
            vote, right, choices, BallotChannel.proxy if proxy else BallotChannel.online, current_user, proxy
        )
    except Refused as error:
        flash(error.sentence, "error")
        return redirect(url_for("voting.show", slug=slug, vote_id=vote.id), 303)
    return _receipt_redirect(slug, vote.id, receipt, right.id if proxy else None)


def _fill_in(form, context: dict, status: int = 200):
    """The ballot to fill in (again): an election's candidates with the buildings they live in."""
    vote = context["vote"]
    buildings = candidates.buildings_of(vote) if vote.kind == VoteKind.election else {}
    return _unstored(render("voting/ballot.html", ballot=form, candidate_buildings=buildings, status=status, **context))


def _unstored(response):
    """A ballot, review or receipt page: kept in no cache, and not to be compressed on the way (its compressed size
    would vary with the choices even though its length does not; a proxy that ignores no-transform must be told)."""
    response.headers["Cache-Control"] = "no-store, no-transform"
    return response


def _receipt_redirect(slug: str, vote_id: int, receipt: str, proxy_for: int | None = None):
    """Go to the receipt page, which derives the receipt again on the server (`receipts.py`): it is never kept in
    the cookie, where the next person on the same phone could read it."""
    extra = {"for": proxy_for} if proxy_for else {}
    return redirect(url_for("voting.receipt", slug=slug, vote_id=vote_id, **extra), 303)


def _choices_of(ballot) -> box.Choices | None:
    """A counted named ballot's choices, to fill in the form again (when the vote allows changing it)."""
    import json

    if ballot is None:
        return None
    return ballot_form.stored(json.loads(ballot.answers), json.loads(ballot.selected), json.loads(ballot.options))


@bp.route("/<int:vote_id>/receipt")
@login_required
def receipt(slug: str, vote_id: int):
    """回执: the receipt code to find the ballot in the published list later, shown whenever the right has been used
    (own, or held as proxy: `for`), from any device, as long as the vote keeps its receipt key."""
    compound, vote = loading.load(slug, vote_id)
    on_behalf = request.args.get("for")
    right = access.right_for(current_user, vote, on_behalf)[0] if on_behalf else electorate.right_of(vote, current_user)
    used = box.has_voted(vote, right)
    # A proxy sees the receipt of the ballot they cast, not of one the owner cast in person.
    shown = used is not None and (not on_behalf or used.channel == BallotChannel.proxy)
    code = receipts.shown_code(vote, right.id) if shown else None
    if code is None:
        return redirect(url_for("voting.show", slug=slug, vote_id=vote.id), 303)
    return _unstored(
        render("voting/receipt.html", compound=compound, vote=vote, code=code, right=right, proxy=bool(on_behalf))
    )


@bp.route("/<int:vote_id>/check-receipt", methods=["POST"])
@reads_first
def check_receipt(slug: str, vote_id: int):
    """Is my ballot in the box? Answers only yes or no: a receipt never shows a choice."""
    compound, vote = loading.load(slug, vote_id)
    form = ReceiptForm()
    checked = form.validate_on_submit()
    # With htmx the answer goes under the form; without JavaScript it is a page of its own, with the form again.
    return render(
        "voting/receipt_check.html",
        "voting/_receipt_check.html",
        status=200 if checked else 400,
        compound=compound,
        vote=vote,
        receipt_form=form,
        found=checked and box.receipt_in_box(vote, form.receipt.data),
        checked=checked,
    )
