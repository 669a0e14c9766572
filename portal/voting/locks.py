"""Row locks that keep closing and casting from crossing.

Closing takes the vote row FOR UPDATE; every casting path takes it FOR SHARE before it reads the vote's state, so a
ballot is either stored before the seal (and sealed with the box) or sees the vote closed. On SQLite every writing
request already holds the database's single write lock from BEGIN IMMEDIATE (`portal/db.py`), which serialises the
two the same way.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.voting.models import Vote


def _postgres() -> bool:
    return db.session.connection().dialect.name == "postgresql"


def share(vote_id: int) -> None:
    """A cast is under way: closing waits until this transaction ends (PostgreSQL FOR SHARE)."""
    if _postgres():
        db.session.execute(
            sa.select(Vote.__table__.c.id).where(Vote.__table__.c.id == vote_id).with_for_update(read=True)
        )


def exclusive(vote: Vote) -> None:
    """Closing (or opening) the vote: wait for casts under way, then re-read the vote as it now stands."""
    if _postgres():
        db.session.execute(sa.select(Vote.__table__.c.id).where(Vote.__table__.c.id == vote.id).with_for_update())
    db.session.refresh(vote)
