"""Audit trail: one line per change of data, with who did it and when."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

log = logging.getLogger("portal.audit")


class AuditEvent(db.Model):
    """One audited action (import applied, code issued, role granted...)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    compound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    detail: Mapped[str] = mapped_column(sa.Text, default="{}")


def record(action: str, actor=None, compound=None, **detail) -> None:
    """Write an audit line in the request's transaction (committed, or rolled back, with the change it records)."""
    row = {
        "at": utcnow(),
        "action": action,
        "actor_id": getattr(actor, "id", None),
        "compound_id": getattr(compound, "id", None),
        "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    }
    db.session.connection().execute(_INSERT, row)
    log.info("%s actor=%s compound=%s %s", action, row["actor_id"], row["compound_id"], row["detail"])


def note(action: str, actor=None, **detail) -> None:
    """An audit line in the log only, for what changes no data: a login, a refused login, a logout."""
    detail = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
    log.info("%s actor=%s compound=%s %s", action, getattr(actor, "id", None), None, detail)


def login_hint(typed: str) -> str:
    """What a log line may say about a typed login: an account number as typed, a phone masked (138****5678), and of
    anything else (a named account, or a password typed into the wrong field) only its first two characters."""
    typed = (typed or "").strip()[:40]
    if re.fullmatch(r"\d{8}", typed):
        return typed
    if re.fullmatch(r"1\d{10}", typed):
        return typed[:3] + "****" + typed[-4:]
    return typed[:2] + "*" * len(typed[2:])


_INSERT = AuditEvent.__table__.insert()
