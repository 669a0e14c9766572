"""Roles: what a person is in a compound, and which communities a staff member supervises."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    """A role held in one compound."""

    owner = "owner"  # 业主 (kept in step with the register by the import)
    resident = "resident"  # 住户
    committee = "committee"  # 业委会委员
    property_manager = "property_manager"  # 物业服务企业
    volunteer = "volunteer"  # 志愿者 / 在职党员


class CommitteePost(enum.StrEnum):
    """业委会职务."""

    chair = "chair"  # 主任
    vice_chair = "vice_chair"  # 副主任
    member = "member"  # 委员
    secretary = "secretary"  # 秘书


class Membership(db.Model):
    """A person's role in a compound; committee members also hold a post."""

    __table_args__ = (sa.UniqueConstraint("person_id", "compound_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    post: Mapped[CommitteePost | None] = mapped_column(sa.Enum(CommitteePost, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person = relationship("Person", back_populates="memberships")
    compound = relationship("Compound")


class CommunityStaff(db.Model):
    """社区工作人员: supervises every compound of one community."""

    __table_args__ = (sa.UniqueConstraint("person_id", "community_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)

    person = relationship("Person")
    community = relationship("Community")
