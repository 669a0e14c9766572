"""Places: 社区 community → 小区 compound → 楼栋 building → 单元 entrance → 户 unit; and compound notices."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Area, UTCDateTime, utcnow
from portal.extensions import db
from portal.user_text import html_column, markdown_field

if TYPE_CHECKING:
    from portal.register.models import Ownership


class Community(db.Model):
    """社区: supervised by community staff; holds several compounds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    compounds: Mapped[list[Compound]] = relationship(back_populates="community", order_by="Compound.name")


class Compound(db.Model):
    """小区: the portal's tenant, addressed by its public slug."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How many owners one proxy may represent in one vote (localities commonly cap it).
    max_proxies_per_person: Mapped[int] = mapped_column(default=1, server_default="1")

    community: Mapped[Community] = relationship(back_populates="compounds")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="compound", order_by="Building.name", cascade="all, delete-orphan"
    )


class Building(db.Model):
    """楼栋."""

    __table_args__ = (sa.UniqueConstraint("compound_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))

    compound: Mapped[Compound] = relationship(back_populates="buildings")
    entrances: Mapped[list[Entrance]] = relationship(back_populates="building", cascade="all, delete-orphan")


class Entrance(db.Model):
    """单元 (stairwell) of a building."""

    __table_args__ = (sa.UniqueConstraint("building_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("building.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))

    building: Mapped[Building] = relationship(back_populates="entrances")


class AreaSource(enum.StrEnum):
    """Where a unit's area comes from; the law ranks registered > surveyed > contract."""

    registered = "registered"  # 不动产登记面积
    surveyed = "surveyed"  # 测绘面积
    contract = "contract"  # 合同面积


class Unit(db.Model):
    """户: one unit with its exclusive floor area (专有部分面积, m², two decimals)."""

    __table_args__ = (
        sa.UniqueConstraint("compound_id", "unit_key"),
        sa.CheckConstraint("area_m2 > 0", name="area_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("building.id"), index=True)
    entrance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entrance.id"), index=True)
    room: Mapped[str] = mapped_column(sa.String(20))
    # "building|entrance|room": the register's identity of a unit within its compound.
    unit_key: Mapped[str] = mapped_column(sa.String(100))
    area_m2: Mapped[Decimal] = mapped_column(Area)
    area_source: Mapped[AreaSource] = mapped_column(
        sa.Enum(AreaSource, native_enum=False, length=20), default=AreaSource.registered
    )

    compound: Mapped[Compound] = relationship()
    building: Mapped[Building] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
    ownerships: Mapped[list[Ownership]] = relationship(
        "Ownership", back_populates="unit", cascade="all, delete-orphan", order_by="Ownership.id"
    )

    @property
    def label(self) -> str:
        """The room as owners write it: 3栋 2单元 1201 (names are translated in templates)."""
        parts = [self.building.name]
        if self.entrance is not None:
            parts.append(self.entrance.name)
        parts.append(self.room)
        return " ".join(parts)


class Notice(db.Model):
    """公告: a notice shown on the compound home."""

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = html_column()
    is_public: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Notices the portal posts itself (e.g. "vote.open") are shown in the reader's language from these;
    # `title` keeps the Chinese text for search and for readers of the raw data.
    event: Mapped[str | None] = mapped_column(sa.String(40))
    vote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)

    vote = relationship("Vote")
    author = relationship("Person")


# What users write here is Markdown: each field's _html is rendered whenever it is set (portal/user_text.py).
markdown_field(Notice.body)
