"""Notify people in the portal; count and mark what they have not read."""

from __future__ import annotations

from collections.abc import Iterable

from portal.db import utcnow
from portal.extensions import db
from portal.inbox.models import Notification


def notify(person_ids: Iterable[int], event: str, subject: str, link: str, compound=None) -> int:
    """One notification per person (in one INSERT); returns how many were written."""
    rows = [
        {
            "person_id": person_id,
            "compound_id": getattr(compound, "id", None),
            "event": event,
            "subject": subject[:200],
            "link": link,
            "created_at": utcnow(),
        }
        for person_id in sorted(set(person_ids))
    ]
    if rows:
        db.session.execute(db.insert(Notification), rows)
    return len(rows)


def unread_count(person) -> int:
    """How many notifications the person has not opened."""
    return db.session.scalar(
        db.select(db.func.count()).where(Notification.person_id == person.id, Notification.read_at.is_(None))
    )


def latest(person, limit: int = 50) -> list[Notification]:
    """The person's notifications, newest first."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.person_id == person.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(person, notification_id: int | None = None) -> None:
    """Mark one notification (or all) as read."""
    query = db.update(Notification).where(Notification.person_id == person.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    db.session.execute(query.values(read_at=utcnow()))
