"""Test set-up: one schema per run built by the migrations; every test runs in a transaction rolled back after it.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import tempfile
from types import SimpleNamespace

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
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


TEST_DATABASE_URL = _database_url()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` test races only PostgreSQL can have: the SQLite run leaves them out (deselected,
    and counted as such); the PostgreSQL run, which CI always makes, runs them."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        left_out = [item for item in items if item.get_closest_marker("postgresql")]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


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

    for name in ("_login_user", "_roles_cache", "_staff_cache", "_org_cache"):
        g.pop(name, None)
    refresh()


@pytest.fixture
def database(app):
    """An app context whose session works inside one outer transaction, rolled back after the test."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # the session binds here; app commits only release savepoints
        factory_kw = db.session.session_factory.kw
        factory_kw["join_transaction_mode"] = "create_savepoint"
        db.session.remove()
        try:
            yield db
        finally:
            db.session.remove()
            factory_kw.pop("join_transaction_mode", None)
            engines[None] = engine
            transaction.rollback()
            connection.close()


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
    from decimal import Decimal

    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Community, Compound, Entrance, Unit
    from portal.register.models import Ownership
    from portal.roles.models import CommitteePost, CommunityStaff, Membership, Role

    counter = iter(range(1, 10**6))

    def community(name=None):
        row = Community(name=name or f"社区{next(counter)}")
        db.session.add(row)
        db.session.commit()
        return row

    def compound(slug=None, name=None, community_=None):
        row = Compound(
            slug=slug or f"c{next(counter)}", name=name or f"小区{next(counter)}", community=community_ or community()
        )
        db.session.add(row)
        db.session.commit()
        return row

    def person(name=None, account_no=None, active=True, admin=False, **kw):
        n = next(counter)
        row = Person(
            name=name or f"测试{n}",
            account_no=account_no or f"t{n:06d}",
            password_hash=password_hash if active else None,
            is_platform_admin=admin,
            **kw,
        )
        db.session.add(row)
        db.session.commit()
        return row

    def member(person_, compound_, role="owner", post=None):
        row = Membership(
            person_id=person_.id,
            compound_id=compound_.id,
            role=Role(role),
            post=CommitteePost(post) if post else (CommitteePost.member if role == "committee" else None),
        )
        db.session.add(row)
        db.session.commit()
        return row

    def staff(person_, community_):
        db.session.add(CommunityStaff(person_id=person_.id, community_id=community_.id))
        db.session.commit()

    def unit(compound_, room="101", area="88.50", building="1栋", entrance="1单元", owners=(), voter=0):
        b = db.session.scalar(sa.select(Building).filter_by(compound_id=compound_.id, name=building))
        if b is None:
            b = Building(compound_id=compound_.id, name=building)
            db.session.add(b)
            db.session.flush()
        e = None
        if entrance:
            e = db.session.scalar(sa.select(Entrance).filter_by(building_id=b.id, name=entrance))
            if e is None:
                e = Entrance(building_id=b.id, name=entrance)
                db.session.add(e)
                db.session.flush()
        row = Unit(
            compound_id=compound_.id,
            building_id=b.id,
            entrance_id=e.id if e else None,
            room=room,
            unit_key=f"{building}|{entrance or ''}|{room}",
            area_m2=Decimal(area),
            area_source=AreaSource.registered,
        )
        db.session.add(row)
        db.session.flush()
        for i, owner in enumerate(owners):
            db.session.add(Ownership(unit_id=row.id, person_id=owner.id, is_designated_voter=(i == voter)))
        db.session.commit()
        return row

    return SimpleNamespace(community=community, compound=compound, person=person, member=member, staff=staff, unit=unit)


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
