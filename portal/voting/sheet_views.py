"""A secret vote's paper ballots at the desk: the envelope step, the sheet step, and the printed labels and sheets.

The two steps are pages of their own, for community staff only (anyone else gets 404, also from a scanned QR code):
the envelope step names rooms (who took part), the sheet step names sheet codes only (what was chosen).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from portal import qr
from portal.extensions import db
from portal.forms import InputRequired
from portal.htmx import render
from portal.inputs import db_int
from portal.refusals import Refused
from portal.voting import access, ballot_form, box, bp, loading, paper, printing, proxies, receipts, sheets
from portal.voting.models import Secrecy, VotingRight


class EnvelopeForm(FlaskForm):
    """信封登记: whose envelope came in."""

    right = StringField(_l("Envelope: number on the roll, or room"), validators=[InputRequired(), Length(max=100)])


class SheetForm(FlaskForm):
    """选票录入: the sheet's code (its choices are the ballot's own fields)."""

    code = StringField(_l("Sheet code"), validators=[InputRequired(), Length(max=40)])


def _staff_step(slug: str, vote_id: int):
    """(compound, vote) of a secret vote for community staff; 404 for everyone else (log in first as a visitor)."""
    compound, vote = loading.load(slug, vote_id)  # a visitor is sent to log in, an outsider gets 404 there
    if not access.can_certify(current_user, vote) or vote.secrecy != Secrecy.secret:
        abort(404)  # not even 403 for the compound's owners: a scanned label or sheet tells them nothing
    return compound, vote


def _say(section: str, text: str, kind: str = "info") -> None:
    """A message for the step's own section (`_note.html`), next to its form."""
    flash(text, f"{section}:{kind}")


def _prefilled_right(vote, raw: str | None) -> VotingRight | None:
    """The right a scanned envelope label names (?right=id), if it is this vote's."""
    right_id = db_int(raw)
    right = db.session.get(VotingRight, right_id) if right_id is not None else None
    return right if right is not None and right.vote_id == vote.id else None


def _envelope_page(compound, vote, form=None, status: int = 200, right=None):
    """The envelope step: its form (the scanned right filled in) and the rooms received, in roll order."""
    if form is None:
        form = EnvelopeForm(prefix="envelope", formdata=None, data={"right": str(right.ordinal) if right else ""})
    received = sheets.envelopes(vote)
    return render(
        "voting/desk/envelopes.html",
        None,
        compound=compound,
        vote=vote,
        form=form,
        scanned=right,
        received=received,
        paper_open=access.is_open_now(vote),
        status=status,
    )


@bp.route("/<int:vote_id>/desk/envelopes", methods=["GET", "POST"])
def desk_envelopes(slug: str, vote_id: int):
    """信封登记: record that a right's envelope came in (a secret vote's paper ballot); the list of rooms received."""
    compound, vote = _staff_step(slug, vote_id)
    if request.method == "GET":
        return _envelope_page(compound, vote, right=_prefilled_right(vote, request.args.get("right")))
    form = EnvelopeForm(prefix="envelope")
    status = 400
    if form.validate_on_submit():
        try:
            ref = proxies.lookup(vote, form.right.data)
            if ref.right is None:
                raise Refused("paper_not_open")
            sheets.receive_envelope(vote, ref.right, current_user)
        except Refused as error:
            if error.code == "paper_conflict":  # the conflict is recorded: keep it (a 303 commits)
                _say("envelopes", error.sentence, "error")
                return redirect(
                    url_for("voting.desk_envelopes", slug=slug, vote_id=vote.id, _anchor="envelopes-note"), 303
                )
            form.right.errors = [error.sentence]
            status = 400 if error.code in proxies.LOOKUP_CODES else 409
        else:
            _say("envelopes", _("Envelope recorded: %(rooms)s.", rooms=ref.label))
            return redirect(url_for("voting.desk_envelopes", slug=slug, vote_id=vote.id, _anchor="envelopes-note"), 303)
    return _envelope_page(compound, vote, form=form, status=status)


@bp.route("/<int:vote_id>/desk/envelopes/<int:envelope_id>/undo", methods=["POST"])
def desk_undo_envelope(slug: str, vote_id: int, envelope_id: int):
    """Undo an envelope recorded by mistake, while no sheet of its right has been entered."""
    compound, vote = _staff_step(slug, vote_id)
    envelope = sheets.get_envelope(vote, envelope_id)
    if envelope is None:
        abort(404)
    rooms = envelope.right.label
    try:
        sheets.undo_envelope(vote, envelope, current_user)
    except Refused as error:
        _say("envelopes", error.sentence, "error")
    else:
        _say("envelopes", _("The envelope of %(rooms)s is no longer recorded.", rooms=rooms))
    return redirect(url_for("voting.desk_envelopes", slug=slug, vote_id=vote.id, _anchor="envelopes-note"), 303)


def _sheet_page(compound, vote, form=None, ballot=None, status: int = 200):
    """The sheet step: its form (the scanned code filled in) and the sheet entries by code, never by room."""
    if form is None:
        form = SheetForm(prefix="sheet", formdata=None, data={"code": _scanned_code()})
    return render(
        "voting/desk/sheets.html",
        None,
        compound=compound,
        vote=vote,
        form=form,
        ballot=ballot or ballot_form.form_for(vote, box.Choices({})),
        desk=sheets.sheet_desk(vote),
        envelope_count=len(sheets.envelopes(vote)),
        paper_open=access.is_open_now(vote),
        status=status,
    )


def _scanned_code() -> str:
    """The sheet code a scanned QR code carries (?code=), in its written form, or nothing."""
    return receipts.read_code(request.args.get("code")) or ""


# Refusals about the ballot's choices, shown with the ballot rather than at the code.
BALLOT_CODES = frozenset({"unreadable", "too_many", "too_many_candidates", "no_choice"})
CODE_LOOKUP = frozenset({"sheet_code_required", "sheet_code_unknown"})


@bp.route("/<int:vote_id>/desk/sheets", methods=["GET", "POST"])
def desk_sheets(slug: str, vote_id: int):
    """选票录入: enter a secret vote's sheet by its code; it counts once a second staff member enters the same."""
    compound, vote = _staff_step(slug, vote_id)
    if request.method == "GET":
        return _sheet_page(compound, vote)
    form, ballot = SheetForm(prefix="sheet"), ballot_form.form_for(vote)
    status = 400
    if form.validate_on_submit() & ballot.validate():  # both, so that every field shows its error
        try:
            entry = sheets.enter_sheet(vote, form.code.data, ballot.choices(), current_user)
        except Refused as error:
            if error.code in BALLOT_CODES:
                ballot.form_errors.append(error.sentence)
            else:
                form.code.errors = [error.sentence]
                status = 400 if error.code in CODE_LOOKUP else 409
        else:
            code = sheets.sheet_code(vote.id, entry.right_id)
            _say("sheets", sheet_done_text(entry.state, code), "mismatch" if entry.state == paper.MISMATCH else "info")
            return redirect(url_for("voting.desk_sheets", slug=slug, vote_id=vote.id, _anchor="sheets-note"), 303)
    return _sheet_page(compound, vote, form=form, ballot=ballot, status=status)


def sheet_done_text(state: str, code: str) -> str:
    """What happened to a sheet entry, by its code."""
    if state == paper.COUNTED:
        return _("The two entries match: sheet %(code)s is counted.", code=code)
    if state == paper.MISMATCH:
        return _(
            "The two entries of sheet %(code)s differ. Nothing was counted; a supervisor must check them.", code=code
        )
    return _("Entry saved for sheet %(code)s. It counts when a second staff member enters the same choices.", code=code)


def _printer(slug: str, vote_id: int):
    """(compound, vote) of a secret vote for those who drive turnout; 404 for everyone else."""
    compound, vote = loading.load(slug, vote_id)
    if not access.can_drive_turnout(current_user, vote) or vote.secrecy != Secrecy.secret:
        abort(404)
    return compound, vote


@bp.route("/<int:vote_id>/print/secret")
def print_secret_pack(slug: str, vote_id: int):
    """不记名书面表决票: the envelope labels and the sheets of a building (?building=) or one right (?right=), A4, each
    sheet right after its label (so that it goes into that envelope); without either, the list of buildings."""
    compound, vote = _printer(slug, vote_id)
    building, right_id = request.args.get("building"), request.args.get("right")
    if building is None and right_id is None:
        return render(
            "voting/print/secret_index.html", None, compound=compound, vote=vote, buildings=sheets.buildings(vote)
        )
    if right_id is not None:
        wanted = db_int(right_id)
        if wanted is None:
            abort(404)
        pairs = sheets.pack(vote, right_id=wanted)
    else:
        pairs = sheets.pack(vote, building=building[:100])
    if not pairs:
        abort(404)
    slug_, vid = compound.slug, vote.id
    printed = [
        {
            "pack": pair,
            "envelope_qr": qr.svg(
                printing.absolute("voting.desk_envelopes", slug=slug_, vote_id=vid, right=pair.right.id),
                _("QR code to record this envelope at the desk"),
            ),
            "sheet_qr": qr.svg(
                printing.absolute("voting.desk_sheets", slug=slug_, vote_id=vid, code=pair.code),
                _("QR code to enter this sheet at the desk"),
            ),
        }
        for pair in pairs
    ]
    return render(
        "voting/print/secret_pack.html", None, compound=compound, vote=vote, printed=printed, building=building
    )
