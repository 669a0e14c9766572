"""What `portal check` and /readyz look at: each check says OK, or what is wrong and what to do about it.

Every check runs inside an app context and returns a `Result`; none changes data (the upload check writes and
deletes one temporary file).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import Flask

from portal.extensions import db

REDIS_TIMEOUT_S = 0.5  # a Redis that does not answer must not hold the check, or a worker, for long
MIN_SECRET_LENGTH = 32  # `secrets.token_hex(32)` gives 64
# Values people copy from examples and tutorials: anyone could forge session cookies signed with them.
WEAK_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "default",
        "dev",
        "development",
        "flask",
        "linli",
        "password",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "test",
        "test-secret",
        "testing",
        "your-secret-key",
        "…",
        "...",
    }
)


@dataclass(frozen=True)
class Result:
    """One check's outcome: `why` says what is wrong (or, when OK, a note worth reading)."""

    name: str
    ok: bool
    why: str = ""

    def line(self) -> str:
        """The line `portal check` prints."""
        if self.ok:
            return f"{self.name}: OK" + (f" ({self.why})" if self.why else "")
        return f"{self.name}: FAILED: {self.why}"


def development(app: Flask) -> bool:
    """Development and tests: the relaxed settings (no secret needed, plain http) are allowed."""
    return app.config.get("PORTAL_ENV") in ("development", "testing")


def secret_key(app: Flask) -> Result:
    """SECRET_KEY signs sessions: outside development it must be long, random and not an example value."""
    key = str(app.config.get("SECRET_KEY") or "")
    if development(app):
        return Result("secret key", True, "development: any key will do")
    advice = "set SECRET_KEY to the output of `python -c 'import secrets; print(secrets.token_hex(32))'`"
    if not key:
        return Result("secret key", False, f"SECRET_KEY is not set: {advice}")
    if key.strip().lower() in WEAK_SECRETS:
        return Result("secret key", False, f"SECRET_KEY is a well-known example value: {advice}")
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < 8:
        return Result("secret key", False, f"SECRET_KEY is too short or too simple ({len(key)} characters): {advice}")
    return Result("secret key", True)


def database(app: Flask) -> Result:
    """The database answers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return Result("database", False, f"cannot reach {_database_url(app)}: {_first_line(error)}")
    return Result("database", True)


def migrations(app: Flask) -> Result:
    """The database's schema is at the code's latest migration."""
    heads = migration_heads(app)
    try:
        current = _database_revisions()
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return Result("migrations", False, f"cannot read the database's revision: {_first_line(error)}")
    if current == heads:
        return Result("migrations", True)
    upgrade = "run `flask --app app db upgrade`"
    if not current:
        return Result("migrations", False, f"the database has no schema yet: {upgrade}")
    at, code = ", ".join(sorted(current)), ", ".join(sorted(heads))
    if current - _known_revisions(app):
        return Result(
            "migrations", False, f"the database is at revision {at}, which this code does not know (code: {code})"
        )
    return Result("migrations", False, f"the database is at revision {at}, the code at {code}: {upgrade}")


def redis(app: Flask) -> Result:
    """Redis answers within REDIS_TIMEOUT_S, when the rate limits are kept there."""
    url = redis_url(app)
    if url is None:
        if development(app):
            return Result("redis", True, "not configured: rate limits are counted per worker")
        return Result(
            "redis",
            False,
            "REDIS_URL is not set: each gunicorn worker would count failed logins on its own, so several workers "
            "allow several times the limits; set REDIS_URL=redis://127.0.0.1:6379/0",
        )
    try:
        ping_redis(url)
    except Exception as error:  # noqa: BLE001  (whatever the client raises, the answer is "not reachable")
        return Result("redis", False, f"Redis at {_redact(url)} is not reachable: {_first_line(error)}")
    return Result("redis", True)


def base_url(app: Flask) -> Result:
    """PORTAL_BASE_URL, printed in activation letters, is an absolute https address outside development."""
    url = app.config.get("PORTAL_BASE_URL")
    example = "e.g. PORTAL_BASE_URL=https://linli.example.cn"
    if not url:
        if development(app):
            return Result("base url", True, "not set: development uses the request's host")
        return Result(
            "base url", False, f"PORTAL_BASE_URL is not set: activation letters need the portal's address ({example})"
        )
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return Result("base url", False, f"PORTAL_BASE_URL={url} is not an absolute address ({example})")
    if parts.scheme != "https" and not development(app):
        return Result(
            "base url", False, f"PORTAL_BASE_URL={url} is not https: outside development Linli is served over TLS"
        )
    return Result("base url", True)


def upload_folder(app: Flask) -> Result:
    """The upload folder exists (or can be made) and a file can be written in it."""
    folder = Path(app.config["PORTAL_UPLOAD_DIR"])
    try:
        folder.mkdir(mode=0o750, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".linli-check-") as handle:
            handle.write(b"check")
            handle.flush()
    except OSError as error:
        return Result("upload folder", False, f"cannot write in {folder}: {error.strerror or error}")
    return Result("upload folder", True)


def ballot_key(app: Flask) -> Result:
    """The ballot key can be read, only by its owner, and is the one every open secret vote was opened with."""
    from portal.voting import ballot_key as keys

    path = None if app.config.get("PORTAL_BALLOT_KEY") else _ballot_key_path(app)
    if path is not None and not path.exists():
        # Not created here: a check should not make the key an operator forgot to restore.
        note = f"none yet: {path} is made when first needed; back it up apart from the database"
        return Result("ballot key", True, note)
    try:
        keys.master(app)
        keys.check(app)
    except (keys.BallotKeyError, OSError) as error:
        return Result("ballot key", False, str(error))
    if path is not None and path.stat().st_mode & 0o077:
        return Result("ballot key", False, f"{path} can be read by other users: chmod 600 {path}")
    return Result("ballot key", True)


CHECKS: tuple[Callable[[Flask], Result], ...] = (
    secret_key,
    database,
    migrations,
    redis,
    base_url,
    upload_folder,
    ballot_key,
)


def run_all(app: Flask) -> list[Result]:
    """Every check, in order."""
    return [check(app) for check in CHECKS]


def migration_heads(app: Flask) -> set[str]:
    """The code's latest migration revision(s), read once per process."""
    cached = app.extensions.get("linli.migration_heads")
    if cached is None:
        cached = app.extensions["linli.migration_heads"] = set(_script(app).get_heads())
    return cached


def _database_revisions() -> set[str]:
    """The revision(s) the database is at, read from Alembic's table (no MigrationContext: it logs two lines each
    time, and /readyz is asked every few seconds)."""
    connection = db.session.connection()
    if not sa.inspect(connection).has_table("alembic_version"):
        return set()
    return set(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def _known_revisions(app: Flask) -> set[str]:
    """Every revision the code's migrations define."""
    return {script.revision for script in _script(app).walk_revisions()}


def _script(app: Flask):
    """The migrations folder, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(app.extensions["migrate"].directory)


def redis_url(app: Flask) -> str | None:
    """The Redis the portal uses (REDIS_URL fills the rate limits' storage), or None."""
    for key in ("REDIS_URL", "RATELIMIT_STORAGE_URI"):
        url = app.config.get(key)
        if url and str(url).startswith(("redis://", "rediss://", "redis+unix://", "unix://")):
            return str(url)
    return None


def ping_redis(url: str, timeout: float = REDIS_TIMEOUT_S) -> None:
    """PING once, with short timeouts and no retry; raises when Redis does not answer."""
    import redis as redis_client
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    if url.startswith("redis+unix://"):  # the rate-limit library's spelling of a socket path
        url = "unix://" + url.removeprefix("redis+unix://")
    client = redis_client.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
    try:
        client.ping()
    finally:
        client.close()


def _ballot_key_path(app: Flask) -> Path:
    """Where the ballot key file is (the same default as portal.voting.ballot_key)."""
    return Path(app.config.get("PORTAL_BALLOT_KEY_FILE") or os.path.join(app.instance_path, "ballot.key"))


def _database_url(app: Flask) -> str:
    """The database URL without its password."""
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


def _redact(url: str) -> str:
    """A URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _first_line(error: BaseException) -> str:
    """An error's message without the SQL and the traceback details drivers append."""
    error = getattr(error, "orig", None) or error
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
