"""Account changes: issuing and using activation codes, passwords, language. Services flush, never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from portal import audit
from portal.accounts.models import ActivationCode, Person
from portal.compounds.models import Compound
from portal.db import utcnow
from portal.extensions import db
from portal.security import hash_code, hash_password, new_code


class ActivationError(ValueError):
    """The code cannot be used: unknown, used, revoked or expired (never said which, to outsiders)."""


def new_account_no() -> str:
    """A fresh 8-digit account number (登录账号) that nobody holds yet."""
    while True:
        candidate = str(secrets.randbelow(90_000_000) + 10_000_000)
        if db.session.scalar(db.select(Person.id).where(Person.account_no == candidate)) is None:
            return candidate


@dataclass
class IssuedCode:
    """A code as issued: the plain text exists only here, once, for the letter."""

    person: Person
    code: str
    expires_at: datetime


def issue_code(person: Person, compound: Compound, actor: Person | None, days: int | None = None) -> IssuedCode:
    """Issue a new code for a person, revoking any earlier unused one."""
    now = utcnow()
    days = days or current_app.config["PORTAL_ACTIVATION_DAYS"]
    revoke_codes(person, compound, actor, audit_it=False)
    code = new_code()
    row = ActivationCode(
        person_id=person.id,
        compound_id=compound.id,
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + timedelta(days=int(days)),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("code.issued", actor, compound, person_id=person.id, expires_at=row.expires_at)
    return IssuedCode(person, code, row.expires_at)


def revoke_codes(person: Person, compound: Compound, actor: Person | None, audit_it: bool = True) -> int:
    """Revoke the person's unused codes; returns how many were revoked."""
    now = utcnow()
    rows = db.session.scalars(
        db.select(ActivationCode).where(
            ActivationCode.person_id == person.id,
            ActivationCode.used_at.is_(None),
            ActivationCode.revoked_at.is_(None),
        )
    ).all()
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    if audit_it and rows:
        audit.record("code.revoked", actor, compound, person_id=person.id, count=len(rows))
    return len(rows)


def find_usable_code(code: str) -> ActivationCode:
    """The valid code row for this text, or ActivationError."""
    row = db.session.scalar(db.select(ActivationCode).where(ActivationCode.code_hash == hash_code(code)))
    if row is None or row.state(utcnow()) != "valid":
        raise ActivationError(code)
    return row


def activate(code: str, password: str, phone: str | None) -> Person:
    """Use a code once: set the password (and the phone to log in with), mark the code used, return the person."""
    row = find_usable_code(code)
    person = row.person
    now = utcnow()
    # Mark used with a guarded UPDATE so two simultaneous activations cannot both succeed.
    updated = db.session.execute(
        db.update(ActivationCode)
        .where(ActivationCode.id == row.id, ActivationCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated != 1:
        raise ActivationError(code)
    person.password_hash = hash_password(password)
    if phone:
        person.login_phone = phone
        person.phone = person.phone or phone  # a contact phone too, for a person the register gave none
    person.activated_at = now
    db.session.flush()
    audit.record("account.activated", person, db.session.get(Compound, row.compound_id), person_id=person.id)
    return person


def phone_taken(phone: str, person: Person | None = None) -> bool:
    """True if another person already uses this phone number to log in (a register's contact phone never counts)."""
    query = db.select(Person.id).where(Person.login_phone == phone)
    if person is not None:
        query = query.where(Person.id != person.id)
    return db.session.scalar(query) is not None


def find_login(identifier: str) -> Person | None:
    """The person with this account number or login phone, if any (the register's contact phone is not a login)."""
    identifier = identifier.strip()
    return db.session.scalar(
        db.select(Person).where((Person.account_no == identifier) | (Person.login_phone == identifier))
    )


def change_password(person: Person, password: str) -> None:
    """Set a new password and end every session of the person (the caller logs its own client in again)."""
    person.password_hash = hash_password(password)
    end_sessions(person)
    audit.record("account.password_changed", person, person_id=person.id)


def end_sessions(person: Person) -> None:
    """Raise the session version: every session and remember cookie holding the old one is refused from now on."""
    # In SQL, so two logouts at once both count; the attribute is reloaded after the flush.
    person.session_version = Person.session_version + 1
    db.session.flush()


def set_locale(person: Person, locale: str) -> None:
    """Remember the person's language."""
    person.locale = locale
    db.session.flush()


def set_large_text(person: Person, large: bool) -> None:
    """Remember whether the person reads the portal in large text (大字)."""
    person.large_text = large
    db.session.flush()
