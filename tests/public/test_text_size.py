"""大字 / 标准字: large text kept on the person when logged in and in a cookie for everyone, from a plain POST form."""

from __future__ import annotations

import re

import pytest

from portal.accounts.models import Person

LARGE = '<html lang="zh-Hans" class="text-large">'
STANDARD = '<html lang="zh-Hans">'


def test_every_page_offers_large_text_and_starts_standard(client):
    page = client.get("/login").get_data(as_text=True)
    assert STANDARD in page
    assert re.search(r'action="/text".*?name="next" value="/login".*?name="text" value="large"[^>]*>大字<', page, re.S)


def test_a_visitor_keeps_large_text_in_a_cookie(client):
    response = client.post("/text", data={"text": "large", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "text=large" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/login").get_data(as_text=True)
    assert LARGE in page and 'name="text" value="standard"' in page and ">标准字<" in page
    client.post("/text", data={"text": "standard", "next": "/login"})
    assert STANDARD in client.get("/login").get_data(as_text=True)


def test_a_person_keeps_large_text_on_the_account(client, make, login, database):
    person = make.person()
    login(person)
    response = client.post("/text", data={"text": "large", "next": "/account"})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert database.session.get(Person, person.id).large_text is True
    client.post("/logout")
    client.delete_cookie("text")
    assert STANDARD in client.get("/").get_data(as_text=True)
    login(person)  # another phone: no cookie, the account remembers
    assert LARGE in client.get("/").get_data(as_text=True)


def test_the_account_wins_over_the_browser(client, make, login, database):
    person = make.person()
    client.post("/text", data={"text": "large"})  # this browser's visitor chose large text
    login(person)
    assert STANDARD in client.get("/").get_data(as_text=True)
    client.post("/text", data={"text": "large"})
    client.post("/text", data={"text": "standard"})
    assert database.session.get(Person, person.id).large_text is False
    assert STANDARD in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_text_switch_never_follows_a_foreign_next(client, target):
    response = client.post("/text", data={"text": "large", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "text=large" in response.headers["Set-Cookie"]


def test_an_unknown_size_goes_back_without_a_cookie(client):
    response = client.post("/text", data={"text": "huge", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "text=" not in response.headers.get("Set-Cookie", "")
    assert STANDARD in client.get("/login").get_data(as_text=True)


def test_the_switch_needs_the_pages_csrf_token(app, client, monkeypatch):
    """With JavaScript off the form posts the token it carries; without it nothing changes."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/text", data={"text": "large"}).status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'action="/text".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1)
    response = client.post("/text", data={"text": "large", "next": "/login", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert LARGE in client.get("/login").get_data(as_text=True)
