"""The owner register: who owns which unit (产权登记)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Ownership(db.Model):
    """One owner of one unit. Co-owners share a unit; exactly one of them is its designated voter."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    is_designated_voter: Mapped[bool] = mapped_column(default=False)

    unit = relationship("Unit", back_populates="ownerships")
    person = relationship("Person", back_populates="ownerships")
