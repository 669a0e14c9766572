"""A vote's scope (表决范围): the whole compound, or chosen buildings and entrances whose owners decide it.

Building matters (更新电梯、加装电梯, a building's share of the maintenance fund) are decided by that building's owners,
counted by Art. 278 over them alone. The scope is chosen while the vote is a draft; the roll frozen at opening holds
only the rights of units in scope (electorate.py), and everything that counts follows from the roll. A form sends
the choice as tokens: "b<building id>" (the whole building) or "e<entrance id>" (one entrance).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.compounds.models import Building, Compound, Entrance, Unit
from portal.compounds.services import natural_key
from portal.extensions import db
from portal.refusals import Refused
from portal.register.models import Ownership
from portal.templating import comma
from portal.voting.models import Vote, VoteKind, VoteScope


@dataclass(frozen=True)
class Place:
    """One choice of the scope form: a whole building, or an entrance inside it."""

    token: str
    label: str  # "3栋" / "3栋1单元"
    building_id: int
    entrance_id: int | None


@dataclass(frozen=True)
class BuildingChoice:
    """A building of the compound with its entrances, as the form groups them."""

    building: Place
    entrances: tuple[Place, ...]


def choices(compound: Compound) -> list[BuildingChoice]:
    """Every building of the compound (natural order) with its entrances, as the form offers them."""
    buildings = db.session.scalars(
        db.select(Building).where(Building.compound_id == compound.id).options(db.selectinload(Building.entrances))
    ).all()
    joiner = "" if chinese() else " "
    found = []
    for building in sorted(buildings, key=lambda b: natural_key(b.name)):
        entrances = tuple(
            Place(f"e{e.id}", f"{building.name}{joiner}{e.name}", building.id, e.id)
            for e in sorted(building.entrances, key=lambda e: natural_key(e.name))
        )
        found.append(BuildingChoice(Place(f"b{building.id}", building.name, building.id, None), entrances))
    return found


def tokens(choices_: list[BuildingChoice]) -> list[str]:
    """Every token the form accepts."""
    return [t for c in choices_ for t in [c.building.token, *(e.token for e in c.entrances)]]


def chosen(vote: Vote) -> list[str]:
    """The vote's scope as the form's tokens."""
    return [f"e{row.entrance_id}" if row.entrance_id else f"b{row.building_id}" for row in vote.scope]


def _parse(compound: Compound, picked) -> tuple[set[int], set[int]]:
    """(whole buildings, entrances) of this compound from the tokens; an entrance of a whole building adds nothing.

    A token naming another compound's building or entrance, or no place at all, is refused."""
    offered = {t: p for c in choices(compound) for p in [c.building, *c.entrances] for t in [p.token]}
    buildings, entrances = set(), {}
    for token in picked or ():
        place = offered.get(token)
        if place is None:
            raise Refused("scope_unknown")
        if place.entrance_id is None:
            buildings.add(place.building_id)
        else:
            entrances[place.entrance_id] = place.building_id
    return buildings, {e for e, b in entrances.items() if b not in buildings}


def _in_scope(buildings, entrances):
    """The condition on Unit for units in scope."""
    return sa.or_(Unit.building_id.in_(sorted(buildings)), Unit.entrance_id.in_(sorted(entrances)))


def unit_condition(vote: Vote):
    """The condition on Unit for the units whose owners decide the vote; None for the whole compound."""
    if not vote.scope:
        return None
    buildings = {row.building_id for row in vote.scope if row.entrance_id is None}
    entrances = {row.entrance_id for row in vote.scope if row.entrance_id is not None}
    return _in_scope(buildings, entrances)


def check(compound: Compound, kind: VoteKind, picked) -> None:
    """Refuse a scope a vote cannot have: only a resolution is limited to buildings or entrances, and a scope must
    hold at least one unit."""
    buildings, entrances = _parse(compound, picked)
    if not buildings and not entrances:
        return
    if kind != VoteKind.resolution:
        raise Refused("scope_resolution_only")
    units = db.session.scalar(
        db.select(sa.func.count(Unit.id)).where(Unit.compound_id == compound.id, _in_scope(buildings, entrances))
    )
    if not units:
        raise Refused("scope_no_units")


def apply(vote: Vote, picked) -> None:
    """Set a draft's scope from the form's tokens (checked first); rows that stay are kept as they are."""
    check(vote.compound, vote.kind, picked)
    buildings, entrances = _parse(vote.compound, picked)
    building_of = dict(
        db.session.execute(db.select(Entrance.id, Entrance.building_id).where(Entrance.id.in_(entrances))).all()
    )
    wanted = {(b, None) for b in buildings} | {(building_of[e], e) for e in entrances}
    vote.scope[:] = [row for row in vote.scope if (row.building_id, row.entrance_id) in wanted]
    have = {(row.building_id, row.entrance_id) for row in vote.scope}
    for building_id, entrance_id in sorted(wanted - have, key=lambda k: (k[0], k[1] or 0)):
        vote.scope.append(VoteScope(building_id=building_id, entrance_id=entrance_id))


def places(vote: Vote) -> list[str]:
    """The scope's places as owners write them, in natural order: ["3栋", "5栋1单元"]; empty for the whole compound."""
    joiner = "" if chinese() else " "  # 3栋1单元 in Chinese, "3栋 1单元" among English words
    named = []
    for row in vote.scope:
        name = row.building.name + (joiner + row.entrance.name if row.entrance_id else "")
        named.append((natural_key(row.building.name), natural_key(row.entrance.name) if row.entrance_id else (), name))
    return [name for _b, _e, name in sorted(named)]


def chinese() -> bool:
    """Chinese is the reader's language (or the default, outside a request)."""
    locale = get_locale()
    return locale is None or locale.language == "zh"


def addressed_to(vote: Vote) -> str:
    """Whom the vote addresses: 全体业主, or 3栋全体业主 / 3栋1单元全体业主 / 3栋、5栋全体业主."""
    named = places(vote)
    if not named:
        return _("All owners")
    return _("All owners of %(places)s", places=comma().join(named))


def outside_sentence(vote: Vote) -> str:
    """What an owner outside the scope reads instead of a ballot."""
    return _(
        "Only owners of %(places)s take part in this vote; you are not within its scope.",
        places=comma().join(places(vote)),
    )


def _owns(vote: Vote, person, condition=None) -> bool:
    """Whether the person (signed in) owns a unit of the vote's compound (meeting `condition` on Unit, if any)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    query = (
        db.select(Ownership.id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Ownership.person_id == person.id, Unit.compound_id == vote.compound_id)
    )
    if condition is not None:
        query = query.where(condition)
    return db.session.scalar(query.limit(1)) is not None


def covers(vote: Vote, person) -> bool:
    """Whether the person owns a unit in the vote's scope (always, for the whole compound)."""
    condition = unit_condition(vote)
    return True if condition is None else _owns(vote, person, condition)


def owns_here(vote: Vote, person) -> bool:
    """Whether the person owns a unit anywhere in the vote's compound."""
    return _owns(vote, person)


def sealed(vote: Vote) -> list[list[int | None]] | None:
    """What the seal's digest covers of the scope: the (building, entrance) pairs in order; None for the whole
    compound, so that digests of whole-compound votes stay as they were before scopes existed."""
    if not vote.scope:
        return None
    return sorted(([row.building_id, row.entrance_id] for row in vote.scope), key=lambda p: (p[0], p[1] or 0))
