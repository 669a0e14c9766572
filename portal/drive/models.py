"""Building captains and their visits: who knocks on which doors, and what they found."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, enum_column, utcnow
from portal.extensions import db

NOTE_MAX = 200  # characters of a visit's note: a line at the door, not a report


class Captain(db.Model):
    """楼栋长/单元长: a person of the compound who drives the turnout of one building, or of one entrance of it.

    The scope belongs to the compound, not to a vote: it applies to every open vote. No entrance: the whole building.
    """

    __table_args__ = (sa.UniqueConstraint("person_id", "building_id", "entrance_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("building.id", ondelete="CASCADE"), index=True)
    entrance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entrance.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person = relationship("Person", foreign_keys=[person_id])
    building = relationship("Building")
    entrance = relationship("Entrance")


class VisitOutcome(enum.StrEnum):
    """What a visit to a door found."""

    reached = "reached"  # 已联系
    not_home = "not_home"  # 不在家
    refused = "refused"  # 拒绝
    paper = "paper"  # 将书面投票


class Visit(db.Model):
    """走访记录: one visit to a unit for one vote, by a captain or staff; newest first on the unit's log."""

    __table_args__ = (sa.Index("ix_visit_vote_unit", "vote_id", "unit_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    outcome: Mapped[VisitOutcome] = mapped_column(enum_column(VisitOutcome, length=12))
    note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visitor = relationship("Person")
