"""Who may vote: the electorate computed from the register and frozen when a vote opens.

One voting right per person (DOMAIN.md, Art. 278): a buyer of several units is one head with the areas summed;
all of the developer's units are one head; co-owners are one head, used by their designated voter. Polls are
open to owners and residents alike, one head each, without area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Person
from portal.compounds.models import Compound, Unit
from portal.compounds.services import natural_key
from portal.extensions import db
from portal.register.models import Ownership
from portal.roles.models import Membership, Role
from portal.voting import scope
from portal.voting.models import Vote, VoteKind, VotingRight, VotingRightUnit


@dataclass
class RightDraft:
    """A voting right before it is frozen: the person and the units it votes for."""

    person_id: int
    is_developer: bool = False
    units: list[tuple[int, str, Decimal]] = field(default_factory=list)  # (unit id, label, area)

    @property
    def area(self) -> Decimal:
        """Summed exclusive floor area."""
        return sum((area for _id, _label, area in self.units), Decimal("0.00"))

    @property
    def label(self) -> str:
        """The rooms, in roll order."""
        return "; ".join(label for _id, label, _area in self.units)

    @property
    def sort_key(self) -> tuple:
        """Roll order: by the first room, numbers compared as numbers."""
        return natural_key(self.units[0][1]) if self.units else (str(self.person_id),)


def owner_rights(compound: Compound, in_scope=None) -> list[RightDraft]:
    """One right per designated voter, in roll order (the developer's block is one right: it is one person).

    `in_scope`: a condition on Unit (scope.unit_condition) keeping only the units of a vote's buildings or entrances;
    an owner with units inside and outside then counts once, with the area of the units inside."""
    query = (
        db.select(Ownership.person_id, Person.is_developer, Unit)
        .join(Unit, Unit.id == Ownership.unit_id)
        .join(Person, Person.id == Ownership.person_id)
        .where(Unit.compound_id == compound.id, Ownership.is_designated_voter.is_(True))
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance))
    )
    if in_scope is not None:
        query = query.where(in_scope)
    rows = db.session.execute(query).all()
    drafts: dict[int, RightDraft] = {}
    for person_id, is_developer, unit in sorted(rows, key=lambda r: natural_key(r[2].unit_key)):
        draft = drafts.setdefault(person_id, RightDraft(person_id, is_developer))
        draft.units.append((unit.id, unit.label, unit.area_m2))
    return sorted(drafts.values(), key=lambda d: d.sort_key)


def poll_rights(compound: Compound) -> list[RightDraft]:
    """Owners and residents, one head each; owners keep their rooms for the roll, area plays no part."""
    by_owner = {d.person_id: d for d in owner_rights(compound)}
    people = db.session.scalars(
        db.select(Membership.person_id)
        .where(Membership.compound_id == compound.id, Membership.role.in_([Role.owner, Role.resident]))
        .distinct()
    ).all()
    drafts = [by_owner.get(pid, RightDraft(pid)) for pid in people]
    return sorted(drafts, key=lambda d: (not d.units, d.sort_key))


def drafts_for(vote: Vote) -> list[RightDraft]:
    """The electorate the vote would freeze now (a resolution of some buildings: their owners alone)."""
    if vote.kind == VoteKind.poll:
        return poll_rights(vote.compound)
    return owner_rights(vote.compound, scope.unit_condition(vote))


def freeze(vote: Vote) -> tuple[int, Decimal]:
    """Write the vote's voting rights (called once, when it opens); returns the totals (heads, area).

    Bulk inserts: a compound of 20,000 units opens in one request without building an ORM object per unit.
    """
    drafts = drafts_for(vote)
    poll = vote.kind == VoteKind.poll
    rows = [
        {
            "vote_id": vote.id,
            "ordinal": ordinal,
            "person_id": draft.person_id,
            "area_m2": Decimal("0.00") if poll else draft.area,
            "label": draft.label,
            "is_developer": draft.is_developer,
        }
        for ordinal, draft in enumerate(drafts, start=1)
    ]
    if rows:
        ids = db.session.scalars(
            sa.insert(VotingRight).returning(VotingRight.id, sort_by_parameter_order=True), rows
        ).all()
        units = [
            {"right_id": right_id, "unit_id": uid, "label": label, "area_m2": area}
            for right_id, draft in zip(ids, drafts, strict=True)
            for uid, label, area in draft.units
        ]
        if units:
            db.session.execute(sa.insert(VotingRightUnit), units)
    heads = len(drafts)
    area = Decimal("0.00") if poll else sum((d.area for d in drafts), Decimal("0.00"))
    vote.electorate_heads, vote.electorate_area = heads, area
    return heads, area


def right_of(vote: Vote, person) -> VotingRight | None:
    """The person's own voting right in this vote, if any."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return db.session.scalar(
        db.select(VotingRight).where(VotingRight.vote_id == vote.id, VotingRight.person_id == person.id)
    )
