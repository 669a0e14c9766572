"""Security headers, CSRF (also for htmx requests), cookies and rate limits."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import make_app

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_strict_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_scripts_or_handlers(client, make, login):
    staff = make.person()
    community = make.community()
    make.staff(staff, community)
    compound = make.compound(community_=community)
    login(staff)
    for path in ["/", "/account", "/staff/", f"/staff/c/{compound.slug}/people", f"/c/{compound.slug}/"]:
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\son[a-z]+=", page), path
        assert "style=" not in page, path


@pytest.fixture
def csrf_client(database):
    app = make_app(WTF_CSRF_ENABLED=True)
    return app.test_client()


def _token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_post_without_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/lang", data={"lang": "en"})
    assert response.status_code == 400


def test_htmx_post_carries_the_token_in_a_header(csrf_client):
    page = csrf_client.get("/").get_data(as_text=True)
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    refused = csrf_client.post("/lang", data={"lang": "en"}, headers={"HX-Request": "true"})
    accepted = csrf_client.post(
        "/lang", data={"lang": "en"}, headers={"HX-Request": "true", "X-CSRFToken": header_token}
    )
    assert refused.status_code == 400
    assert accepted.status_code == 303


def test_form_post_with_token_is_accepted(csrf_client):
    token = _token(csrf_client)
    assert csrf_client.post("/lang", data={"lang": "en", "csrf_token": token}).status_code == 303


def test_session_cookie_flags(client, make, login):
    response = login(make.person())
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_outside_development(tmp_path):
    from portal.config import load

    config = load(str(tmp_path), environ={"PORTAL_ENV": "production", "SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    dev = load(str(tmp_path), environ={})
    assert dev["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("storage", ["memory://", REDIS_URL], ids=["memory", "redis"])
@pytest.mark.parametrize("path", ["/login", "/activate"])
def test_guessing_is_rate_limited(database, storage, path):
    if storage.startswith("redis"):
        import redis

        redis.Redis.from_url(storage).flushdb()
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage,
        PORTAL_LOGIN_LIMIT="3 per minute",
        PORTAL_ACTIVATION_LIMIT="3 per minute",
    )
    client = app.test_client()
    data = {"login": "nobody", "password": "wrong", "code": "AAAA-BBBB-CCCC"}
    statuses = [client.post(path, data=data).status_code for _ in range(4)]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429
    assert client.get(path).status_code == 200  # reading the form is never limited


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
