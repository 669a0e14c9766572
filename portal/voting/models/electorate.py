"""The electorate, frozen when a vote opens: one voting right per person (Art. 278 as DOMAIN.md counts heads)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Area
from portal.extensions import db


class VotingRight(db.Model):
    """表决权: one head, with the summed area of the units it votes for (rooms on the roll, never names)."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "person_id"), sa.UniqueConstraint("vote_id", "ordinal"))
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column()  # 1..n in roll order: how notices and staff refer to a right
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)  # the designated voter
    area_m2: Mapped[Decimal] = mapped_column(Area)
    label: Mapped[str] = mapped_column(sa.Text)  # the rooms, e.g. "1栋 1单元 101; 1栋 1单元 102"
    is_developer: Mapped[bool] = mapped_column(default=False)

    person = relationship("Person")
    units: Mapped[list[VotingRightUnit]] = relationship(
        back_populates="right", cascade="all, delete-orphan", order_by="VotingRightUnit.id"
    )


class VotingRightUnit(db.Model):
    """A unit as it stood on the register when the vote opened."""

    id: Mapped[int] = mapped_column(primary_key=True)
    right_id: Mapped[int] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(sa.String(100))
    area_m2: Mapped[Decimal] = mapped_column(Area)

    right: Mapped[VotingRight] = relationship(back_populates="units")
