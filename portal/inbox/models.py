"""A notification for one person."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class Notification(db.Model):
    """站内通知: a message for one person (invited to a meeting; later: a request's next step)."""

    __table_args__ = (sa.Index("ix_notification_person_unread", "person_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    compound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compound.id"))
    event: Mapped[str] = mapped_column(sa.String(40))  # shown in the reader's language from this
    subject: Mapped[str] = mapped_column(sa.String(200))  # e.g. the meeting's title
    link: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
