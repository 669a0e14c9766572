"""Backup and restore (issue 11, item 10): the populated demo, backed up with `portal backup` and restored with
`portal restore` into a fresh database, has every table's rows identical and every sealed vote verifying; a tampered
backup and a non-empty target are refused before anything is written.

Backup and restore work on committed data seen by other connections (pg_dump, pg_restore, SQLite's backup API), so
this module builds its own databases: on PostgreSQL databases of their own next to the test database
(`<test database>_backup_src` and so on, created fresh and dropped at the end), on SQLite files of their own.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal import demo
from portal.config import normalise_database_url
from portal.extensions import db
from portal.voting.models import Secrecy, Vote
from portal.voting.verify import verify
from tests.conftest import TEST_BALLOT_KEY, TEST_DATABASE_URL, make_app

POSTGRES = not TEST_DATABASE_URL.startswith("sqlite")
UPLOAD = ("3f/3fa1c0de.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)  # a stored upload, kept by its hash


def _server():
    """An engine on the server's maintenance database, for CREATE and DROP DATABASE."""
    url = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL)).set(database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _drop(name: str) -> None:
    server = _server()
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """Builder of empty places to restore into: a fresh database (empty public schema, or no SQLite file yet), an
    upload folder that does not exist yet, and an app configured for both."""
    root = tmp_path_factory.mktemp("backup-places")
    base = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL))
    made: list[tuple] = []

    def place(name: str, ballot_key: str = TEST_BALLOT_KEY) -> SimpleNamespace:
        if POSTGRES:
            database = f"{base.database}_backup_{name}"
            _drop(database)
            server = _server()
            with server.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
            server.dispose()
            url = base.set(database=database).render_as_string(hide_password=False)
        else:
            database = None
            url = "sqlite:///" + str(root / f"{name}.sqlite3")
        uploads = root / f"uploads-{name}"
        app = make_app(SQLALCHEMY_DATABASE_URI=url, PORTAL_UPLOAD_DIR=str(uploads), PORTAL_BALLOT_KEY=ballot_key)
        made.append((app, database))
        return SimpleNamespace(app=app, url=url, uploads=uploads)

    yield place
    for app, database in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if database:
            _drop(database)


@pytest.fixture(scope="module")
def source(places):
    """The populated demo, committed, with one stored upload."""
    from flask_migrate import upgrade

    src = places("src")
    with src.app.app_context():
        upgrade()
        demo.create()
        db.session.commit()
        db.session.remove()
    path = src.uploads / UPLOAD[0]
    path.parent.mkdir(parents=True)
    path.write_bytes(UPLOAD[1])
    return src


@pytest.fixture(scope="module")
def backup_dir(source, tmp_path_factory) -> Path:
    """The demo's backup, written by the command."""
    target = tmp_path_factory.mktemp("backups") / "linli-2026-01-01"
    result = source.app.test_cli_runner().invoke(args=["portal", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "ballot key" in result.output and "SECRET_KEY" in result.output  # the reminder to keep them apart
    return target


def _tables(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, all columns, ordered by primary key (by every column where there is none)."""
    engine = sa.create_engine(normalise_database_url(url))
    rows = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in inspector.get_table_names():
            order = inspector.get_pk_constraint(name)["constrained_columns"] or [
                c["name"] for c in inspector.get_columns(name)
            ]
            columns = ", ".join(f'"{c}"' for c in order)
            rows[name] = conn.exec_driver_sql(f'SELECT * FROM "{name}" ORDER BY {columns}').all()  # noqa: S608
    engine.dispose()
    return rows


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _restore(place, directory: Path):
    return place.app.test_cli_runner().invoke(args=["portal", "restore", str(directory)])


def test_backup_holds_database_uploads_and_manifest_but_no_key(source, backup_dir):
    assert stat.S_IMODE(backup_dir.stat().st_mode) == 0o700
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["database"]["kind"] == ("postgresql" if POSTGRES else "sqlite")
    assert manifest["migration"] and manifest["created_at"].endswith("Z") and manifest["portal"]["version"]
    assert len(manifest["ballot_key_fingerprint"]) == 16
    listed = {f["path"]: f for f in manifest["files"]}
    assert "uploads/" + UPLOAD[0] in listed and listed["uploads/" + UPLOAD[0]]["size"] == len(UPLOAD[1])
    on_disk = [p for p in backup_dir.rglob("*")]
    uploads = {"uploads/" + p.relative_to(source.uploads).as_posix() for p in source.uploads.rglob("*") if p.is_file()}
    assert set(listed) == {manifest["database"]["file"]} | uploads  # one self-contained database file
    assert {str(p.relative_to(backup_dir)) for p in on_disk if p.is_file()} == set(listed) | {"manifest.json"}
    for path in on_disk:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
        assert TEST_BALLOT_KEY.encode() not in path.read_bytes() if path.is_file() else True


def test_backup_refuses_a_directory_that_is_not_empty(source, tmp_path):
    (tmp_path / "old.txt").write_text("something")
    result = source.app.test_cli_runner().invoke(args=["portal", "backup", str(tmp_path)])
    assert result.exit_code != 0 and "not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_restore_gives_identical_rows_and_verified_votes(places, source, backup_dir, tmp_path):
    target = places("dst")
    # One byte changed anywhere: refused before anything is written.
    tampered = tmp_path / "tampered"
    shutil.copytree(backup_dir, tampered)
    database_file = tampered / json.loads((tampered / "manifest.json").read_text())["database"]["file"]
    data = bytearray(database_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    database_file.write_bytes(bytes(data))
    result = _restore(target, tampered)
    assert result.exit_code != 0 and "checksum" in result.output and "nothing was restored" in result.output
    assert _tables(target.url) == {} and not target.uploads.exists()

    result = _restore(target, backup_dir)
    assert result.exit_code == 0, result.output
    assert _tables(target.url) == _tables(source.url)
    assert _files(target.uploads) == _files(source.uploads) and UPLOAD[0] in _files(target.uploads)
    with target.app.app_context():
        sealed = db.session.scalars(sa.select(Vote).where(Vote.digest.is_not(None))).all()
        assert {v.secrecy for v in sealed} == {Secrecy.named, Secrecy.secret}
        assert all(verify(v).ok for v in sealed)
        db.session.remove()
    assert result.output.count(": OK") == len(sealed)

    # The restored database is no longer empty: a second restore into it is refused.
    result = _restore(target, backup_dir)
    assert result.exit_code != 0 and "not empty" in result.output


def test_restore_with_another_ballot_key_fails_loudly(places, backup_dir):
    target = places("otherkey", ballot_key="ab" * 32)
    result = _restore(target, backup_dir)
    assert result.exit_code != 0
    assert "ballot key" in result.output and "differs" in result.output
