"""委托投票: staff record who votes for an owner, on a written authorisation (委托书), within the compound's cap.

An authorisation names the owner (the voting right's designated voter) and the proxy (any person with an account),
for one vote. It can be recorded from the announcement until the vote closes and revoked until the right is used.
The proxy then votes from their own login (`access.proxy_rights`), and the ballot is marked as cast by proxy.
Services flush, never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from portal import audit
from portal.accounts.models import Person
from portal.accounts.services import find_login
from portal.compounds.models import Compound
from portal.db import utcnow
from portal.extensions import db
from portal.inputs import db_int
from portal.refusals import Refused
from portal.voting import electorate
from portal.voting.models import Participation, ProxyAuthorisation, Vote, VoteStatus, VotingRight, VotingRightUnit

MAX_CAP = 10  # the highest cap the setting accepts


@dataclass(frozen=True)
class RightRef:
    """One line of the electorate as staff pick it: the roll number, rooms and area, and the frozen right if open."""

    person_id: int
    ordinal: int
    label: str
    area: Decimal
    right: VotingRight | None = None
    rooms: tuple[str, ...] = ()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "").casefold()


def _ref(right: VotingRight) -> RightRef:
    return RightRef(
        right.person_id, right.ordinal, right.label, right.area_m2, right, tuple(u.label for u in right.units)
    )


def electorate_refs(vote: Vote) -> list[RightRef]:
    """The electorate in roll order: the frozen rights once the vote is open, else as it would be frozen now."""
    if vote.electorate_heads is not None:
        rights = db.session.scalars(
            db.select(VotingRight)
            .where(VotingRight.vote_id == vote.id)
            .options(db.selectinload(VotingRight.units))
            .order_by(VotingRight.ordinal)
        )
        return [_ref(r) for r in rights]
    drafts = electorate.drafts_for(vote)
    return [
        RightRef(d.person_id, n, d.label, d.area, None, tuple(label for _id, label, _area in d.units))
        for n, d in enumerate(drafts, start=1)
    ]


def find_ref(refs: list[RightRef], text: str) -> RightRef:
    """A voting right by its number on the roll (digits) or a room ("1栋 1单元 101", spaces optional).

    A room given without its building may match several rights: that is refused as ambiguous, never guessed.
    """
    wanted = _squash(text)
    if not wanted:
        raise Refused("right_required")
    if wanted.isascii() and wanted.isdigit():
        for ref in refs:
            if ref.ordinal == int(wanted):
                return ref
        raise Refused("right_not_found")
    exact = [ref for ref in refs if any(_squash(room) == wanted for room in ref.rooms)]
    found = exact or [ref for ref in refs if any(_squash(room).endswith(wanted) for room in ref.rooms)]
    if len(found) == 1:
        return found[0]
    raise Refused("right_ambiguous" if found else "right_not_found")


LOOKUP_CODES = frozenset({"right_required", "right_not_found", "right_ambiguous"})  # what a typed right refuses


def lookup(vote: Vote, text: str) -> RightRef:
    """`find_ref` over the vote's electorate; once frozen, asked of the database (a roll may have 20,000 lines)."""
    if vote.electorate_heads is None:
        return find_ref(electorate_refs(vote), text)
    wanted = _squash(text)
    if not wanted:
        raise Refused("right_required")
    query = db.select(VotingRight).where(VotingRight.vote_id == vote.id).options(db.selectinload(VotingRight.units))
    if wanted.isascii() and wanted.isdigit():
        ordinal = db_int(wanted)  # a number past INTEGER is on no roll (and would overflow the query)
        right = db.session.scalar(query.where(VotingRight.ordinal == ordinal)) if ordinal is not None else None
        if right is None:
            raise Refused("right_not_found")
        return _ref(right)
    room = db.func.lower(db.func.replace(VotingRightUnit.label, " ", ""))
    found: list[VotingRight] = []
    for condition in (room == wanted, room.endswith(wanted, autoescape=True)):
        matching = (
            db.select(VotingRightUnit.right_id)
            .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
            .where(VotingRight.vote_id == vote.id, condition)
        )
        found = list(db.session.scalars(query.where(VotingRight.id.in_(matching)).limit(2)))
        if found:
            break
    if len(found) == 1:
        return _ref(found[0])
    raise Refused("right_ambiguous" if found else "right_not_found")


def find_proxy(identifier: str) -> Person:
    """The proxy by account number or phone (spaces, dashes and +86 tolerated); disabled accounts are refused."""
    typed = (identifier or "").strip()
    phone = re.sub(r"[\s-]", "", typed).removeprefix("+86")
    person = (find_login(typed) if typed else None) or (find_login(phone) if phone else None)
    if person is None or not person.is_active_account:
        raise Refused("proxy_not_found")
    return person


def may_record(vote: Vote) -> bool:
    """Proxies are recorded (and revoked) from the announcement until the vote closes."""
    if vote.status == VoteStatus.announced:
        return True
    return vote.status == VoteStatus.open and utcnow() < vote.closes_at


def _lock_vote(vote: Vote) -> None:
    """Serialise proxy changes within one vote (PostgreSQL row lock) so that two desks cannot both pass the cap."""
    db.session.execute(db.select(Vote.id).where(Vote.id == vote.id).with_for_update())


def active_count(vote: Vote, proxy: Person) -> int:
    """How many owners this person holds an active (not revoked) authorisation for in this vote."""
    return db.session.scalar(
        db.select(db.func.count(ProxyAuthorisation.id)).where(
            ProxyAuthorisation.vote_id == vote.id,
            ProxyAuthorisation.proxy_id == proxy.id,
            ProxyAuthorisation.revoked_at.is_(None),
        )
    )


def _participation(vote: Vote, person_id: int) -> Participation | None:
    """The use of this owner's frozen right, if the vote is open and it has been used."""
    return db.session.scalar(
        db.select(Participation)
        .join(VotingRight, VotingRight.id == Participation.right_id)
        .where(Participation.vote_id == vote.id, VotingRight.person_id == person_id)
    )


def _authorisation_of(vote: Vote, owner: RightRef) -> ProxyAuthorisation | None:
    """The owner's authorisation row in this vote (active or revoked: one row per owner and vote)."""
    return db.session.scalar(
        db.select(ProxyAuthorisation).where(
            ProxyAuthorisation.vote_id == vote.id, ProxyAuthorisation.owner_id == owner.person_id
        )
    )


def problems(vote: Vote, owner: RightRef, proxy: Person) -> list[Refused]:
    """Every reason this owner and proxy cannot be recorded now, all at once (the desk shows them together);
    `authorise` asks again under the vote's lock and refuses the first."""
    found: list[Refused] = []
    if not may_record(vote):
        found.append(Refused("not_now"))
    if proxy.id == owner.person_id:
        found.append(Refused("proxy_self"))
    if _participation(vote, owner.person_id) is not None:
        found.append(Refused("used"))
    existing = _authorisation_of(vote, owner)
    if existing is not None and existing.revoked_at is None:
        found.append(Refused("owner_has_proxy"))
    if active_count(vote, proxy) >= vote.compound.max_proxies_per_person:
        found.append(Refused("cap", cap=vote.compound.max_proxies_per_person))
    return found


def authorise(vote: Vote, owner: RightRef, proxy: Person, reference: str, actor) -> ProxyAuthorisation:
    """Record that `proxy` votes for the owner of this right in this vote, on the written authorisation `reference`."""
    if not may_record(vote):
        raise Refused("not_now")
    reference = (reference or "").strip()
    if not reference:
        raise Refused("reference_required")
    if proxy.id == owner.person_id:
        raise Refused("proxy_self")
    _lock_vote(vote)
    found = problems(vote, owner, proxy)
    if found:
        raise found[0]
    existing = _authorisation_of(vote, owner)
    if existing is None:
        existing = ProxyAuthorisation(vote_id=vote.id, owner_id=owner.person_id)
        db.session.add(existing)
    # A revoked authorisation is replaced in place (one row per owner and vote); the audit trail keeps the old one.
    existing.proxy_id = proxy.id
    existing.reference = reference
    existing.recorded_by_id = getattr(actor, "id", None)
    existing.recorded_at = utcnow()
    existing.revoked_at = None
    _recorded("vote.proxy_recorded", actor, vote, existing, reference=reference)
    return existing


def _recorded(event: str, actor, vote: Vote, authorisation: ProxyAuthorisation, **details) -> None:
    """Write the change to an authorisation, and its one audit line."""
    db.session.flush()
    audit.record(
        event,
        actor,
        vote.compound,
        vote_id=vote.id,
        authorisation_id=authorisation.id,
        owner_id=authorisation.owner_id,
        proxy_id=authorisation.proxy_id,
        **details,
    )


def get(vote: Vote, authorisation_id: int) -> ProxyAuthorisation | None:
    """An authorisation of this vote."""
    row = db.session.get(ProxyAuthorisation, authorisation_id)
    return row if row is not None and row.vote_id == vote.id else None


def revoke(vote: Vote, authorisation: ProxyAuthorisation, actor) -> None:
    """Withdraw an authorisation before the owner's right has been used."""
    if authorisation.revoked_at is not None:
        raise Refused("revoked")
    if not may_record(vote):
        raise Refused("not_now")
    _lock_vote(vote)
    if _participation(vote, authorisation.owner_id) is not None:
        raise Refused("used")
    authorisation.revoked_at = utcnow()
    _recorded("vote.proxy_revoked", actor, vote, authorisation)


def held_for(vote: Vote, person) -> ProxyAuthorisation | None:
    """The active authorisation under which someone else votes for this person (shown on the owner's vote page)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return db.session.scalar(
        db.select(ProxyAuthorisation).where(
            ProxyAuthorisation.vote_id == vote.id,
            ProxyAuthorisation.owner_id == person.id,
            ProxyAuthorisation.revoked_at.is_(None),
        )
    )


@dataclass(frozen=True)
class ProxyRow:
    """One authorisation as the desk lists it."""

    authorisation: ProxyAuthorisation
    ref: RightRef | None  # None: the owner holds no voting right in this vote (any more)
    used: Participation | None
    recorded_by: Person | None = None

    @property
    def state(self) -> str:
        """revoked, used (by the proxy), used_otherwise (the right was used another way), or active."""
        if self.authorisation.revoked_at is not None:
            return "revoked"
        if self.used is not None:
            return "used" if self.used.proxy_id == self.authorisation.proxy_id else "used_otherwise"
        return "active"


def _refs_of(vote: Vote, person_ids: set[int]) -> dict[int, RightRef]:
    """The electorate lines of these people (only their frozen rights are read once the vote is open)."""
    if vote.electorate_heads is None:
        return {ref.person_id: ref for ref in electorate_refs(vote) if ref.person_id in person_ids}
    rights = db.session.scalars(
        db.select(VotingRight)
        .where(VotingRight.vote_id == vote.id, VotingRight.person_id.in_(person_ids))
        .options(db.selectinload(VotingRight.units))
    )
    return {right.person_id: _ref(right) for right in rights}


def rows(vote: Vote) -> list[ProxyRow]:
    """Every authorisation of the vote, in roll order, for the desk."""
    authorisations = list(
        db.session.scalars(
            db.select(ProxyAuthorisation)
            .where(ProxyAuthorisation.vote_id == vote.id)
            .options(db.joinedload(ProxyAuthorisation.owner), db.joinedload(ProxyAuthorisation.proxy))
        )
    )
    if not authorisations:
        return []
    by_person = _refs_of(vote, {auth.owner_id for auth in authorisations})
    right_ids = [ref.right.id for ref in by_person.values() if ref.right is not None]
    used = {
        p.right_id: p
        for p in db.session.scalars(
            db.select(Participation).where(Participation.vote_id == vote.id, Participation.right_id.in_(right_ids))
        )
    }
    recorders = {auth.recorded_by_id for auth in authorisations} - {None}
    people = (
        {p.id: p for p in db.session.scalars(db.select(Person).where(Person.id.in_(recorders)))} if recorders else {}
    )
    result = []
    for auth in authorisations:
        ref = by_person.get(auth.owner_id)
        participation = used.get(ref.right.id) if ref is not None and ref.right is not None else None
        result.append(ProxyRow(auth, ref, participation, people.get(auth.recorded_by_id)))
    return sorted(result, key=lambda r: (r.ref is None, r.ref.ordinal if r.ref else 0, r.authorisation.id))


def set_cap(compound: Compound, cap: int, actor) -> None:
    """Change how many owners one proxy may represent in one vote (existing authorisations stay)."""
    if not 1 <= cap <= MAX_CAP:
        raise Refused("cap_range", most=MAX_CAP)
    before = compound.max_proxies_per_person
    compound.max_proxies_per_person = cap
    db.session.flush()
    audit.record("compound.proxy_cap_set", actor, compound, before=before, after=cap)
