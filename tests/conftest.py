"""Test set-up: one schema per run built by the migrations; every test runs in a transaction rolled back after it.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import tempfile

import pytest
import sqlalchemy as sa
from flask import g, request_started

from portal import create_app
from portal.extensions import db

PASSWORD = "correct horse battery"


def _database_url() -> str:
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if url:
        return url
    # Kept in the environment so that a second import of this module (as tests.conftest) agrees.
    path = os.environ.setdefault(
        "LINLI_TEST_SQLITE_PATH", os.path.join(tempfile.mkdtemp(prefix="linli-test-"), "test.sqlite3")
    )
    return "sqlite:///" + path


def _reset_schema(url: str) -> None:
    """Start from an empty database: PostgreSQL drops and recreates the public schema."""
    if url.startswith("sqlite"):
        return
    from portal.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def make_app(**overrides):
    """An app configured for tests (CSRF and rate limits off unless a test turns them on)."""
    config = {
        "TESTING": True,
        "PORTAL_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "PORTAL_BALLOT_KEY": TEST_BALLOT_KEY,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


TEST_DATABASE_URL = _database_url()
TEST_BALLOT_KEY = "5e" * 32


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` test races only PostgreSQL can have: the SQLite run leaves them out (deselected,
    and counted as such); the PostgreSQL run, which CI always makes, runs them."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        left_out = [item for item in items if item.get_closest_marker("postgresql")]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI=true) nothing may be skipped: a skipped test fails the run, whatever skipped it."""
    if os.environ.get("CI", "").lower() != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} skipped test(s) fail the run:", red=True)
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def app():
    """The app, with the schema built by running every migration."""
    from flask_migrate import upgrade

    _reset_schema(TEST_DATABASE_URL)
    application = make_app()
    with application.app_context():
        upgrade()
    # Tests keep one app context open across requests: forget per-request caches when a request starts.
    request_started.connect(_forget_request_caches, application)
    return application


def _forget_request_caches(sender, **extra) -> None:
    from flask_babel import refresh

    # csrf_valid: Flask-WTF's note that CSRFProtect passed this request's token (else a form skips its own check)
    for name in ("_login_user", "_roles_cache", "_staff_cache", "_org_cache", "csrf_valid"):
        g.pop(name, None)
    refresh()


@pytest.fixture(scope="module")
def module_transaction(app):
    """One connection per test module, inside a transaction rolled back when the module ends. Each test works in a
    savepoint of it (`database`), so data a module builds once (the permission tests' world) is there, unchanged, for
    every test; the app's commits only release the session's own savepoints."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # the session binds here
        factory_kw = db.session.session_factory.kw
        factory_kw["join_transaction_mode"] = "create_savepoint"
        db.session.remove()
        try:
            yield connection
        finally:
            db.session.remove()
            factory_kw.pop("join_transaction_mode", None)
            engines[None] = engine
            transaction.rollback()
            connection.close()


@pytest.fixture
def database(app, module_transaction):
    """An app context whose session works inside a savepoint of the module's transaction, rolled back after the test."""
    with app.app_context():
        savepoint = module_transaction.begin_nested()
        db.session.remove()
        try:
            yield db
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()


@pytest.fixture
def client(app, database):
    """A test client sharing the test's transaction."""
    return app.test_client()


@pytest.fixture(scope="session")
def password_hash():
    """One cheap hash for every test person: scrypt is slow on purpose, and logging in is not what most tests test
    (tests/accounts checks the real scrypt hashing)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@pytest.fixture
def make(database, password_hash):
    """Builders for test data; each commits (a savepoint) so a request's rollback cannot undo it."""
    from tests.factories import builders

    return builders(password_hash)


@pytest.fixture
def login(client):
    """Log a person in through the real login form."""

    def _login(person, password=PASSWORD):
        response = client.post("/login", data={"login": person.account_no, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture
def upload_dir(app, monkeypatch, tmp_path):
    """Uploaded files (attachments, photos) go to a fresh folder."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(folder))
    return folder
