"""Organisations and people who pledge (亮身份、亮职责、亮承诺), their commitments, progress updates and ratings."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.db import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.user_text import html_column, markdown_field


class OrgKind(enum.StrEnum):
    """业委会 / 物业服务企业 / 社区党组织 / 小区党支部 / 共建单位 / 社会组织 (志愿服务队)."""

    committee = "committee"
    property_company = "property_company"
    party_org = "party_org"
    party_branch = "party_branch"
    cobuilder = "cobuilder"
    social = "social"


class Category(enum.StrEnum):
    """What a commitment, a request or a resource is about (shared by the board, requests and the three lists)."""

    environment = "environment"  # 环境卫生
    safety = "safety"  # 安全
    repair = "repair"  # 维修
    greening = "greening"  # 绿化
    elderly = "elderly"  # 为老服务
    children = "children"  # 青少年
    health = "health"  # 健康医疗
    culture = "culture"  # 文体活动
    traffic = "traffic"  # 停车交通
    other = "other"  # 其他


class Organisation(db.Model):
    """An organisation that serves a community, or one compound of it (compound_id set: 业委会, 小区党支部 ...)."""

    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    compound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    name: Mapped[str] = mapped_column(sa.String(100))
    duty: Mapped[str] = mapped_column(sa.Text, default="")  # 亮职责: what it is responsible for
    duty_html: Mapped[str] = html_column()
    contact: Mapped[str] = mapped_column(sa.String(100), default="")  # a public office phone or address
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community = relationship("Community")
    compound = relationship("Compound")
    members: Mapped[list[OrgMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrgMember.id"
    )


class OrgMember(db.Model):
    """A person who acts for an organisation in the portal (pledges, reports progress, takes requests)."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(60), default="")  # 亮身份: 书记, 项目经理, 党员 ...
    is_lead: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    person = relationship("Person")


class CommitmentStatus(enum.StrEnum):
    """Stored states; "overdue" is not stored but computed from the due date (Asia/Shanghai) while in progress."""

    in_progress = "in_progress"
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"


class BoardStatus(enum.StrEnum):
    """A pledge's state as the board shows it: the stored ones, and overdue (in progress past its due date)."""

    in_progress = "in_progress"
    overdue = "overdue"
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"


class Commitment(db.Model):
    """承诺: a measurable pledge with a due date, for one compound (or, compound_id empty, every compound of the
    community). Pledged for an organisation, or by a person in their own name (organisation_id empty)."""

    __table_args__ = (
        sa.Index("ix_commitment_compound_status", "compound_id", "status"),
        sa.Index("ix_commitment_community_status", "community_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"))
    compound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compound.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    pledger_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    target: Mapped[str] = mapped_column(sa.Text)  # what exactly will be done, measurably
    target_html: Mapped[str] = html_column()
    category: Mapped[Category] = mapped_column(enum_column(Category))
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)  # a date in Asia/Shanghai
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus), default=CommitmentStatus.in_progress
    )
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_note: Mapped[str | None] = mapped_column(sa.Text)
    fulfilled_note_html: Mapped[str] = html_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_reason_html: Mapped[str] = html_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    community = relationship("Community")
    compound = relationship("Compound")
    organisation: Mapped[Organisation | None] = relationship()
    pledger = relationship("Person")
    updates: Mapped[list[Progress]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="Progress.created_at"
    )


class UpdateRow:
    """What every progress update of an undertaking (a pledge's, a project's) holds: who wrote it when, the text
    (Markdown, stored sanitised beside it) and its photos. A kind names the column its photos link by
    (`photo_link`, on Photo) and adds the key of what it updates."""

    photo_link: str

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = html_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def author(cls):
        return relationship("Person")

    @declared_attr
    def photos(cls):
        return relationship(
            "Photo", primaryjoin=f"{cls.__name__}.id == foreign(Photo.{cls.photo_link})", order_by="Photo.id",
            viewonly=True,
        )  # fmt: skip


class Progress(UpdateRow, db.Model):
    """A dated progress update on a commitment, with optional photos."""

    photo_link = "progress_id"
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id", ondelete="CASCADE"), index=True)

    commitment: Mapped[Commitment] = relationship(back_populates="updates")


class Rating(db.Model):
    """A resident's or owner's 1–5 rating of a commitment; one per person, changeable."""

    __table_args__ = (
        sa.UniqueConstraint("commitment_id", "person_id"),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    stars: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    comment_html: Mapped[str] = html_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person = relationship("Person")


class Photo(db.Model):
    """A JPEG or PNG (checked by content, stored outside static/) on a progress update, a request or a project
    update: exactly one of the three owners is set."""

    __table_args__ = (
        sa.CheckConstraint(
            " + ".join(
                f"CASE WHEN {c} IS NULL THEN 0 ELSE 1 END" for c in ("progress_id", "need_id", "project_update_id")
            )
            + " = 1",
            name="one_owner",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("need.id", ondelete="CASCADE"), index=True)
    project_update_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("project_update.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(200))
    mime: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# What users write here is Markdown: each field's _html is rendered whenever it is set (portal/user_text.py).
markdown_field(Organisation.duty)
markdown_field(Commitment.target)
markdown_field(Commitment.fulfilled_note)
markdown_field(Commitment.withdrawn_reason)
markdown_field(Progress.body)
markdown_field(Rating.comment)
