"""People and their one-time activation codes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.register.models import Ownership
    from portal.roles.models import Membership


class Person(UserMixin, db.Model):
    """A person: an owner from the register, a resident, a staff member or an administrator.

    `owner_key` is the register's identity of an owner within one compound (`key_compound_id`): the same key
    on several rows of an import is the same person. Staff and invited residents have none.
    """

    __table_args__ = (sa.UniqueConstraint("key_compound_id", "owner_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    account_no: Mapped[str] = mapped_column(sa.String(40), unique=True)  # 登录账号, printed on the letter
    # The register's (or an invitation's) phone: contact data, which owners may share or give two of.
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # The phone the person chose at activation to log in with: one account per number.
    login_phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    large_text: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # 大字: the page at 125 %
    key_compound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    owner_key: Mapped[str | None] = mapped_column(sa.String(64))
    is_developer: Mapped[bool] = mapped_column(default=False)  # 建设单位: holds the unsold units
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id Flask-Login keeps in the session and remember cookie: raising it ends every session at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    ownerships: Mapped[list[Ownership]] = relationship("Ownership", back_populates="person")
    memberships: Mapped[list[Membership]] = relationship("Membership", back_populates="person")

    @property
    def is_active(self) -> bool:  # Flask-Login: only activated, not disabled accounts log in
        return self.is_active_account and self.password_hash is not None

    def get_id(self) -> str:
        """Flask-Login's stored id: "person id:session version", so a raised version refuses older cookies."""
        return f"{self.id}:{self.session_version}"


class CodeState(enum.StrEnum):
    """Where a person's activation stands, as staff see it: no code yet, the latest code's state, or active
    (a password is set)."""

    none = "none"
    valid = "valid"
    used = "used"
    expired = "expired"
    revoked = "revoked"
    active = "active"


class ActivationCode(db.Model):
    """激活码: single use, expiring, stored only as a SHA-256 digest."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def state(self, now: datetime) -> CodeState:
        """One of: used, revoked, expired, valid."""
        if self.used_at is not None:
            return CodeState.used
        if self.revoked_at is not None:
            return CodeState.revoked
        if self.expires_at <= now:
            return CodeState.expired
        return CodeState.valid
