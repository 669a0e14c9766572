"""Naming who votes for a co-owned unit (指定投票人). Flush, never commit; one audit line per change.

Co-owners of one unit count as one owner and designate one of them to vote (DOMAIN.md, Art. 278). Any co-owner
proposes one of them; every other co-owner confirms, each once; with the last confirmation the designation switches.
Another co-owner may decline it, its proposer withdraw it; a new proposal replaces an open one. Staff record the voter
from a paper form signed by every co-owner: effective at once.

A vote freezes its electorate when it opens (portal.voting.electorate.freeze): a change applies to votes opened
after it; in a vote already open the unit's right stays with whoever held it when the vote opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from portal import audit
from portal.accounts.models import Person
from portal.compounds.models import Compound, Unit
from portal.compounds.services import natural_key
from portal.coowners.models import ProposalState, VoterConfirmation, VoterProposal
from portal.db import utcnow
from portal.extensions import db
from portal.inbox import services as inbox
from portal.refusals import Refused
from portal.register.models import Ownership
from portal.voting.models import Vote, VoteKind, VotingRight, VotingRightUnit

REFERENCE_LIMIT = 60  # characters of a paper form's number


@dataclass
class UnitVoter:
    """A unit with its owners (register order), the one who votes for it, and the open proposal if any."""

    unit: Unit
    owners: list[Person]
    voter: Person | None
    open: VoterProposal | None = None  # as stored (it may name someone who no longer owns the unit)
    confirmed_ids: set[int] = field(default_factory=set)

    @property
    def shared(self) -> bool:
        """Co-owned: there is someone to name."""
        return len(self.owners) > 1

    @property
    def proposal(self) -> VoterProposal | None:
        """The open proposal, while its proposer and nominee still own the unit (the register may have changed)."""
        ids = {o.id for o in self.owners}
        if self.open is not None and {self.open.proposer_id, self.open.nominee_id} <= ids:
            return self.open
        return None

    def owns(self, person) -> bool:
        """The person is one of the unit's owners."""
        return person is not None and any(o.id == getattr(person, "id", None) for o in self.owners)

    def must_confirm(self) -> list[Person]:
        """Every owner but the proposer (the nominee too: nobody is named without saying yes)."""
        proposal = self.proposal
        return [o for o in self.owners if proposal is not None and o.id != proposal.proposer_id]

    def waiting_for(self) -> list[Person]:
        """The owners who have not confirmed the open proposal yet."""
        return [o for o in self.must_confirm() if o.id not in self.confirmed_ids]

    def asks(self, person) -> bool:
        """The open proposal waits for this person's answer."""
        return any(o.id == getattr(person, "id", None) for o in self.waiting_for())

    def proposed_by(self, person) -> bool:
        """This person made the open proposal."""
        return self.proposal is not None and self.proposal.proposer_id == getattr(person, "id", None)


def find_unit(compound: Compound, unit_id: int) -> Unit | None:
    """The unit, if it belongs to this compound."""
    return db.session.scalar(db.select(Unit).where(Unit.id == unit_id, Unit.compound_id == compound.id))


def unit_voter(unit: Unit) -> UnitVoter:
    """The unit's owners, voter and open proposal, read afresh."""
    return _states([unit])[0]


def _states(units: list[Unit]) -> list[UnitVoter]:
    """Each unit's owners, voter and open proposal, in three queries whatever the number of units (a developer owns
    hundreds)."""
    ids = [unit.id for unit in units]
    if not ids:
        return []
    owners: dict[int, list[tuple[Ownership, Person]]] = {uid: [] for uid in ids}
    for own, person in db.session.execute(
        db.select(Ownership, Person)
        .join(Person, Person.id == Ownership.person_id)
        .where(Ownership.unit_id.in_(ids))
        .order_by(Ownership.id)
        .execution_options(populate_existing=True)
    ).all():
        owners[own.unit_id].append((own, person))
    proposals = {
        p.unit_id: p
        for p in db.session.scalars(
            db.select(VoterProposal)
            .where(VoterProposal.unit_id.in_(ids), VoterProposal.state == ProposalState.open)
            .options(db.joinedload(VoterProposal.proposer), db.joinedload(VoterProposal.nominee))
            .execution_options(populate_existing=True)
        )
    }
    confirmed: dict[int, set[int]] = {}
    if proposals:
        for proposal_id, person_id in db.session.execute(
            db.select(VoterConfirmation.proposal_id, VoterConfirmation.person_id).where(
                VoterConfirmation.proposal_id.in_([p.id for p in proposals.values()])
            )
        ):
            confirmed.setdefault(proposal_id, set()).add(person_id)
    result = []
    for unit in units:
        rows = owners[unit.id]
        proposal = proposals.get(unit.id)
        result.append(
            UnitVoter(
                unit,
                [person for _own, person in rows],
                next((person for own, person in rows if own.is_designated_voter), None),
                proposal,
                confirmed.get(proposal.id, set()) if proposal else set(),
            )
        )
    return result


def units_of(person, compound: Compound | None = None) -> list[UnitVoter]:
    """The person's units (in one compound, or all), each with who votes for it, in compound and room order."""
    if person is None or not getattr(person, "is_authenticated", False):
        return []
    query = (
        db.select(Unit)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .where(Ownership.person_id == person.id)
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance), db.joinedload(Unit.compound))
    )
    if compound is not None:
        query = query.where(Unit.compound_id == compound.id)
    units = sorted(db.session.scalars(query).unique(), key=lambda u: (u.compound.name, natural_key(u.unit_key)))
    return _states(units)


def co_owned_units(compound: Compound, query: str = "") -> list[UnitVoter]:
    """The compound's units with more than one owner, in room order; `query` filters by room or owner's name."""
    shared = db.select(Ownership.unit_id).group_by(Ownership.unit_id).having(sa.func.count() > 1)
    units = db.session.scalars(
        db.select(Unit)
        .where(Unit.compound_id == compound.id, Unit.id.in_(shared))
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance))
    ).all()
    result = _states(sorted(units, key=lambda u: natural_key(u.unit_key)))
    text = query.strip().lower()
    if text:
        result = [u for u in result if text in u.unit.label.lower() or any(text in o.name.lower() for o in u.owners)]
    return result


@dataclass(frozen=True)
class VoteUnit:
    """One of the reader's units as a vote sees it: who holds its right there (`holder`: frozen when the vote opened,
    else the voter now) and the voter now."""

    state: UnitVoter
    holder: Person | None
    frozen: bool

    @property
    def changed_since(self) -> bool:
        """The unit's voter changed after the vote opened: the change applies to later votes."""
        voter = self.state.voter
        return self.frozen and voter is not None and self.holder is not None and voter.id != self.holder.id


def for_vote(vote: Vote, person) -> list[VoteUnit]:
    """The reader's units in the vote's compound with who votes for each in this vote (none for a poll, where every
    owner and resident has a say of their own)."""
    if vote.kind == VoteKind.poll:
        return []
    units = units_of(person, vote.compound)
    if not units:
        return []
    frozen = vote.electorate_heads is not None
    holders: dict[int, Person] = {}
    if frozen:
        rows = db.session.execute(
            db.select(VotingRightUnit.unit_id, Person)
            .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
            .join(Person, Person.id == VotingRight.person_id)
            .where(VotingRight.vote_id == vote.id, VotingRightUnit.unit_id.in_([u.unit.id for u in units]))
        ).all()
        holders = dict(rows)
    return [VoteUnit(u, holders.get(u.unit.id) if frozen else u.voter, frozen) for u in units]


def _locked(unit: Unit) -> UnitVoter:
    """The unit as it stands, with its row locked until the transaction ends (PostgreSQL): two confirmations at once
    cannot both see the other missing. SQLite writers already hold the database's write lock (portal/db.py)."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(sa.select(Unit.__table__.c.id).where(Unit.__table__.c.id == unit.id).with_for_update())
    return unit_voter(unit)


def _link(unit: Unit) -> str:
    return url_for("coowners.unit", slug=unit.compound.slug, unit_id=unit.id)


def _close(proposal: VoterProposal, state: ProposalState, actor) -> None:
    proposal.state = state
    proposal.closed_at = utcnow()
    proposal.closed_by_id = actor.id


def _open_proposal(state: UnitVoter, proposal_id: int | None) -> VoterProposal:
    """The open proposal the form was about; Refused("proposal_changed") if it is no longer the open one."""
    proposal = state.proposal
    if proposal is None or proposal.id != proposal_id:
        raise Refused("proposal_changed")
    return proposal


def _nominee(state: UnitVoter, nominee_id: int | None) -> Person:
    if not state.shared:
        raise Refused("single_owner")
    nominee = next((o for o in state.owners if o.id == nominee_id), None)
    if nominee is None:
        raise Refused("nominee")
    return nominee


def propose(unit: Unit, proposer: Person, nominee_id: int | None) -> VoterProposal:
    """A co-owner proposes who votes for the unit; an open proposal is replaced; the others are asked to confirm."""
    state = _locked(unit)
    if not state.owns(proposer):
        raise Refused("not_co_owner")
    nominee = _nominee(state, nominee_id)
    if state.voter is not None and state.voter.id == nominee.id:
        raise Refused("already_voter")
    replaced = state.open
    if replaced is not None:
        _close(replaced, ProposalState.replaced, proposer)
        db.session.flush()  # the old one closes before the new one opens (one open proposal per unit)
    proposal = VoterProposal(unit_id=unit.id, nominee_id=nominee.id, proposer_id=proposer.id)
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        "voter.proposed",
        proposer,
        unit.compound,
        unit_id=unit.id,
        proposal_id=proposal.id,
        nominee_id=nominee.id,
        replaced_id=replaced.id if replaced else None,
    )
    others = [o.id for o in state.owners if o.id != proposer.id]
    inbox.notify(others, "voter.proposed", unit.label, _link(unit), unit.compound)
    return proposal


def _answering(unit: Unit, person: Person, proposal_id: int | None):
    """The unit's state (locked) and the open proposal that `person`, a co-owner other than its proposer, answers."""
    state = _locked(unit)
    if not state.owns(person):
        raise Refused("not_co_owner")
    proposal = _open_proposal(state, proposal_id)
    if proposal.proposer_id == person.id:
        raise Refused("own_proposal")
    return state, proposal


def confirm(unit: Unit, person: Person, proposal_id: int | None) -> bool:
    """A co-owner confirms the open proposal (once); True when it was the last confirmation and the voter switched."""
    state, proposal = _answering(unit, person, proposal_id)
    if person.id in state.confirmed_ids:
        raise Refused("already_confirmed")
    db.session.add(VoterConfirmation(proposal_id=proposal.id, person_id=person.id))
    db.session.flush()
    state.confirmed_ids.add(person.id)
    audit.record("voter.confirmed", person, unit.compound, unit_id=unit.id, proposal_id=proposal.id)
    if state.waiting_for():
        return False
    _switch(state, proposal, person, "voter.designated")
    return True


def decline(unit: Unit, person: Person, proposal_id: int | None) -> None:
    """Another co-owner says no: the proposal ends and the voter stays who it was."""
    state, proposal = _answering(unit, person, proposal_id)
    _close(proposal, ProposalState.declined, person)
    audit.record("voter.declined", person, unit.compound, unit_id=unit.id, proposal_id=proposal.id)
    others = [o.id for o in state.owners if o.id != person.id]
    inbox.notify(others, "voter.declined", unit.label, _link(unit), unit.compound)


def withdraw(unit: Unit, person: Person, proposal_id: int | None) -> None:
    """Its proposer takes the proposal back."""
    state = _locked(unit)
    if not state.owns(person):
        raise Refused("not_co_owner")
    proposal = _open_proposal(state, proposal_id)
    if proposal.proposer_id != person.id:
        raise Refused("not_proposer")
    _close(proposal, ProposalState.withdrawn, person)
    audit.record("voter.withdrawn", person, unit.compound, unit_id=unit.id, proposal_id=proposal.id)
    inbox.notify([o.id for o in state.must_confirm()], "voter.withdrawn", unit.label, _link(unit), unit.compound)


def record_paper(unit: Unit, staff: Person, nominee_id: int | None, reference: str | None) -> VoterProposal:
    """Staff record the voter from the paper form every co-owner signed: effective at once (an open proposal is
    replaced); the co-owners are told."""
    state = _locked(unit)
    nominee = _nominee(state, nominee_id)
    reference = Refused.text(reference, REFERENCE_LIMIT, required=False) or None
    if state.voter is not None and state.voter.id == nominee.id:
        raise Refused("already_voter")
    replaced = state.open
    if replaced is not None:
        _close(replaced, ProposalState.replaced, staff)
        db.session.flush()
    record = VoterProposal(
        unit_id=unit.id, nominee_id=nominee.id, proposer_id=staff.id, on_paper=True, reference=reference
    )
    db.session.add(record)
    db.session.flush()
    _switch(state, record, staff, "voter.recorded", replaced_id=replaced.id if replaced else None, reference=reference)
    return record


def _switch(state: UnitVoter, proposal: VoterProposal, actor: Person, action: str, **detail) -> None:
    """The nominee becomes the unit's one designated voter; the proposal is done; everyone else is told."""
    previous = state.voter
    unit = state.unit
    for ownership in db.session.scalars(db.select(Ownership).where(Ownership.unit_id == unit.id)):
        ownership.is_designated_voter = ownership.person_id == proposal.nominee_id  # exactly one, always
    _close(proposal, ProposalState.done, actor)
    db.session.flush()
    audit.record(
        action,
        actor,
        unit.compound,
        unit_id=unit.id,
        proposal_id=proposal.id,
        voter_id=proposal.nominee_id,
        previous_voter_id=previous.id if previous else None,
        **detail,
    )
    others = [o.id for o in state.owners if o.id != actor.id]
    inbox.notify(others, action, unit.label, _link(unit), unit.compound)


def last_change(unit: Unit) -> VoterProposal | None:
    """The latest change of the unit's voter made here (by the co-owners or recorded by staff), for the page."""
    return db.session.scalar(
        db.select(VoterProposal)
        .where(VoterProposal.unit_id == unit.id, VoterProposal.state == ProposalState.done)
        .order_by(VoterProposal.id.desc())
        .limit(1)
    )
