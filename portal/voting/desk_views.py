"""投票工作台 for community staff: proxy authorisations, paper ballots entered twice, conflicts, the proxy cap."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import Length, NumberRange

from portal import permissions
from portal.forms import InputRequired
from portal.htmx import render, wants_partial
from portal.inputs import db_int
from portal.refusals import Refused
from portal.voting import access, ballot_form, box, bp, loading, paper, printing, proxies, sheets
from portal.voting.models import Secrecy


class ProxyForm(FlaskForm):
    """委托: whose right, who votes with it, and the written authorisation's number."""

    owner = StringField(_l("Owner: number on the roll, or room"), validators=[InputRequired(), Length(max=100)])
    person = StringField(_l("Proxy: account number or phone"), validators=[InputRequired(), Length(max=40)])
    reference = StringField(_l("Authorisation number (委托书编号)"), validators=[InputRequired(), Length(max=100)])


class PaperForm(FlaskForm):
    """书面表决票: whose ballot this is (the choices are the ballot's own fields)."""

    right = StringField(_l("Voting right: number on the roll, or room"), validators=[InputRequired(), Length(max=100)])


class CapForm(FlaskForm):
    """How many owners one proxy may represent in one vote (a compound setting)."""

    max_proxies_per_person = IntegerField(
        _l("Owners one proxy may represent in one vote"),
        validators=[
            InputRequired(_l("Enter how many owners one proxy may represent")),
            NumberRange(min=1, max=proxies.MAX_CAP),
        ],
    )


def _desk(slug: str, vote_id: int):
    """(compound, vote) for community staff: 404 outside the compound, 403 for members who are not staff."""
    compound, vote = loading.load(slug, vote_id)
    permissions.require(access.can_certify(current_user, vote), compound, current_user, shown=True)
    return compound, vote


def _desk_page(compound, vote, status: int = 200, partial: str | None = None, **forms):
    """The desk with its four sections (or, for htmx, the `partial` section); a form given in `forms` is shown again
    with its errors (a paper ballot's choices in `ballot`)."""
    forms.setdefault("proxy_form", ProxyForm(prefix="proxy", formdata=None))
    forms.setdefault("paper_form", PaperForm(prefix="paper", formdata=None))
    forms.setdefault("ballot", ballot_form.form_for(vote, box.Choices({})))
    forms.setdefault(
        "cap_form", CapForm(formdata=None, data={"max_proxies_per_person": compound.max_proxies_per_person})
    )
    secret = vote.secrecy == Secrecy.secret
    entries = paper.desk(vote) if not secret else paper.Desk()  # a secret vote's entries are on the sheet step
    return render(
        "voting/desk/desk.html",
        partial,
        compound=compound,
        vote=vote,
        proxy_rows=proxies.rows(vote),
        cap=compound.max_proxies_per_person,
        may_record=proxies.may_record(vote),
        paper_open=access.is_open_now(vote),
        entries=entries,
        flagged=paper.flagged(vote, entries.mismatch),
        secret_paper=sheets.summary(vote) if secret else None,
        conflicts=paper.conflicts(vote),
        status=status,
        **forms,
    )


def _found(row):
    """A row of this vote, or 404."""
    if row is None:
        abort(404)
    return row


def _say(section: str, text: str, kind: str = "info") -> None:
    """A message for the desk section where the step was taken: shown there, next to its form (`_note.html`), not at
    the top of the page, which the jump to the section leaves off-screen."""
    flash(text, f"{section}:{kind}")


def _flash_outcome(section: str, act, done: str) -> None:
    """Take a step on the desk and say how it went, in its section: `done`, or why it was refused."""
    try:
        act()
    except Refused as error:
        _say(section, error.sentence, "error")
    else:
        _say(section, done)


def _back(slug: str, vote_id: int, section: str):
    """POST → 303 → the desk, at the message in the section that changed (its note, just above the section's form)."""
    return redirect(url_for("voting.desk", slug=slug, vote_id=vote_id, _anchor=f"{section}-note"), 303)


def _paper_back(compound, vote, section: str = "paper"):
    """A paper step is done: the paper section with its message for htmx (swapped in place, the message focused),
    else POST → 303 → the desk at the message; to another section by a full load (HX-Redirect) for htmx."""
    if not wants_partial():
        return _back(compound.slug, vote.id, section)
    if section != "paper":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url_for(
            "voting.desk", slug=compound.slug, vote_id=vote.id, _anchor=f"{section}-note"
        )
        response.headers["Vary"] = "HX-Request"
        return response
    return _desk_page(compound, vote, partial=PAPER_PARTIAL)


PAPER_PARTIAL = "voting/desk/_paper.html"


@bp.route("/<int:vote_id>/desk")
def desk(slug: str, vote_id: int):
    """投票工作台: proxies, paper ballots, conflicts and the proxy cap of one vote; a printed sheet's QR code fills in
    a form from the query string (?right=<id>: a paper ballot's right; ?proxy=<id>: a proxy form's owner and number)."""
    compound, vote = _desk(slug, vote_id)
    return _desk_page(compound, vote, **_prefilled(vote))


def _prefilled(vote) -> dict:
    """The desk's forms filled in from a printed sheet's QR code (nothing is written: staff check and submit)."""
    forms = {}
    right = printing.right_of(vote, db_int(request.args.get("right", "")))
    if right is not None:
        forms["paper_form"] = PaperForm(prefix="paper", formdata=None, data={"right": printing.first_room(right)})
    owner = printing.right_of(vote, db_int(request.args.get("proxy", "")))
    if owner is not None:
        data = {"owner": printing.first_room(owner), "reference": printing.form_number(owner)}
        forms["proxy_form"] = ProxyForm(prefix="proxy", formdata=None, data=data)
    return forms


# Which field a proxy error is shown next to.
PROXY_ERROR_FIELD = {
    "proxy_not_found": "person",
    "proxy_self": "person",
    "cap": "person",
    "used": "owner",
    "owner_has_proxy": "owner",
    "reference_required": "reference",
}


def _looked_up(field, find):
    """`find()` for a field that was filled in, or None with the refusal at the field (an empty one has its error)."""
    if field.errors:
        return None
    try:
        return find()
    except Refused as error:
        field.errors.append(error.sentence)
        return None


def _refuse_at(form, error: Refused) -> None:
    """A refusal of the proxy form, at the field it is about."""
    getattr(form, PROXY_ERROR_FIELD.get(error.code, "owner")).errors.append(error.sentence)


@bp.route("/<int:vote_id>/desk/proxies", methods=["POST"])
def desk_add_proxy(slug: str, vote_id: int):
    """Record a proxy authorisation (委托) for one owner's voting right; what is wrong is said all at once."""
    compound, vote = _desk(slug, vote_id)
    form = ProxyForm(prefix="proxy")
    valid = form.validate_on_submit()
    owner = _looked_up(form.owner, lambda: proxies.lookup(vote, form.owner.data))
    person = _looked_up(form.person, lambda: proxies.find_proxy(form.person.data))
    found = proxies.problems(vote, owner, person) if owner and person else []
    for error in found:
        _refuse_at(form, error)
    if valid and owner and person and not found:
        try:
            proxies.authorise(vote, owner, person, form.reference.data, current_user)
        except Refused as error:
            _refuse_at(form, error)
        else:
            _say("proxies", _("Proxy recorded: %(name)s votes for %(rooms)s.", name=person.name, rooms=owner.label))
            return _back(slug, vote.id, "proxies")
    return _desk_page(compound, vote, status=400, proxy_form=form)


@bp.route("/<int:vote_id>/desk/proxies/<int:authorisation_id>/revoke", methods=["POST"])
def desk_revoke_proxy(slug: str, vote_id: int, authorisation_id: int):
    """Revoke a proxy authorisation before the owner's right is used."""
    _compound, vote = _desk(slug, vote_id)
    authorisation = _found(proxies.get(vote, authorisation_id))
    _flash_outcome(
        "proxies", lambda: proxies.revoke(vote, authorisation, current_user), _("The authorisation is revoked.")
    )
    return _back(slug, vote.id, "proxies")


# What is wrong with the choices on a paper ballot itself (shown with the ballot, not at the roll number).
BALLOT_CODES = frozenset({"unreadable", "too_many", "too_many_candidates", "no_choice"})


@bp.route("/<int:vote_id>/desk/paper", methods=["POST"])
def desk_enter_paper(slug: str, vote_id: int):
    """Enter one paper ballot (书面表决票); it counts once a second staff member enters the same choices."""
    compound, vote = _desk(slug, vote_id)
    form, ballot = PaperForm(prefix="paper"), ballot_form.form_for(vote)
    status = 400
    if form.validate_on_submit() & ballot.validate():  # both, so that every field shows its error
        try:
            ref = proxies.lookup(vote, form.right.data)
            if ref.right is None:
                raise Refused("paper_not_open")
            entry = paper.enter(vote, ref.right, ballot.choices(), current_user)
        except Refused as error:
            if error.code == "paper_conflict":  # the conflict is recorded: keep it (a 303 commits, an error rolls back)
                _say("conflicts", error.sentence, "error")
                return _paper_back(compound, vote, "conflicts")
            if error.code in BALLOT_CODES:
                ballot.form_errors.append(error.sentence)
            else:
                form.right.errors = [error.sentence]
                status = 400 if error.code in proxies.LOOKUP_CODES else 409
        else:
            _say(
                "paper",
                paper_done_text(entry.state, ref.label),
                "mismatch" if entry.state == paper.MISMATCH else "info",
            )
            return _paper_back(compound, vote)
    return _desk_page(compound, vote, status=status, partial=PAPER_PARTIAL, paper_form=form, ballot=ballot)


@bp.route("/<int:vote_id>/desk/paper/<int:entry_id>/void", methods=["POST"])
def desk_void_paper(slug: str, vote_id: int, entry_id: int):
    """A supervisor voids a pending entry or a flagged mismatch, so that the ballot can be entered again."""
    compound, vote = _desk(slug, vote_id)
    entry = _found(paper.get(vote, entry_id))
    if vote.secrecy == Secrecy.secret:  # a sheet's entries: back to the sheet step, which names no room
        _flash_outcome(
            "sheets",
            lambda: paper.void(vote, entry, current_user),
            _("Voided. The sheet can be entered again by two staff members."),
        )
        return redirect(url_for("voting.desk_sheets", slug=slug, vote_id=vote.id, _anchor="sheets-note"), 303)
    _flash_outcome(
        "paper",
        lambda: paper.void(vote, entry, current_user),
        _("Voided. The paper ballot can be entered again by two staff members."),
    )
    return _paper_back(compound, vote)


@bp.route("/<int:vote_id>/desk/cap", methods=["POST"])
def desk_set_cap(slug: str, vote_id: int):
    """Set how many owners one proxy may represent in one vote (the compound's setting)."""
    compound, vote = _desk(slug, vote_id)
    form = CapForm()
    if not form.validate_on_submit():
        return _desk_page(compound, vote, status=400, cap_form=form)
    proxies.set_cap(compound, form.max_proxies_per_person.data, current_user)
    _say("cap", _("Saved."))
    return _back(slug, vote.id, "cap")


@bp.app_template_global()
def proxy_holding_my_right(vote):
    """For the owner's vote page: the active authorisation under which a proxy votes for the signed-in person."""
    return proxies.held_for(vote, current_user)


def paper_done_text(state: str, rooms: str) -> str:
    """What happened to a paper entry."""
    if state == paper.COUNTED:
        return _("The two entries match: the paper ballot of %(rooms)s is counted.", rooms=rooms)
    if state == paper.MISMATCH:
        return _(
            "The two entries for %(rooms)s differ. Nothing was counted; a supervisor must check them.", rooms=rooms
        )
    return _("Entry saved for %(rooms)s. It counts when a second staff member enters the same choices.", rooms=rooms)
