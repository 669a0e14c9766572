"""Committee election nominations (候选人提名) while the election is a draft; services flush, never commit.

Who may stand: any owner of the compound (a co-owner who is not the unit's designated voter too), never the
developer; standing is not voting, and nothing in Art. 278 or the 2009 rules limits candidates to one owner per unit.
Nominating another owner by room names that room's designated voter (a room alone cannot say which co-owner is
meant; other co-owners stand by themselves or are named by staff). Three ways to come forward: 自荐 (self-nomination,
consent given by standing), 联名推荐 (another owner nominates by room; the nominee consents or declines on their
own page) and 社区推荐 (staff record the nomination and the nominee's agreement). Staff then check eligibility
(fees paid, no relative employed by the property company...). The published list holds the candidates who
consented and were found eligible (`Candidate.on_ballot`), in order of nomination. Nothing changes once the
election is announced.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import Person
from portal.compounds.models import Building, Compound, Unit
from portal.compounds.services import natural_key
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.register.models import Ownership
from portal.voting.lifecycle import editable
from portal.voting.models import Candidate, CandidateStatus, Nomination, NominationState, Vote, VoteKind

STATEMENT_MAX = 2000  # characters of a candidate's statement (竞选陈述)
NOTE_MAX = 2000


# --- who may stand -------------------------------------------------------------------------------------------


def _standing_query(compound: Compound):
    """Owners of the compound's units (co-owners included) who are not the developer: the owners who may stand."""
    return (
        db.select(Ownership.person_id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .join(Person, Person.id == Ownership.person_id)
        .where(Unit.compound_id == compound.id, Person.is_developer.is_(False))
    )


def may_stand(compound: Compound, person) -> bool:
    """Any owner of a unit in this compound (not the developer) may stand and nominate."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return db.session.scalar(_standing_query(compound).where(Ownership.person_id == person.id).limit(1)) is not None


def standing_ids(compound: Compound) -> set[int]:
    """Ids of everyone who may stand in this compound now."""
    return set(db.session.scalars(_standing_query(compound).distinct()))


@dataclass(frozen=True)
class Room:
    """A unit whose designated voter may stand: its label and that owner."""

    label: str
    person_id: int
    name: str


def _normal(label: str) -> str:
    """A room label compared without spaces and case: "1栋1单元101" finds "1栋 1单元 101"."""
    return "".join(label.split()).casefold()


def rooms(compound: Compound, designated_only: bool = True) -> list[Room]:
    """The rooms an owner may be nominated by (its designated voter), or with `designated_only=False` every owner's
    rooms; in roll order (names are for staff pages only)."""
    query = (
        db.select(Unit, Person.id, Person.name)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .join(Person, Person.id == Ownership.person_id)
        .where(Unit.compound_id == compound.id, Person.is_developer.is_(False))
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance))
    )
    if designated_only:
        query = query.where(Ownership.is_designated_voter.is_(True))
    rows = db.session.execute(query).all()
    ordered = sorted(rows, key=lambda row: natural_key(row[0].unit_key))
    return [Room(unit.label, person_id, name) for unit, person_id, name in ordered]


def owner_by_room(compound: Compound, room: str) -> Person:
    """The owner who would stand for this room (its designated voter); unknown_room or not_eligible otherwise."""
    wanted = _normal(room or "")
    if not wanted:
        raise Refused("unknown_room")
    units = db.session.scalars(
        db.select(Unit)
        .where(Unit.compound_id == compound.id)
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance))
    ).all()
    unit = next((u for u in units if _normal(u.label) == wanted), None)
    if unit is None:
        raise Refused("unknown_room")
    voter = next((o.person for o in unit.ownerships if o.is_designated_voter), None)
    if voter is None or voter.is_developer:
        raise Refused("not_eligible")
    return voter


def rooms_of(compound: Compound, person_ids: set[int]) -> dict[int, str]:
    """The rooms each person owns (as on the roll, without names), e.g. "1栋 1单元 101; 1栋 1单元 102"."""
    found: dict[int, list[str]] = {}
    for room in rooms(compound, designated_only=False):
        if room.person_id in person_ids:
            found.setdefault(room.person_id, []).append(room.label)
    return {pid: "; ".join(labels) for pid, labels in found.items()}


def buildings_of(vote: Vote) -> dict[str, list[str]]:
    """The buildings (楼栋) each candidate on the ballot owns a unit in, by candidate key, in natural order.

    Only the building, never the room or the area: the ballot goes to every owner, who needs to know which neighbour
    a name is, not their door or how many flats they own (the roll shows rooms without names, never both together).
    """
    on_ballot = {c.person_id: c.key for c in vote.candidates if c.on_ballot}
    if not on_ballot:
        return {}
    rows = db.session.execute(
        db.select(Ownership.person_id, Building.name)
        .join(Unit, Unit.id == Ownership.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Unit.compound_id == vote.compound_id, Ownership.person_id.in_(on_ballot))
        .distinct()
    ).all()
    found: dict[str, list[str]] = {}
    for person_id, building in rows:
        found.setdefault(on_ballot[person_id], []).append(building)
    return {key: sorted(names, key=natural_key) for key, names in found.items()}


# --- reading -------------------------------------------------------------------------------------------------


def get(vote: Vote, candidate_id: int) -> Candidate | None:
    """The nomination if it belongs to this vote."""
    candidate = db.session.get(Candidate, candidate_id)
    return candidate if candidate is not None and candidate.vote_id == vote.id else None


def mine(vote: Vote, person) -> Candidate | None:
    """This person's own nomination in the vote (in any state)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return next((c for c in vote.candidates if c.person_id == person.id), None)


def pending_nomination(vote: Vote, person) -> Candidate | None:
    """A nomination by others that waits for this person's answer (only while the election is a draft)."""
    if vote.kind != VoteKind.election or not editable(vote):
        return None
    candidate = mine(vote, person)
    if candidate is None or candidate.consented_at is not None or candidate.status == CandidateStatus.withdrawn:
        return None
    return candidate


def published(vote: Vote) -> list[Candidate]:
    """The published candidate list: consented and found eligible, in order of nomination."""
    return [c for c in vote.candidates if c.on_ballot]


def nominated_by(vote: Vote, person) -> list[Candidate]:
    """The nominations this person made for others (shown to them by room, never by name before consent)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return []
    return [c for c in vote.candidates if c.nomination == Nomination.others and c.nominated_by_id == person.id]


def checker_names(vote: Vote) -> dict[int, str]:
    """Names of the staff who checked this vote's nominations (for the staff list)."""
    ids = {c.checked_by_id for c in vote.candidates if c.checked_by_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(db.select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {person_id: name for person_id, name in rows}


def state(candidate: Candidate) -> NominationState:
    """Where a nomination stands: declined, withdrawn, awaiting_consent, awaiting_check, on_list, ineligible."""
    if candidate.status == CandidateStatus.withdrawn:
        return NominationState.declined if candidate.consented_at is None else NominationState.withdrawn
    if candidate.consented_at is None:
        return NominationState.awaiting_consent
    if candidate.status == CandidateStatus.pending:
        return NominationState.awaiting_check
    return NominationState.on_list if candidate.status == CandidateStatus.eligible else NominationState.ineligible


# --- changing ------------------------------------------------------------------------------------------------


def _check_open(vote: Vote) -> None:
    """Nominations exist only in an election's draft (the nomination phase)."""
    if vote.kind != VoteKind.election:
        raise Refused("not_election")
    if not editable(vote):
        raise Refused("nominations_closed")


def _statement(text: str | None, required: bool = False) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > STATEMENT_MAX:
        raise Refused("too_long", limit=STATEMENT_MAX)
    if required and not cleaned:
        raise Refused("statement_required")
    return cleaned


def _renumber(vote: Vote) -> None:
    """Published order = order of nomination (a renewed nomination counts from its new time)."""
    db.session.flush()
    ordered = sorted(vote.candidates, key=lambda c: (c.nominated_at, c.id))
    for position, candidate in enumerate(ordered, start=1):
        candidate.position = position
    db.session.flush()
    db.session.expire(vote, ["candidates"])  # reload in the new order


def _reopen(candidate: Candidate, nomination: Nomination, nominator, consented: bool, statement: str) -> None:
    """A withdrawn or declined nomination comes forward again: a fresh nomination, checked afresh."""
    now = utcnow()
    candidate.nomination = nomination
    candidate.nominated_by_id = nominator.id
    candidate.nominated_at = now
    candidate.consented_at = now if consented else None
    candidate.status = CandidateStatus.pending
    candidate.checked_by_id = candidate.checked_at = candidate.check_note = None
    candidate.statement = statement


def _add(vote: Vote, person: Person, nomination: Nomination, nominator, consented: bool, statement: str) -> Candidate:
    """Insert a nomination; a concurrent one for the same person loses to the unique constraint."""
    now = utcnow()
    candidate = Candidate(
        vote_id=vote.id,
        person_id=person.id,
        position=len(vote.candidates) + 1,
        statement=statement,
        nomination=nomination,
        nominated_by_id=nominator.id,
        nominated_at=now,
        consented_at=now if consented else None,
        status=CandidateStatus.pending,
    )
    try:
        with db.session.begin_nested():
            vote.candidates.append(candidate)
            db.session.flush()
    except IntegrityError:
        db.session.expire(vote, ["candidates"])
        raise Refused("already") from None
    return candidate


def _put_forward(vote: Vote, nominee: Person, nomination: Nomination, nominator, text: str) -> Candidate:
    """A nomination the nominee has agreed to: new, or a withdrawn one taken up again ("already" while one stands)."""
    candidate = mine(vote, nominee)
    if candidate is None:
        return _add(vote, nominee, nomination, nominator, True, text)
    if candidate.status != CandidateStatus.withdrawn:
        raise Refused("already")
    _reopen(candidate, nomination, nominator, True, text)
    return candidate


def self_nominate(vote: Vote, person, statement: str) -> Candidate:
    """自荐: an owner stands with a statement; standing is consent."""
    _check_open(vote)
    text = _statement(statement, required=True)
    if not may_stand(vote.compound, person):
        raise Refused("not_eligible")
    candidate = _put_forward(vote, person, Nomination.self_nominated, person, text)
    _renumber(vote)
    _recorded("candidate.self_nominated", person, candidate)
    return candidate


def nominate(vote: Vote, nominator, room: str) -> Candidate:
    """联名推荐: an owner nominates the owner of a room; the nominee appears only once they consent."""
    _check_open(vote)
    if not may_stand(vote.compound, nominator):
        raise Refused("not_owner")
    nominee = owner_by_room(vote.compound, room)
    if nominee.id == nominator.id:
        raise Refused("nominate_self")
    if mine(vote, nominee) is not None:  # standing, waiting, or declined: a refusal is not asked again
        raise Refused("already")
    candidate = _add(vote, nominee, Nomination.others, nominator, False, "")
    _renumber(vote)
    _recorded("candidate.nominated", nominator, candidate, nominee=nominee.id)
    return candidate


def staff_nominate(vote: Vote, actor, room: str, statement: str = "") -> Candidate:
    """社区推荐: staff nominate the owner of a room, recording that the nominee agreed."""
    _check_open(vote)
    text = _statement(statement)
    nominee = owner_by_room(vote.compound, room)
    candidate = _put_forward(vote, nominee, Nomination.staff, actor, text)
    _renumber(vote)
    _recorded("candidate.staff_nominated", actor, candidate, nominee=nominee.id)
    return candidate


def _own(candidate: Candidate, person, consented: bool) -> None:
    """The person's own nomination, while the election is a draft: one they have accepted (`consented`), or one
    still waiting for their answer; "state" otherwise (withdrawn or declined, or the other of the two)."""
    _check_open(candidate.vote)
    if person is None or candidate.person_id != getattr(person, "id", None):
        raise Refused("not_yours")
    if (candidate.consented_at is not None) != consented or candidate.status == CandidateStatus.withdrawn:
        raise Refused("state")


def _recorded(event: str, person, candidate: Candidate, **details) -> None:
    """Write the change, and its one audit line."""
    db.session.flush()
    vote = candidate.vote
    audit.record(event, person, vote.compound, vote_id=vote.id, candidate_id=candidate.id, **details)


def consent(candidate: Candidate, person, statement: str | None = None) -> None:
    """The nominee accepts a nomination by others, optionally with a statement."""
    _own(candidate, person, consented=False)
    text = _statement(statement)
    candidate.consented_at = utcnow()
    if text:
        candidate.statement = text
    _recorded("candidate.consented", person, candidate)


def decline(candidate: Candidate, person) -> None:
    """The nominee refuses a nomination by others (it stays on record as declined)."""
    _own(candidate, person, consented=False)
    candidate.status = CandidateStatus.withdrawn
    _recorded("candidate.declined", person, candidate)


def withdraw(candidate: Candidate, person) -> None:
    """A candidate who consented withdraws while the election is a draft."""
    _own(candidate, person, consented=True)
    candidate.status = CandidateStatus.withdrawn
    _recorded("candidate.withdrawn", person, candidate)


def update_statement(candidate: Candidate, person, statement: str) -> None:
    """A candidate rewrites their statement while the election is a draft."""
    _own(candidate, person, consented=True)
    candidate.statement = _statement(statement, required=True)
    _recorded("candidate.statement_changed", person, candidate)


def check(candidate: Candidate, actor, eligible: bool, note: str = "") -> None:
    """Staff's eligibility check (资格审查): eligible, or ineligible with the reason."""
    _check_open(candidate.vote)
    if candidate.status == CandidateStatus.withdrawn:
        raise Refused("state")
    cleaned = (note or "").strip()
    if len(cleaned) > NOTE_MAX:
        raise Refused("too_long", limit=NOTE_MAX)
    if not eligible and not cleaned:
        raise Refused("reason")
    candidate.status = CandidateStatus.eligible if eligible else CandidateStatus.ineligible
    candidate.checked_by_id = actor.id
    candidate.checked_at = utcnow()
    candidate.check_note = cleaned or None
    _renumber(candidate.vote)
    _recorded("candidate.checked", actor, candidate, eligible=eligible, note=cleaned)
