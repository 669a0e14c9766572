"""Live turnout: participation by heads and area against the 2/3 quorum (no partial results).

In a secret vote that is open, each change of an exact live turnout is one voter's area, and areas are public on
the roll (almost every one is distinct): watching the turnout would name each voter, and with the published result
tell how they voted. So a secret vote publishes its turnout in steps: only once every STEP new ballots, the heads and
the area of exactly those first ballots (by participation order), the area in whole ㎡. Every figure on the page,
the percentages, the quorum line and the ETag, comes from the published figures only. Named votes, and every vote
once closed, show the exact figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.compounds.models import Building, Entrance, Unit
from portal.compounds.services import natural_key
from portal.extensions import db
from portal.voting.models import Participation, Secrecy, Vote, VoteStatus, VotingRight, VotingRightUnit

QUORUM = Fraction(2, 3)
STEP = 5  # ballots per published step: a change is then the sum of five areas, which names nobody


@dataclass(frozen=True)
class Part:
    """x of y, with the exact share."""

    part: int | Decimal
    whole: int | Decimal

    @property
    def share(self) -> Fraction:
        """part / whole, exactly (0 when there is no whole)."""
        return Fraction(self.part) / Fraction(self.whole) if self.whole else Fraction(0)

    @property
    def percent(self) -> str:
        """The share as a percentage with one decimal, rounded half up from the exact fraction."""
        value = Decimal(self.share.numerator * 100) / Decimal(self.share.denominator)
        return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    @property
    def permille(self) -> int:
        """For the progress bar (0–1000)."""
        return int(self.share * 1000)

    @property
    def reaches_quorum(self) -> bool:
        """At least two thirds (以上 includes the boundary)."""
        return self.whole > 0 and self.share >= QUORUM

    @property
    def short_of_quorum(self) -> int | Decimal:
        """How much more reaches two thirds (还差): whole people for heads, the area to the cent; 0 once reached.

        The least x with x / whole ≥ 2/3 is the ceiling of 2/3 of the whole, in people or in cents."""
        if isinstance(self.whole, Decimal):
            whole, part = int(self.whole.scaleb(2)), int(Decimal(self.part).scaleb(2))
            needed = -(-whole * QUORUM.numerator // QUORUM.denominator)
            return Decimal(max(0, needed - part)).scaleb(-2)
        needed = -(-self.whole * QUORUM.numerator // QUORUM.denominator)
        return max(0, needed - self.part)


@dataclass(frozen=True)
class Turnout:
    """Participation of a vote so far, as published (in steps for an open secret vote)."""

    heads: Part
    area: Part
    binding: bool
    stepped: bool = False
    step: int = STEP

    @property
    def quorum_met(self) -> bool:
        """Both heads and area at least two thirds."""
        return self.heads.reaches_quorum and self.area.reaches_quorum

    @property
    def etag(self) -> str:
        """Changes only when a published figure does: so its change reveals no more than the figures."""
        key = f"{self.heads.part}/{self.heads.whole}:{self.area.part}/{self.area.whole}:{self.binding}:{self.stepped}"
        return hashlib.sha256(key.encode()).hexdigest()[:20]


def is_stepped(vote: Vote) -> bool:
    """A secret vote publishes its turnout in steps while ballots can still come in (after the close: exact)."""
    return vote.secrecy == Secrecy.secret and vote.status == VoteStatus.open


def turnout(vote: Vote) -> Turnout:
    """Count who has voted against the frozen electorate: exactly, or in steps of STEP ballots (see the module)."""
    stepped = is_stepped(vote)
    heads = _count(vote)
    if stepped:
        heads -= heads % STEP
    area = _area(vote, heads if stepped else None)
    if stepped:
        area = area.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return Turnout(
        Part(heads, vote.electorate_heads or 0),
        Part(area, vote.electorate_area or Decimal("0.00")),
        vote.is_binding,
        stepped,
    )


def of_places(vote: Vote, places: list[PlaceTurnout]) -> Turnout:
    """The compound's exact turnout as the sum of its places' (they add up exactly: see `by_place`), where the places
    are counted anyway: the turnout-by-building page asks the database once, not twice."""
    return Turnout(
        Part(sum(p.heads.part for p in places), vote.electorate_heads or 0),
        Part(sum((p.area.part for p in places), Decimal("0.00")), vote.electorate_area or Decimal("0.00")),
        vote.is_binding,
    )


def _count(vote: Vote) -> int:
    """How many voting rights have been used."""
    return db.session.scalar(sa.select(sa.func.count(Participation.id)).where(Participation.vote_id == vote.id))


def _area(vote: Vote, first: int | None) -> Decimal:
    """The area of the used rights (of the `first` participations only, by id), summed exactly in integer cents."""
    rights = (
        sa.select(VotingRight.area_m2.label("area"))
        .join(Participation, Participation.right_id == VotingRight.id)
        .where(Participation.vote_id == vote.id)
    )
    if first is not None:
        if first == 0:
            return Decimal("0.00")
        rights = rights.order_by(Participation.id).limit(first)
    rows = rights.subquery()
    # Cents are whole numbers on both databases (SQLite keeps NUMERIC as a float: rounding ×100 makes it exact).
    cents = db.session.scalar(sa.select(sa.func.sum(sa.cast(sa.func.round(rows.c.area * 100), sa.BigInteger))))
    return Decimal(int(cents or 0)).scaleb(-2)


@dataclass(frozen=True)
class PlaceTurnout:
    """The turnout of one building and entrance (楼栋、单元): heads and area voted of the place's own."""

    building: str
    entrance: str
    heads: Part
    area: Part


def by_place(vote: Vote) -> list[PlaceTurnout]:
    """Turnout per building and entrance, in three queries whatever the number of units.

    Each unit's area counts where the unit is; each right (one head) counts once, where its first unit on the roll
    is, so an owner of flats in two buildings is one head, and the places add up to the compound's figures exactly.
    Exact figures: the caller shows them only where the exact turnout may be seen (never an open secret vote).
    One grouped pass over the roll counts every unit; a second counts only the units that are not their right's
    first (few: the owners of several flats), which are taken off the heads; both grouped by the places' ids, named
    after (at 20,000 units half the time of grouping by names and joining each right's first unit: 20 ms, was 38 ms,
    SQLite)."""
    voted = (Participation.right_id == VotingRightUnit.right_id) & (Participation.vote_id == vote.id)
    cents = sa.cast(sa.func.round(VotingRightUnit.area_m2 * 100), sa.BigInteger)
    place = (Unit.building_id, Unit.entrance_id)

    def grouped(*columns):
        return (
            sa.select(*place, *columns)
            .select_from(VotingRightUnit)
            .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
            .outerjoin(Unit, Unit.id == VotingRightUnit.unit_id)
            .outerjoin(Participation, voted)
            .where(VotingRight.vote_id == vote.id)
            .group_by(*place)
        )

    units = grouped(
        sa.func.count(),
        sa.func.count(Participation.id),
        sa.func.sum(cents),
        sa.func.sum(sa.case((Participation.id.is_not(None), cents), else_=0)),
    )
    # The units after their right's first: their area counts where they are, their head where the first one is. The
    # join finds such a unit once per earlier unit of its right: counted as distinct units.
    earlier = aliased(VotingRightUnit)
    later = grouped(
        sa.func.count(sa.distinct(VotingRightUnit.id)),
        sa.func.count(sa.distinct(sa.case((Participation.id.is_not(None), VotingRightUnit.id)))),
    ).join(earlier, (earlier.right_id == VotingRightUnit.right_id) & (earlier.id < VotingRightUnit.id))
    names = db.session.execute(
        sa.select(Building.id, Building.name, Entrance.id, Entrance.name)
        .outerjoin(Entrance, Entrance.building_id == Building.id)
        .where(Building.compound_id == vote.compound_id)
    ).all()
    buildings = {b_id: b_name for b_id, b_name, _e_id, _e_name in names}
    entrances = {e_id: e_name for _b_id, _b_name, e_id, e_name in names if e_id is not None}
    merged: dict[tuple[str, str], list[int]] = {}

    def add(rows, sign: int) -> None:
        for building_id, entrance_id, *figures in rows:
            key = (buildings.get(building_id, ""), entrances.get(entrance_id, ""))
            sums = merged.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate(figures):
                sums[i] += sign * int(value or 0)

    add(db.session.execute(units), 1)
    add(db.session.execute(later), -1)
    places = [
        PlaceTurnout(
            *key,
            Part(heads_done, heads_total),
            Part(Decimal(area_done).scaleb(-2), Decimal(area_total).scaleb(-2)),
        )
        for key, (heads_total, heads_done, area_total, area_done) in merged.items()
    ]
    return sorted(places, key=lambda r: (natural_key(r.building), natural_key(r.entrance)))
