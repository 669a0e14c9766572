"""Database helpers: exact decimal columns, timestamps, and the one commit per request."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.types import TypeDecorator

from portal.extensions import db


def utcnow() -> datetime:
    """Timezone-aware now in UTC; pages show it in Asia/Shanghai."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A datetime stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Area(TypeDecorator):
    """专有部分面积: m² with exactly two decimals, never a float.

    PostgreSQL stores NUMERIC(12,2); SQLite, which has no exact decimal type, stores the canonical text
    ("123.45"). Either way Python sees a Decimal quantized to 0.01.
    """

    impl = sa.Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(16))
        return dialect.type_descriptor(sa.Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(Decimal("0.01"))
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


def enum_column(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A string column holding an enum's values (not names), portable across SQLite and PostgreSQL."""
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def init_transactions(app: Flask) -> None:
    """One commit per request: services only flush; this commits a successful response or rolls back."""

    @app.after_request
    def _commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback(exc):
        if exc is not None:
            db.session.rollback()


SQLITE_BUSY_TIMEOUT_MS = 10000  # how long a SQLite connection waits for the writer before "database is locked"


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, write-ahead logging so readers never wait, wait (not fail) for the writer, and
    overwrite deleted content; let SQLAlchemy, not pysqlite, open transactions (so savepoints work)."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted rows (a secret vote's ciphertexts) are zeroed on disk
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(connection) -> None:
    """A request that may write takes the write lock at BEGIN: two deferred transactions that both read and then
    write would otherwise fail at once with "database is locked" instead of waiting their turn."""
    if connection.dialect.name == "sqlite":
        from flask import g, has_app_context

        writes = _request_writes() or (has_app_context() and g.get(_WRITES, False))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _request_writes() -> bool:
    """The current request may write from its start: any method but GET, HEAD and OPTIONS, bar the read-only POSTs."""
    from flask import has_request_context, request

    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, _READS_FIRST, False)


_WRITES = "linli_writes"


def will_write() -> None:
    """This request or command must write although it began as a read (a GET that closes a vote whose window has
    passed, the `portal tick` timer): on SQLite end the read transaction, so that the next statement begins one that
    holds the write lock. A deferred read transaction that then writes fails at once when another writer went first,
    instead of waiting its turn."""
    from flask import g

    if getattr(g, _WRITES, False) or _request_writes():
        return  # its transactions take the write lock at BEGIN already
    setattr(g, _WRITES, True)
    session = db.session()
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        # A read transaction commits as a no-op; this ends it, the only way to give up a SQLite read snapshot.
        session.commit()


_READS_FIRST = "linli_reads_first"


def reads_first(view):
    """Marks a POST view that only reads, or reads until it knows it must write and then calls `will_write()`: on
    SQLite it does not take the write lock at BEGIN. Holding the write lock through a login's deliberately slow
    password check would make every other login wait behind it; activation reads until its code has proved usable,
    so wrong codes (guesses) never queue behind, nor hold up, real writers."""
    setattr(view, _READS_FIRST, True)
    return view
