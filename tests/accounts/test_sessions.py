"""Sessions end for real: logout and password change end every session of the person, login renews the CSRF token,
personal pages are never stored (issue 11, item 5)."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from portal.accounts.models import Person
from portal.extensions import db
from tests.conftest import PASSWORD

REMEMBER = "remember_token"


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _copy(app, client, *names: str):
    """A second client holding copies of some cookies of the first: an attacker's, or another phone's."""
    other = app.test_client()
    for name in names:
        value = _cookie(client, name)
        assert value, f"no {name} cookie to copy"
        other.set_cookie(name, value)
    return other


def _log_in(client, person, remember=False):
    data = {"login": person.account_no, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def _refused(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_a_copied_session_cookie(app, client, make):
    person = make.person()
    _log_in(client, person)
    thief = _copy(app, client, "session")
    assert thief.get("/account").status_code == 200
    client.post("/logout")
    assert _refused(thief.get("/account"))
    assert _refused(client.get("/account"))


def test_logout_ends_a_copied_remember_cookie(app, client, make):
    person = make.person()
    _log_in(client, person, remember=True)
    thief = _copy(app, client, REMEMBER)  # only the remember cookie: a browser restarted later
    assert thief.get("/account").status_code == 200
    client.post("/logout")
    fresh = app.test_client()  # a new browser session, so only the copied remember cookie speaks
    fresh.set_cookie(REMEMBER, _cookie(thief, REMEMBER))
    assert _refused(fresh.get("/account"))


def test_remember_cookie_lasts_30_days_and_is_httponly_and_lax(app, client, make):
    _log_in(client, make.person(), remember=True)
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    # Secure outside development: tests/test_security.py::test_secure_cookies_outside_development
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 30


def test_login_form_offers_stay_logged_in_ticked(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="remember"|<input[^>]*name="remember"[^>]*checked', page)


def test_without_remember_no_remember_cookie(client, make):
    _log_in(client, make.person())
    assert _cookie(client, REMEMBER) is None


def test_password_change_logs_out_other_sessions_but_not_this_one(app, client, make):
    person = make.person()
    _log_in(client, person, remember=True)
    other_phone = app.test_client()
    _log_in(other_phone, person)
    old_remember = _cookie(client, REMEMBER)
    data = {"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1"}
    assert client.post("/account", data=data).status_code == 303
    assert client.get("/account").status_code == 200  # carries on with the new version
    assert _refused(other_phone.get("/account"))
    # This client's remember cookie was renewed; a copy of the old one is refused.
    assert _cookie(client, REMEMBER) != old_remember
    stale = app.test_client()
    stale.set_cookie(REMEMBER, old_remember)
    assert _refused(stale.get("/account"))
    renewed = _copy(app, client, REMEMBER)
    assert renewed.get("/account").status_code == 200


def test_old_format_session_with_a_bare_id_is_refused(client, make):
    person = make.person()
    _log_in(client, person)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{person.id}:{person.session_version}"
        session["_user_id"] = str(person.id)
    assert _refused(client.get("/account"))


@pytest.mark.parametrize("stored", ["{id}:0", "{id}:x", "{id}:", ":1", "99999999999999999999:1"])
def test_malformed_or_outdated_ids_are_refused(client, make, stored):
    person = make.person()
    _log_in(client, person)
    with client.session_transaction() as session:
        session["_user_id"] = stored.format(id=person.id)
    assert _refused(client.get("/account"))


def _form_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_login_renews_the_csrf_token(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    person = make.person()
    before = _form_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": person.account_no, "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 303
    after = _form_token(client.get("/account").get_data(as_text=True))
    raw = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    assert raw.loads(before) != raw.loads(after)  # a new secret, not the old one signed again
    data = {"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1"}
    assert client.post("/account", data={**data, "csrf_token": before}).status_code == 400
    assert client.post("/account", data={**data, "csrf_token": after}).status_code == 303


def test_personal_pages_are_not_stored(client, make):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    _log_in(client, make.person())
    for url in ("/account", "/", "/no-such-page"):  # error pages too: they show the person's name in the menu
        assert client.get(url).headers["Cache-Control"] == "no-store, private", url


def test_static_files_keep_their_own_caching(client, make):
    _log_in(client, make.person())
    response = client.get("/static/vendor/htmx.min.js")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_logout_raises_the_version_once(client, make):
    person = make.person()
    _log_in(client, person)
    client.post("/logout")
    assert db.session.get(Person, person.id).session_version == 2
