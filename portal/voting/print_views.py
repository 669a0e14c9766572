"""打印: reminder slips, pre-filled paper ballots and proxy forms, per building or for one voting right (issue 14).

For committee and staff, who drive turnout; 404 for everyone else. Printing only reads: the one step that writes,
issuing activation codes for the slips of owners without an account, is a POST for staff with a box to tick, and its
answer is the only place the codes are ever readable (like the activation letters of the people page)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from portal import permissions, qr
from portal.htmx import render
from portal.inputs import db_int
from portal.refusals import Refused
from portal.staff import letters
from portal.staff import services as staff
from portal.voting import access, bp, loading, printing, proxies
from portal.voting.forms import confirmed
from portal.voting.models import Secrecy


class SlipLettersForm(FlaskForm):
    """印发激活信 with the reminder slips: the codes are new ones, so it is confirmed first."""

    confirm = BooleanField(
        _l("I will hand these letters to the owners myself. Their earlier codes stop working."),
        validators=[confirmed],
    )


def _printer(slug: str, vote_id: int):
    """(compound, vote) for committee and staff once the electorate is frozen; 404 for everyone else (a visitor is
    asked to log in by `loading`), as for a page they cannot know of: no link leads others here."""
    compound, vote = loading.load(slug, vote_id)
    if not access.can_drive_turnout(current_user, vote) or vote.electorate_heads is None:
        abort(404)
    return compound, vote


def _target(compound, vote):
    """What to print, from the query string: (building, None) for ?building=<id>, (None, right) for ?right=<id> or
    ?room=<room or roll number> as staff type it; 404 for anything else. A typed room that matches no right, or
    several, goes back to the form with the reason."""
    right_id, building_id = db_int(request.args.get("right", "")), db_int(request.args.get("building", ""))
    if "room" in request.args:
        try:
            right_id = proxies.lookup(vote, request.args["room"][:100]).right.id
        except Refused as error:
            flash(error.sentence, "print-one:error")  # shown at the form (voting/desk/_note.html)
            back = url_for("voting.turnout_by_place", slug=compound.slug, vote_id=vote.id, _anchor="print-one-note")
            abort(redirect(back))
    if right_id is not None:
        right = printing.right_of(vote, right_id)
        if right is None:
            abort(404)
        return None, right
    building = printing.building_of(compound, building_id)
    if building is None:
        abort(404)
    return building, None


def _scope(compound, vote):
    """The target and its sheets: a building's rights not used yet, or the one right asked for, used or not."""
    building, right = _target(compound, vote)
    if right is not None:
        return None, right, printing.sheets(vote, right=right, unused_only=False)
    return building, None, printing.sheets(vote, building=building)


def _page(template: str, compound, vote, building, right, sheets, status: int = 200, **context):
    """A print page: never cached (it names owners)."""
    response = render(
        template, status=status, compound=compound, vote=vote, building=building, right=right, sheets=sheets, **context
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:vote_id>/print/ballots")
def print_ballots(slug: str, vote_id: int):
    """书面表决票: pre-filled paper ballots of a named vote, each with the QR code of its desk entry."""
    compound, vote = _printer(slug, vote_id)
    if vote.secrecy == Secrecy.secret:
        # A secret ballot sheet must never carry a unit: the secret pack prints the sheet and the envelope apart.
        building, right = _target(compound, vote)
        kept = {"right": right.id} if right is not None else {"building": building.name}
        return redirect(url_for("voting.print_secret_pack", slug=slug, vote_id=vote.id, **kept), 303)
    building, right, sheets = _scope(compound, vote)
    label = _("QR code: enter this paper ballot at the voting desk (staff)")
    qrs = {s.right.id: printing.Code.of(printing.paper_entry_url(vote, s.right), label) for s in sheets}
    return _page("voting/print/ballots.html", compound, vote, building, right, sheets, qrs=qrs)


@bp.route("/<int:vote_id>/print/proxy-forms")
def print_proxy_forms(slug: str, vote_id: int):
    """业主委托书: proxy forms filled in with each owner's rooms and a form number the desk records."""
    compound, vote = _printer(slug, vote_id)
    building, right, sheets = _scope(compound, vote)
    label = _("QR code: record this proxy at the voting desk (staff)")
    qrs = {s.right.id: printing.Code.of(printing.proxy_entry_url(vote, s.right), label) for s in sheets}
    return _page("voting/print/proxy_forms.html", compound, vote, building, right, sheets, qrs=qrs)


def _slips(compound, vote, building, right, sheets, issued=(), form=None, status: int = 200):
    """The reminder slips: a QR code to the ballot for an activated owner, else the activation letter when codes
    were just issued (`issued`), else where to get one. Never for a right already used, even one asked for."""
    sheets = [sheet for sheet in sheets if not sheet.used]
    ballot_qr = qr.svg(printing.ballot_url(vote), _("QR code to open the ballot"))
    letters_ = {
        item.person.id: {
            "code": item.code,
            "expires_at": item.expires_at,
            "qr": qr.svg(letters.activation_url(item.code), _("QR code to open the activation page")),
            "url": letters.activation_page_url(),
        }
        for item in issued
    }
    return _page(
        "voting/print/slips.html",
        compound,
        vote,
        building,
        right,
        sheets,
        ballot_qr=ballot_qr,
        ballot_url=printing.ballot_url(vote),
        letters=letters_,
        waiting=sum(1 for s in sheets if not s.activated),
        may_issue=permissions.may(current_user, "manage_codes", compound),
        form=form or SlipLettersForm(formdata=None),
        issued=bool(issued),
        status=status,
    )


@bp.route("/<int:vote_id>/print/slips")
def print_slips(slug: str, vote_id: int):
    """提醒单: one slip per owner of the building who has not voted (reads only: no code is issued here)."""
    compound, vote = _printer(slug, vote_id)
    building, right, sheets = _scope(compound, vote)
    return _slips(compound, vote, building, right, sheets)


@bp.route("/<int:vote_id>/print/slips", methods=["POST"])
def print_slips_with_letters(slug: str, vote_id: int):
    """Issue fresh activation codes to the owners of these slips who have no account yet, and print their slips with
    the letters (staff, who hold the codes; the codes are readable only in this answer, never cached)."""
    compound, vote = _printer(slug, vote_id)
    permissions.require("manage_codes", compound, current_user)
    building, right, sheets = _scope(compound, vote)
    form = SlipLettersForm()
    if not form.validate_on_submit():
        return _slips(compound, vote, building, right, sheets, form=form, status=400)
    waiting = [s.owner.id for s in sheets if not s.activated]
    issued = staff.issue_letters(compound, waiting, current_user) if waiting else []
    return _slips(compound, vote, building, right, sheets, issued=issued, form=form)
