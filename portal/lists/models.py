"""The three lists' own rows: resources co-building units offer (资源清单) and projects (项目清单) that match a need
(需求清单: the requests in portal/needs) to a resource or to an organisation that claimed it (双向认领)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.boards.models import Category, UpdateRow
from portal.db import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.user_text import html_column, markdown_field


class ResourceStatus(enum.StrEnum):
    """offered (on the list) or withdrawn."""

    offered = "offered"
    withdrawn = "withdrawn"


class Resource(db.Model):
    """资源: what an organisation offers a community (or one compound): a venue, a free clinic, tutoring ..."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    compound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = html_column()
    capacity: Mapped[str] = mapped_column(sa.String(100), default="")  # e.g. "每月两次，每次 20 人"
    status: Mapped[ResourceStatus] = mapped_column(enum_column(ResourceStatus), default=ResourceStatus.offered)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")


class ProjectOrigin(enum.StrEnum):
    """How the project came about: an organisation claimed a need, a need was matched to a resource, or staff set
    it up."""

    need_claimed = "need_claimed"
    resource_matched = "resource_matched"
    staff = "staff"


class ProjectStatus(enum.StrEnum):
    """in_progress → completed; or cancelled."""

    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


class Project(db.Model):
    """项目: a need matched to a resource or an organisation, with its own progress updates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = html_column()
    origin: Mapped[ProjectOrigin] = mapped_column(enum_column(ProjectOrigin))
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("need.id"), index=True)
    resource_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resource.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus), default=ProjectStatus.in_progress)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_note: Mapped[str | None] = mapped_column(sa.Text)  # what was done, in the taker's words
    completed_note_html: Mapped[str] = html_column()
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    cancel_reason_html: Mapped[str] = html_column()

    need = relationship("Need")
    resource = relationship("Resource")
    organisation = relationship("Organisation")
    updates: Mapped[list[ProjectUpdate]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectUpdate.created_at"
    )


class ProjectUpdate(UpdateRow, db.Model):
    """A dated progress update on a project, with optional photos."""

    photo_link = "project_update_id"
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)

    project: Mapped[Project] = relationship(back_populates="updates")


# What users write here is Markdown: each field's _html is rendered whenever it is set (portal/user_text.py).
markdown_field(Resource.description)
markdown_field(Project.description)
markdown_field(Project.completed_note)
markdown_field(Project.cancel_reason)
markdown_field(ProjectUpdate.body)
