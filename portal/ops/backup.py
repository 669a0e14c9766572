"""Backup and restore (备份与恢复): the database, the upload folder and a manifest of checksums, in one directory.

A backup directory holds `database.pgdump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite,
copied with the online backup API, so a running portal is not disturbed), `uploads/` (a copy of PORTAL_UPLOAD_DIR)
and `manifest.json` (format, portal version, database kind, migration, creation time, and the SHA-256 and size of
every other file). It never holds the secret key or the ballot key: those are kept apart, and the manifest records only
a fingerprint of the ballot key, so that a restore can tell whether the right key is in place.

A restore checks every checksum before it writes anything, goes only into an empty database and an empty upload
folder, then checks the migration and the ballot key and verifies every sealed ballot box.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import Flask

from portal.audit import log as audit_log
from portal.extensions import db

FORMAT = "linli-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
UPLOADS = "uploads"
# The fingerprint is an HMAC of this fixed text under the ballot key: it tells keys apart and reveals nothing of them.
FINGERPRINT_TEXT = b"linli/backup/ballot-key-fingerprint/v1"
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
UPLOAD_FILE, UPLOAD_DIR = 0o640, 0o750  # as portal/uploads.py stores them
CHUNK = 1024 * 1024
CLIENT_PACKAGE = "the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client)"

Echo = Callable[..., None]


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass
class RestoreReport:
    """What a restore found after writing: `problems` make the command exit non-zero."""

    problems: list[str] = field(default_factory=list)
    verified: int = 0

    @property
    def ok(self) -> bool:
        """True when the restored portal is ready to start as it is."""
        return not self.problems


# --- what both directions need -----------------------------------------------------------------------------------


def database_kind() -> str:
    """ "postgresql" or "sqlite", from the configured database; anything else is refused."""
    name = db.engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"backup and restore support PostgreSQL and SQLite, not {name}")
    return name


def ballot_key_location(app: Flask) -> str:
    """Where the ballot key is read from (the environment or a file), for messages."""
    if app.config.get("PORTAL_BALLOT_KEY"):
        return "the environment variable PORTAL_BALLOT_KEY"
    return f"the file {_ballot_key_file(app)}"


def ballot_key_fingerprint(app: Flask) -> str | None:
    """16 hex digits that identify the configured ballot key without revealing it; None when no key is in place
    (a missing key file is never created here: that would put a wrong key in place of the one to restore)."""
    from portal.voting import ballot_key

    if not app.config.get("PORTAL_BALLOT_KEY") and not _ballot_key_file(app).exists():
        return None
    key = ballot_key.master(app)
    return hmac.new(key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:16]


def _ballot_key_file(app: Flask) -> Path:
    return Path(app.config.get("PORTAL_BALLOT_KEY_FILE") or Path(app.instance_path) / "ballot.key")


def migration_of(connection) -> str | None:
    """The Alembic revision the database is at (None without an alembic_version table)."""
    try:
        with connection.begin_nested() if connection.in_transaction() else connection.begin():
            return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        return None


def code_head(app: Flask) -> str:
    """The latest migration this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()


def _known_revision(app: Flask, revision: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_revision(revision)
    except Exception:  # noqa: BLE001 (alembic raises several kinds for an unknown revision)
        return False


def portal_version(app: Flask) -> dict[str, str | None]:
    """The installed package's version and, in a git checkout, `git describe`."""
    from importlib import metadata

    try:
        version = metadata.version("linli")
    except metadata.PackageNotFoundError:
        version = None
    described = None
    root = Path(app.root_path).parent
    git = shutil.which("git")
    if git and (root / ".git").exists():
        try:
            run = subprocess.run(  # noqa: S603 (fixed arguments)
                [git, "-C", str(root), "describe", "--always", "--dirty", "--tags"],
                capture_output=True,
                text=True,
                timeout=5,
            )
            described = run.stdout.strip() or None if run.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            described = None
    return {"version": version, "git": described}


def _libpq(url: sa.engine.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for the PostgreSQL tools, with the password in the environment (not in `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> tuple[str, int]:
    """The PostgreSQL tool on PATH and its major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install {CLIENT_PACKAGE}")
    run = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", run.stdout)
    if run.returncode != 0 or found is None:
        raise BackupError(f"{path} --version did not answer with a version: {run.stderr.strip() or run.stdout}")
    return path, int(found.group(1))


def _server_version() -> tuple[int, str]:
    """The PostgreSQL server's major version and full version text."""
    number = int(db.session.scalar(sa.text("SHOW server_version_num")))
    text = db.session.scalar(sa.text("SHOW server_version"))
    return number // 10000, str(text).split()[0]


def _digest(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _mkdirs(path: Path, mode: int) -> None:
    """Create a directory and its missing parents, each with `mode` (mkdir's parents=True ignores it for parents)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=mode)
        folder.chmod(mode)  # the umask may have taken bits away


def _copy_file(source: Path, target: Path, mode: int) -> None:
    """Copy one file into a new file created with `mode` from the start."""
    with open(source, "rb") as src, open(target, "xb", opener=lambda p, f: os.open(p, f, mode)) as dst:
        shutil.copyfileobj(src, dst, CHUNK)
        dst.flush()
        os.fsync(dst.fileno())
    target.chmod(mode)


def _private_file(path: Path) -> None:
    """An empty file with mode 600, for a tool to write into."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    path.chmod(PRIVATE_FILE)


def _upload_files(folder: Path) -> list[Path]:
    """Every regular file under the upload folder (relative paths, sorted); links and the like are not uploads."""
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# --- backup ------------------------------------------------------------------------------------------------------


def backup(app: Flask, target: Path, echo: Echo) -> dict:
    """Write a backup into the new directory `target` and return its manifest; the directory appears only complete
    (it is written beside it under a temporary name and renamed at the end)."""
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not empty: a backup goes into a new (or empty) directory")
    kind = database_kind()
    _mkdirs(target.parent, PRIVATE_DIR)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))  # mode 700
    try:
        database = {"kind": kind, "file": DATABASE_FILES[kind]}
        if kind == "postgresql":
            migration = _postgresql_migration()
            database.update(_dump_postgresql(work / DATABASE_FILES[kind], echo))
        else:
            migration = _copy_sqlite(work / DATABASE_FILES[kind])
        if migration is None:
            raise BackupError("the database has no migration recorded: is it a Linli database? (flask db upgrade)")
        # After the database: a file uploaded meanwhile is one too many (harmless), never one missing.
        folder = Path(app.config["PORTAL_UPLOAD_DIR"])
        uploads = _upload_files(folder)
        for relative in uploads:
            _mkdirs((work / UPLOADS / relative).parent, PRIVATE_DIR)
            _copy_file(folder / relative, work / UPLOADS / relative, PRIVATE_FILE)
        files = []
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            sha, size = _digest(path)
            files.append({"path": path.relative_to(work).as_posix(), "sha256": sha, "size": size})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "portal": portal_version(app),
            "database": database,
            "migration": migration,
            "ballot_key_fingerprint": ballot_key_fingerprint(app),
            "files": files,
        }
        with open(work / MANIFEST, "x", encoding="utf-8", opener=lambda p, f: os.open(p, f, PRIVATE_FILE)) as out:
            json.dump(manifest, out, ensure_ascii=False, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(work, target)  # an empty `target` is replaced; rename(2) refuses a non-empty one
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    size = sum(f["size"] for f in files)
    audit_log.info(
        "backup written dir=%s database=%s migration=%s files=%d bytes=%d", target, kind, migration, len(files), size
    )
    return manifest


def _dump_postgresql(path: Path, echo: Echo) -> dict:
    """pg_dump in its custom format (one consistent snapshot); refuses a server newer than the client."""
    pg_dump, client = _tool("pg_dump")
    server, server_text = _server_version()
    db.session.remove()
    if server > client:
        raise BackupError(
            f"pg_dump is version {client} but the server runs PostgreSQL {server_text}: pg_dump cannot dump a newer "
            f"server. Install the client of version {server} (e.g. apt-get install postgresql-client-{server}) and "
            "put its pg_dump first on PATH."
        )
    if client > server:
        echo(f"note: pg_dump {client} with a PostgreSQL {server_text} server; restore it with pg_restore {client} "
             "or newer")  # fmt: skip
    conninfo, env = _libpq(db.engine.url)
    _private_file(path)
    run = subprocess.run(  # noqa: S603 (arguments built here, no shell)
        [pg_dump, "--format=custom", "--no-password", f"--file={path}", f"--dbname={conninfo}"],
        env=env,
        capture_output=True,
        text=True,
        umask=0o077,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {run.returncode}): {run.stderr.strip()}")
    return {"server_version": server_text, "pg_dump_version": client}


def _copy_sqlite(path: Path) -> str | None:
    """SQLite's online backup API: a consistent copy while the portal keeps running; returns its migration."""
    source = db.engine.url.database
    if not source or source == ":memory:":
        raise BackupError("the configured SQLite database is in memory: there is nothing to back up")
    _private_file(path)
    src = sqlite3.connect(Path(source).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
            # The copy is one self-contained file: no -wal or -shm beside it (the portal turns WAL on again).
            dst.execute("PRAGMA journal_mode=DELETE")
            row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:  # no alembic_version: not a Linli database (refused by the caller)
            row = None
        finally:
            dst.close()
    finally:
        src.close()
    return row[0] if row else None


def _postgresql_migration() -> str | None:
    """The migration the PostgreSQL database is at."""
    try:
        with db.engine.connect() as connection:
            return migration_of(connection)
    finally:
        db.session.remove()


# --- restore -----------------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    """The manifest of a backup directory, with its format checked."""
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: it is not a Linli backup directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not valid JSON ({error}); nothing was restored") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Linli backup manifest; nothing was restored")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')} is not the one this portal reads "
            f"({FORMAT_VERSION}); nothing was restored"
        )
    return manifest


def check_files(source: Path, manifest: dict) -> list[str]:
    """Every file listed must be there with its size and SHA-256, and nothing else may be: the problems found."""
    source = Path(source).resolve()
    problems, listed = [], set()
    for entry in manifest.get("files") or []:
        name = str(entry.get("path", ""))
        relative = PurePosixPath(name)
        if not name or relative.is_absolute() or ".." in relative.parts:
            problems.append(f"{name!r}: not a path inside the backup")
            continue
        listed.add(name)
        path = source / relative
        if not path.is_file() or path.is_symlink():
            problems.append(f"{name}: missing")
            continue
        sha, size = _digest(path)
        if size != entry.get("size") or sha != entry.get("sha256"):
            problems.append(f"{name}: checksum mismatch (size {size}, SHA-256 {sha[:16]}…; the manifest says size "
                            f"{entry.get('size')}, SHA-256 {str(entry.get('sha256'))[:16]}…)")  # fmt: skip
    database = manifest.get("database") or {}
    if database.get("file") not in listed or database.get("file") != DATABASE_FILES.get(database.get("kind")):
        problems.append(f"the manifest lists no {database.get('kind')} database file")
    for path in sorted(source.rglob("*")):
        name = path.relative_to(source).as_posix()
        if (path.is_file() or path.is_symlink()) and name != MANIFEST and name not in listed:
            problems.append(f"{name}: not listed in the manifest")
    return problems


def existing_tables() -> list[str]:
    """The tables, views and sequences in the configured database, outside the system schemas.

    "Empty" means this list is empty: PostgreSQL with no relation in any schema other than pg_catalog,
    information_schema and pg_toast (an empty `public` schema and installed extensions are fine); SQLite with no table
    or view (a missing or 0-byte file is empty).
    """
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
        else:
            query = (
                "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', "
                "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
            )
        return sorted(connection.scalars(sa.text(query)))


def restore(app: Flask, source: Path, echo: Echo) -> RestoreReport:
    """Restore the backup in `source` into the configured (empty) database and upload folder, then check it.

    Everything that can refuse does so before the first write (BackupError); problems found after writing (another
    migration, another ballot key, a ballot box that does not verify) are in the report."""
    source = Path(source)
    manifest = read_manifest(source)
    problems = check_files(source, manifest)
    if problems:
        raise BackupError(
            "the backup does not match its manifest (checksum or file list); nothing was restored:\n  "
            + "\n  ".join(problems)
        )
    kind = database_kind()
    if manifest["database"]["kind"] != kind:
        raise BackupError(
            f"this is a backup of a {manifest['database']['kind']} database but the configured database is {kind}; "
            "restore it into the same kind of database. Nothing was restored."
        )
    tables = existing_tables()
    db.session.remove()
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise BackupError(
            f"the target database is not empty: it has {len(tables)} table(s), view(s) or sequence(s) ({shown}). "
            "A restore goes only into an empty database (no tables, views or sequences; an empty public schema is "
            "fine): create a new database, or drop and recreate this one. Nothing was restored."
        )
    folder = Path(app.config["PORTAL_UPLOAD_DIR"])
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"the upload folder {folder} is not empty: a restore goes into an empty one. "
                          "Nothing was restored.")  # fmt: skip
    database_file = source / manifest["database"]["file"]
    if kind == "postgresql":
        pg_restore = _restore_tool(manifest)
        _restore_postgresql(pg_restore, database_file)
    else:
        _restore_sqlite(database_file)
    echo(f"database restored from {database_file}")
    uploads = [f["path"] for f in manifest["files"] if f["path"].startswith(UPLOADS + "/")]
    _mkdirs(folder, UPLOAD_DIR)
    for name in uploads:
        target = folder / PurePosixPath(name).relative_to(UPLOADS)
        _mkdirs(target.parent, UPLOAD_DIR)
        _copy_file(source / name, target, UPLOAD_FILE)
    echo(f"{len(uploads)} uploaded file(s) restored into {folder}")
    report = RestoreReport()
    at_head = _check_migration(app, manifest, report, echo)
    key_in_place = _check_ballot_key(app, manifest, report, echo)
    if at_head:
        _verify_sealed(key_in_place, report, echo)
    audit_log.info(
        "backup restored dir=%s database=%s migration=%s files=%d problems=%d",
        source.absolute(),
        kind,
        manifest["migration"],
        len(uploads),
        len(report.problems),
    )
    return report


def _restore_tool(manifest: dict) -> str:
    """pg_restore, new enough to read the archive; a server older than the backed-up one is only warned about."""
    pg_restore, client = _tool("pg_restore")
    made_by = int(manifest["database"].get("pg_dump_version") or 0)
    if client < made_by:
        raise BackupError(
            f"the backup was written by pg_dump {made_by} and pg_restore is version {client}: it cannot read a newer "
            f"archive. Install {CLIENT_PACKAGE} of version {made_by} or newer. Nothing was restored."
        )
    return pg_restore


def _restore_postgresql(pg_restore: str, dump: Path) -> None:
    """pg_restore in one transaction (all or nothing), owned by the configured user."""
    conninfo, env = _libpq(db.engine.url)
    db.engine.dispose()
    run = subprocess.run(  # noqa: S603 (arguments built here, no shell)
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],  # fmt: skip
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(
            f"pg_restore failed (exit {run.returncode}); it ran in one transaction, so nothing was restored:\n"
            + run.stderr.strip()
        )


def _restore_sqlite(copy: Path) -> None:
    """Put the backed-up file in place of the (empty) database file: copied beside it, then renamed over it."""
    path = Path(db.engine.url.database or "")
    if not db.engine.url.database or str(path) == ":memory:":
        raise BackupError("the configured SQLite database is in memory: there is nowhere to restore to")
    db.session.remove()
    db.engine.dispose()  # pooled connections would keep the empty file open under the new one
    _mkdirs(path.parent, PRIVATE_DIR)
    temporary = path.with_name(f".{path.name}.restoring")
    temporary.unlink(missing_ok=True)
    _copy_file(copy, temporary, PRIVATE_FILE)
    for suffix in ("-wal", "-shm", "-journal"):  # the empty database's leftovers must not be replayed onto the copy
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(temporary, path)


def _check_migration(app: Flask, manifest: dict, report: RestoreReport, echo: Echo) -> bool:
    """The restored database is at the manifest's migration, and that is this code's head (else: what to do)."""
    with db.engine.connect() as connection:
        restored = migration_of(connection)
    head = code_head(app)
    if restored != manifest["migration"]:
        report.problems.append(f"the restored database is at migration {restored}, the manifest says "
                               f"{manifest['migration']}")  # fmt: skip
        return False
    if restored == head:
        echo(f"migration: {restored} (this code's head)")
        return True
    if _known_revision(app, restored):
        report.problems.append(
            f"the backup is at migration {restored}, older than this code's {head}: run `flask --app app db upgrade`, "
            "then `flask --app app portal verify-vote ID` for each sealed vote"
        )
    else:
        report.problems.append(
            f"the backup is at migration {restored}, which this code does not know (its head is {head}): install the "
            f"portal version that wrote the backup ({manifest.get('portal')}) or a newer one"
        )
    return False


def _check_ballot_key(app: Flask, manifest: dict, report: RestoreReport, echo: Echo) -> bool:
    """Compare the configured ballot key with the backup's fingerprint; True when a key is in place."""
    from portal.voting import ballot_key

    secret = db.session.execute(
        sa.text("SELECT status, count(*) FROM vote WHERE secrecy = 'secret' GROUP BY status")
    ).all()
    db.session.remove()
    open_secret = sum(n for status, n in secret if status == "open")
    current, recorded = ballot_key_fingerprint(app), manifest.get("ballot_key_fingerprint")
    where = ballot_key_location(app)
    if current is None:
        message = (f"no ballot key is in place ({where} is missing): put the ballot key kept with this backup "
                   "there before starting Linli")  # fmt: skip
        if secret:
            report.problems.append(message + "; without it the secret votes can be neither verified nor sealed")
        else:
            echo(f"note: {message}")
        return False
    if recorded is None:
        echo("note: the backup records no ballot key fingerprint (none was in place when it was written)")
    elif current != recorded:
        warning = (f"the configured ballot key ({where}, fingerprint {current}) differs from the one in use when the "
                   f"backup was written (fingerprint {recorded})")  # fmt: skip
        echo(f"WARNING: {warning}", err=True)
        if open_secret:
            try:
                ballot_key.check(app)
            except ballot_key.BallotKeyError as error:
                warning += f". {error}"
            report.problems.append(warning)
        elif secret:
            report.problems.append(f"{warning}: the sealed secret votes do not verify until the right key is in place")
    else:
        echo(f"ballot key: the same as when the backup was written (fingerprint {current})")
    return True


def _verify_sealed(key_in_place: bool, report: RestoreReport, echo: Echo) -> None:
    """`verify` on every sealed vote, one line each (a secret one only when a ballot key is in place)."""
    from portal.voting.models import Secrecy, Vote
    from portal.voting.verify import verify

    try:
        votes = db.session.scalars(sa.select(Vote).where(Vote.digest.is_not(None)).order_by(Vote.id)).all()
        echo(f"verifying {len(votes)} sealed vote(s):")
        for vote in votes:
            if vote.secrecy == Secrecy.secret and not key_in_place:
                report.problems.append(f"vote {vote.id}: not verified (secret, and no ballot key in place)")
                echo(f"  vote {vote.id} ({vote.title}): NOT VERIFIED, no ballot key", err=True)
                continue
            result = verify(vote)
            if result.ok:
                report.verified += 1
                echo(f"  vote {vote.id} ({vote.title}): OK, {result.ballot_count} ballots, digest {result.digest}")
            else:
                echo(f"  vote {vote.id} ({vote.title}): FAILED", err=True)
                for problem in result.problems:
                    echo(f"    {problem}", err=True)
                report.problems.extend(f"vote {vote.id}: {p}" for p in result.problems)
    finally:
        db.session.remove()
