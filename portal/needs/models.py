"""A resident's request or micro-wish (需求 / 微心愿) and its timeline (收集 → 受理 → 处理 → 督办 → 反馈)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.boards.models import Category
from portal.db import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.user_text import html_column, markdown_field


class NeedKind(enum.StrEnum):
    """需求 (a need to be met, often by the property company or staff) / 微心愿 (a small wish a volunteer fulfils)."""

    request = "request"
    wish = "wish"


class NeedStatus(enum.StrEnum):
    """submitted (待受理) → declined (不予受理) | open (已受理, waiting for a taker) | taken (dispatched or claimed)
    → done (the taker reports it done) → closed (the requester confirms and rates); reopened goes back to taken."""

    submitted = "submitted"
    declined = "declined"
    open = "open"
    taken = "taken"
    done = "done"
    closed = "closed"


class NeedStep(enum.StrEnum):
    """One step on a request's timeline."""

    submitted = "submitted"
    accepted = "accepted"
    declined = "declined"
    dispatched = "dispatched"
    claimed = "claimed"
    done = "done"
    confirmed = "confirmed"
    reopened = "reopened"
    supervised = "supervised"  # 督办: staff pressed for it to be dealt with


class Need(db.Model):
    """A request or micro-wish posted by a resident of a compound. Public pages never show who asked."""

    __table_args__ = (
        sa.Index("ix_need_compound_status", "compound_id", "status"),
        sa.CheckConstraint("stars IS NULL OR stars BETWEEN 1 AND 5", name="stars_1_to_5"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"))
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    kind: Mapped[NeedKind] = mapped_column(enum_column(NeedKind))
    category: Mapped[Category] = mapped_column(enum_column(Category))
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    description_html: Mapped[str] = html_column()
    is_public: Mapped[bool] = mapped_column(default=False)  # may be shown on public pages (never with a name)
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus), default=NeedStatus.submitted)
    # The taker: an organisation (its members act for it) or a person (a volunteer, a party member).
    taker_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    taker_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    declined_reason: Mapped[str | None] = mapped_column(sa.Text)
    declined_reason_html: Mapped[str] = html_column()
    done_note: Mapped[str | None] = mapped_column(sa.Text)
    done_note_html: Mapped[str] = html_column()
    stars: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(sa.Text)
    rating_comment_html: Mapped[str] = html_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The last step anyone took on it: a request untouched for the configured days is flagged for 督办.
    last_step_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    compound = relationship("Compound")
    requester = relationship("Person", foreign_keys=[requester_id])
    taker_org = relationship("Organisation")
    taker_person = relationship("Person", foreign_keys=[taker_person_id])
    events: Mapped[list[NeedEvent]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedEvent.id"
    )
    photos = relationship("Photo", primaryjoin="Need.id == foreign(Photo.need_id)", order_by="Photo.id", viewonly=True)


class NeedEvent(db.Model):
    """A step on a request's timeline: who took it, when, with what note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("need.id", ondelete="CASCADE"), index=True)
    step: Mapped[NeedStep] = mapped_column(enum_column(NeedStep))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    # For dispatched/claimed: who took it on.
    taker_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    taker_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    need: Mapped[Need] = relationship(back_populates="events")
    actor = relationship("Person", foreign_keys=[actor_id])
    taker_org = relationship("Organisation")
    taker_person = relationship("Person", foreign_keys=[taker_person_id])


# What users write here is Markdown: each field's _html is rendered whenever it is set (portal/user_text.py).
markdown_field(Need.description)
markdown_field(Need.declined_reason)
markdown_field(Need.done_note)
markdown_field(Need.rating_comment)
