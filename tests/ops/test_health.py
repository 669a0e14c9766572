"""/healthz and /readyz: small JSON for the proxy and the monitor, no login, no cookie, never cached."""

from __future__ import annotations

import pytest

from portal.extensions import db


def _plain(response) -> None:
    """What every health answer shares: JSON, never cached, no cookie, the request id."""
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Request-ID"]


def test_healthz_says_ok_and_touches_nothing(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    _plain(response)


def test_readyz_reports_each_part(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "ok",
        "redis": "not configured",
    }
    _plain(response)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_logged_in_browser_gets_no_cookie_either(client, make, login, path):
    login(make.person())
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get("/account").status_code == 200  # and the session is still there afterwards


def test_readyz_pings_redis_when_it_is_configured(client, app, monkeypatch):
    from tests.test_security import REDIS_URL

    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", REDIS_URL)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redis"] == "ok"


def test_readyz_is_503_when_redis_is_unreachable(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["redis"] == "failed"
    assert body["database"] == body["migrations"] == "ok"
    _plain(response)


def test_readyz_is_503_when_the_database_is_behind(client, database):
    version = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.execute(db.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()  # the test's savepoint: rolled back after the test
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "failed"
    assert version != "0001"


def test_health_is_not_rate_limited_nor_needs_csrf(database):
    from tests.conftest import make_app

    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    statuses = {client.get(path).status_code for _ in range(30) for path in ("/healthz", "/readyz")}
    assert statuses == {200}


def test_readyz_is_503_when_the_database_cannot_be_reached(database, tmp_path):
    from tests.conftest import make_app

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no-such-folder/linli.sqlite3")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "database": "failed",
        "migrations": "failed",
        "redis": "not configured",
    }
    assert app.test_client().get("/healthz").status_code == 200  # alive, just not ready
