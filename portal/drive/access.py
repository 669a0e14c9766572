"""Who drives the turnout where: committee and staff everywhere in the compound, a captain in their scope only.

Everything here answers for one person; the pages turn a "no" into 404, since a captain's list of doors is nothing
an owner (or a captain of another building) should learn exists."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from portal import permissions
from portal.compounds.models import Building, Compound, Unit
from portal.drive.models import Captain
from portal.extensions import db
from portal.voting import access as voting_access
from portal.voting.models import Vote, VoteStatus


def can_assign_captains(person, compound: Compound) -> bool:
    """Committee and staff (whoever manages votes) name the captains: the committee knows its neighbours, staff
    supervise."""
    return permissions.may(person, "manage_votes", compound)


def captaincies(person, compound: Compound) -> list[Captain]:
    """The person's captaincies in this compound (none for a visitor)."""
    person = permissions.signed_in(person)
    if person is None:
        return []
    cache = g.setdefault("_captain_cache", {})
    key = (person.id, compound.id)
    if key not in cache:
        cache[key] = list(
            db.session.scalars(
                sa.select(Captain).where(Captain.person_id == person.id, Captain.compound_id == compound.id)
            )
        )
    return cache[key]


def forget() -> None:
    """Drop the request's cached captaincies (after a change in the same request)."""
    g.pop("_captain_cache", None)


def is_captain(person, compound: Compound) -> bool:
    """Captain of at least one building or entrance of the compound."""
    return bool(captaincies(person, compound))


@dataclass(frozen=True)
class Scope:
    """The doors a person may see in one building: every entrance (`entrances` None) or only these entrance ids."""

    entrances: frozenset[int] | None

    def holds(self, unit: Unit) -> bool:
        """The unit is in this scope (the caller checked its building)."""
        return self.entrances is None or unit.entrance_id in self.entrances


def scope_in(person, vote: Vote, building: Building) -> Scope | None:
    """What this person may see of `building` in `vote`: all of it for committee and staff (any vote with a frozen
    electorate), their building or entrances for a captain (only while the vote is open); None: nothing."""
    if building.compound_id != vote.compound_id or vote.electorate_heads is None:
        return None
    if voting_access.can_drive_turnout(person, vote):
        return Scope(None)
    if vote.status != VoteStatus.open:
        return None
    mine = [c for c in captaincies(person, vote.compound) if c.building_id == building.id]
    if not mine:
        return None
    if any(c.entrance_id is None for c in mine):
        return Scope(None)
    return Scope(frozenset(c.entrance_id for c in mine))


def can_visit(person, vote: Vote, unit: Unit) -> bool:
    """May record a visit to this unit in this vote (whether the vote still takes visits is the service's rule)."""
    if unit.compound_id != vote.compound_id:
        return False
    scope = scope_in(person, vote, unit.building)
    return scope is not None and scope.holds(unit)


def can_export(person, vote: Vote) -> bool:
    """The non-voter list as a file is for committee and staff (can_drive_turnout), not for captains: a captain has
    the page for their doors, and a file travels further than a page."""
    return vote.electorate_heads is not None and voting_access.can_drive_turnout(person, vote)
