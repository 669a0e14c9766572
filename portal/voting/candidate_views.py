"""Committee election candidates: the nomination phase (while the election is a draft) and the published list."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from portal import permissions
from portal.forms import InputRequired
from portal.htmx import render, wants_partial
from portal.refusals import Refused
from portal.voting import access, bp, candidates, lifecycle, loading
from portal.voting.candidates import NOTE_MAX, STATEMENT_MAX
from portal.voting.models import VoteKind, VoteStatus

# --- forms ---------------------------------------------------------------------------------------------------


class StandForm(FlaskForm):
    """自荐: stand as a candidate with a statement."""

    statement = TextAreaField(_l("Your statement to owners"), validators=[InputRequired(), Length(max=STATEMENT_MAX)])


class NominateForm(FlaskForm):
    """联名推荐: nominate the owner of a room (they appear by name only once they accept)."""

    room = StringField(_l("Room of the owner you nominate"), validators=[InputRequired(), Length(max=100)])


class RecommendForm(FlaskForm):
    """社区推荐: staff nominate the owner of a room, who has agreed."""

    room = StringField(_l("Room of the owner"), validators=[InputRequired(), Length(max=100)])
    statement = TextAreaField(_l("Statement (optional)"), validators=[Optional(), Length(max=STATEMENT_MAX)])


class AnswerForm(FlaskForm):
    """The nominee's answer: accept (with an optional statement) or decline."""

    statement = TextAreaField(_l("Your statement to owners (optional)"), validators=[Length(max=STATEMENT_MAX)])


class AnswerButtonForm(FlaskForm):
    """Which of the answer form's two buttons was pressed (`answer` = accept or decline, not prefixed)."""

    answer = RadioField(choices=["accept", "decline"], validators=[InputRequired()])


class StatementForm(FlaskForm):
    """A candidate rewrites their statement."""

    statement = TextAreaField(_l("Your statement to owners"), validators=[InputRequired(), Length(max=STATEMENT_MAX)])


class CheckForm(FlaskForm):
    """资格审查: staff find a nominee eligible or not, with the reason when not."""

    decision = RadioField(
        _l("Eligibility"),
        choices=[SelectChoice("eligible", _l("Eligible")), SelectChoice("ineligible", _l("Not eligible"))],
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Note (needed when not eligible)"), validators=[Length(max=NOTE_MAX)])

    def validate_note(self, field) -> None:
        """Say why a nominee is not eligible (e.g. fees unpaid, a relative employed by the property company)."""
        if self.decision.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason."))


def check_form(candidate, posted: bool = False) -> CheckForm:
    """The check form of one nomination (prefixed so that each row's fields have their own ids): as posted, or
    showing the check recorded."""
    if posted:
        return CheckForm(prefix=f"check{candidate.id}")
    form = CheckForm(formdata=None, prefix=f"check{candidate.id}")
    if candidate.status.value in ("eligible", "ineligible"):
        form.decision.data = candidate.status.value
        form.note.data = candidate.check_note or ""
    return form


# --- access --------------------------------------------------------------------------------------------------


def load_election(slug: str, vote_id: int):
    """(compound, election) for members; a draft election (the nomination phase) also for the owner side."""
    compound, vote = loading.load(slug, vote_id)  # drafts: see access.can_see_draft
    if vote.kind != VoteKind.election:
        abort(404)
    return compound, vote


def _own_candidate(vote, candidate_id: int):
    """The person's own nomination, or 404 (someone else's nomination is not theirs to know about)."""
    candidate = candidates.get(vote, candidate_id)
    if candidate is None or candidate.person_id != current_user.id:
        abort(404)
    return candidate


@bp.app_template_global("candidate_nomination")
def candidate_nomination(vote):
    """For templates: the nomination by others waiting for the current person's answer in this vote, or None."""
    return candidates.pending_nomination(vote, current_user)


# --- pages ---------------------------------------------------------------------------------------------------


def _page(compound, vote, status: int = 200, **forms):
    """The candidates page: staff see every nomination; owners the published list, their part and the forms."""
    staff = access.can_certify(current_user, vote)
    editable = lifecycle.editable(vote)
    can_stand = candidates.may_stand(compound, current_user)
    mine = candidates.mine(vote, current_user)
    mine_active = mine is not None and candidates.state(mine) not in ("declined", "withdrawn")
    my_nominations = candidates.nominated_by(vote, current_user)
    rows = list(vote.candidates) if staff else []
    shown = {c.person_id for c in rows} | {c.person_id for c in my_nominations}
    context = {
        "compound": compound,
        "vote": vote,
        "editable": editable,
        "staff": staff,
        "can_stand": can_stand,
        "mine": mine,
        "mine_active": mine_active,
        "my_nominations": my_nominations,
        "published": candidates.published(vote),
        "rows": rows,
        "rooms_of": candidates.rooms_of(compound, shown) if shown else {},
        "standing": candidates.standing_ids(compound) if staff and editable else set(),
        "state": candidates.state,
        "checkers": candidates.checker_names(vote) if staff else {},
        "room_options": candidates.rooms(compound) if editable and (staff or can_stand) else [],
        "back_to_vote": vote.status != VoteStatus.draft or access.can_manage(current_user, vote),
    }
    forms.setdefault("stand_form", StandForm(formdata=None, prefix="stand"))
    forms.setdefault("nominate_form", NominateForm(formdata=None, prefix="nominate"))
    forms.setdefault("recommend_form", RecommendForm(formdata=None, prefix="recommend"))
    forms.setdefault("statement_form", StatementForm(formdata=None, prefix="statement", data=_statement_of(mine)))
    forms.setdefault("answer_form", AnswerForm(formdata=None, prefix="answer"))
    check_forms = forms.pop("check_forms", {})
    context["check_forms"] = {c.id: check_forms.get(c.id) or check_form(c) for c in rows} if editable else {}
    return render("voting/candidates.html", status=status, **context, **forms)


def _statement_of(candidate) -> dict:
    """The statement form's initial data: the candidate's current statement."""
    return {"statement": candidate.statement} if candidate is not None else {}


def _done(slug: str, vote, message: str):
    """POST → 303 → GET back to the candidates page, with a message."""
    flash(message, "info")
    return redirect(url_for("voting.candidates", slug=slug, vote_id=vote.id), 303)


def _attempt(form, act, field, fields_by_code: dict | None = None) -> bool:
    """Validate `form`, then `act()`: True once done. A refusal of the nomination's state answers 409; any other
    stands at `field` (or at the field `fields_by_code` names for its code), for the form to be shown again."""
    if not form.validate_on_submit():
        return False
    try:
        act()
    except Refused as error:
        if error.code == "state":
            abort(409)
        (fields_by_code or {}).get(error.code, field).errors = [error.sentence]
        return False
    return True


def _nominating(slug: str, vote_id: int, staff: bool):
    """(compound, election) for a nomination by an owner who may stand, or by staff; 409 once announced."""
    compound, vote = load_election(slug, vote_id)
    allowed = access.can_certify(current_user, vote) if staff else candidates.may_stand(compound, current_user)
    permissions.require(allowed, compound, current_user, shown=True)
    _writable(vote)
    return compound, vote


def _writable(vote) -> None:
    """Nothing about the candidates changes once the election is announced (409)."""
    if not lifecycle.editable(vote):
        abort(409)


@bp.route("/<int:vote_id>/candidates", endpoint="candidates")
def candidates_page(slug: str, vote_id: int):
    """候选人: the nomination phase and the published candidate list of a committee election."""
    compound, vote = load_election(slug, vote_id)
    return _page(compound, vote)


@bp.route("/<int:vote_id>/candidates/stand", methods=["POST"], endpoint="candidate_stand")
def stand(slug: str, vote_id: int):
    """自荐: the current owner stands with a statement."""
    compound, vote = _nominating(slug, vote_id, staff=False)
    form = StandForm(prefix="stand")
    if _attempt(form, lambda: candidates.self_nominate(vote, current_user, form.statement.data), form.statement):
        return _done(slug, vote, _("You stand as a candidate. Staff will check your eligibility."))
    return _page(compound, vote, status=400, stand_form=form)


@bp.route("/<int:vote_id>/candidates/nominate", methods=["POST"], endpoint="candidate_nominate")
def nominate(slug: str, vote_id: int):
    """联名推荐: the current owner nominates the owner of a room, who then accepts or declines."""
    compound, vote = _nominating(slug, vote_id, staff=False)
    form = NominateForm(prefix="nominate")
    if _attempt(form, lambda: candidates.nominate(vote, current_user, form.room.data), form.room):
        return _done(slug, vote, _("Nomination recorded. The owner is asked to accept or decline it."))
    return _page(compound, vote, status=400, nominate_form=form)


@bp.route("/<int:vote_id>/candidates/recommend", methods=["POST"], endpoint="candidate_recommend")
def recommend(slug: str, vote_id: int):
    """社区推荐: staff nominate the owner of a room, who has agreed."""
    compound, vote = _nominating(slug, vote_id, staff=True)
    form = RecommendForm(prefix="recommend")
    room, text = form.room.data, form.statement.data or ""
    if _attempt(
        form, lambda: candidates.staff_nominate(vote, current_user, room, text), form.room, {"too_long": form.statement}
    ):
        return _done(slug, vote, _("Nomination recorded. Check the nominee's eligibility below."))
    return _page(compound, vote, status=400, recommend_form=form)


@bp.route("/<int:vote_id>/candidates/<int:candidate_id>/answer", methods=["POST"], endpoint="candidate_answer")
def answer(slug: str, vote_id: int, candidate_id: int):
    """The nominee accepts (answer=accept, with an optional statement) or declines (answer=decline)."""
    compound, vote = load_election(slug, vote_id)
    candidate = _own_candidate(vote, candidate_id)
    _writable(vote)
    button = AnswerButtonForm()
    if not button.validate_on_submit():
        abort(400)  # a button only the page sends
    form = AnswerForm(prefix="answer")
    if button.answer.data == "decline":
        try:
            candidates.decline(candidate, current_user)
        except Refused:
            abort(409)
        return _done(slug, vote, _("You declined the nomination."))
    if _attempt(form, lambda: candidates.consent(candidate, current_user, form.statement.data), form.statement):
        return _done(slug, vote, _("You accepted the nomination. Staff will check your eligibility."))
    return _page(compound, vote, status=400, answer_form=form)


@bp.route("/<int:vote_id>/candidates/<int:candidate_id>/withdraw", methods=["POST"], endpoint="candidate_withdraw")
def withdraw(slug: str, vote_id: int, candidate_id: int):
    """The candidate withdraws while the election is a draft."""
    _compound, vote = load_election(slug, vote_id)
    candidate = _own_candidate(vote, candidate_id)
    _writable(vote)
    try:
        candidates.withdraw(candidate, current_user)
    except Refused:
        abort(409)
    return _done(slug, vote, _("You withdrew your candidacy."))


@bp.route("/<int:vote_id>/candidates/<int:candidate_id>/statement", methods=["POST"], endpoint="candidate_statement")
def statement(slug: str, vote_id: int, candidate_id: int):
    """The candidate rewrites their statement while the election is a draft."""
    compound, vote = load_election(slug, vote_id)
    candidate = _own_candidate(vote, candidate_id)
    _writable(vote)
    form = StatementForm(prefix="statement")
    if _attempt(
        form, lambda: candidates.update_statement(candidate, current_user, form.statement.data), form.statement
    ):
        return _done(slug, vote, _("Your statement is saved."))
    return _page(compound, vote, status=400, statement_form=form)


@bp.route("/<int:vote_id>/candidates/<int:candidate_id>/check", methods=["POST"], endpoint="candidate_check")
def check(slug: str, vote_id: int, candidate_id: int):
    """资格审查 by staff: eligible, or not eligible with the reason; htmx gets the updated row back."""
    compound, vote = load_election(slug, vote_id)
    permissions.require(access.can_certify(current_user, vote), compound, current_user, shown=True)
    candidate = candidates.get(vote, candidate_id)
    if candidate is None:
        abort(404)
    _writable(vote)
    form = check_form(candidate, posted=True)
    eligible = form.decision.data == "eligible"
    if _attempt(form, lambda: candidates.check(candidate, current_user, eligible, form.note.data or ""), form.note):
        if not wants_partial():
            return _done(slug, vote, _("Eligibility recorded."))
        form = check_form(candidate)
    status = 400 if form.errors else 200
    if wants_partial():  # the row again: checked, or with the error at its field
        return _row(compound, vote, candidate, form, status)
    return _page(compound, vote, status=status, check_forms={candidate.id: form})


def _row(compound, vote, candidate, form, status: int):
    """One staff row of the nomination list (the htmx answer to a check)."""
    return render(
        "voting/_candidate_row.html",
        status=status,
        compound=compound,
        vote=vote,
        c=candidate,
        editable=lifecycle.editable(vote),
        rooms_of=candidates.rooms_of(compound, {candidate.person_id}),
        standing=candidates.standing_ids(compound),
        state=candidates.state,
        checkers=candidates.checker_names(vote),
        check_forms={candidate.id: form},
    )
