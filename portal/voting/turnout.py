"""Live turnout: participation by heads and area against the 2/3 quorum (no partial results)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa

from portal.extensions import db
from portal.voting.models import Participation, Vote, VotingRight

QUORUM = Fraction(2, 3)


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


@dataclass(frozen=True)
class Turnout:
    """Participation of a vote so far."""

    heads: Part
    area: Part
    binding: bool

    @property
    def quorum_met(self) -> bool:
        """Both heads and area at least two thirds."""
        return self.heads.reaches_quorum and self.area.reaches_quorum


def turnout(vote: Vote) -> Turnout:
    """Count who has voted (one query; areas summed exactly in Python), against the frozen electorate."""
    areas = db.session.scalars(
        sa.select(VotingRight.area_m2)
        .join(Participation, Participation.right_id == VotingRight.id)
        .where(Participation.vote_id == vote.id)
    ).all()
    heads, area = len(areas), sum(areas, Decimal("0.00"))
    return Turnout(
        Part(heads, vote.electorate_heads or 0),
        Part(area, vote.electorate_area or Decimal("0.00")),
        vote.is_binding,
    )


def etag(vote: Vote) -> str:
    """Changes whenever the turnout or the vote's status changes."""
    count = db.session.scalar(sa.select(sa.func.count(Participation.id)).where(Participation.vote_id == vote.id))
    return hashlib.sha256(f"{vote.id}:{vote.status.value}:{count}".encode()).hexdigest()[:20]
