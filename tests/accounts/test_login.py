"""Login and logout; errors never reveal whether an account exists."""

from __future__ import annotations

import re


def _error(response) -> str:
    match = re.search(r'id="password-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert match, "no error shown next to the password"
    return match.group(1)


def test_login_with_account_number(client, make, login):
    person = make.person()
    response = login(person)
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_account_look_the_same(client, make):
    person = make.person()
    wrong = client.post("/login", data={"login": person.account_no, "password": "wrong password"})
    unknown = client.post("/login", data={"login": "nobody-here", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 400
    assert _error(wrong) == _error(unknown)


def test_not_yet_activated_account_cannot_log_in_and_says_nothing_more(client, make):
    person = make.person(active=False)
    response = client.post("/login", data={"login": person.account_no, "password": ""})
    assert response.status_code == 400
    inactive = client.post("/login", data={"login": person.account_no, "password": "anything at all"})
    unknown = client.post("/login", data={"login": "nobody-here", "password": "anything at all"})
    assert _error(inactive) == _error(unknown)


def test_next_is_followed_only_within_the_site(client, make):
    person = make.person()
    good = client.post("/login?next=/account", data={"login": person.account_no, "password": "correct horse battery"})
    assert good.headers["Location"] == "/account"
    client.post("/logout")
    evil = client.post(
        "/login?next=//evil.example/x", data={"login": person.account_no, "password": "correct horse battery"}
    )
    assert evil.headers["Location"] == "/"


def test_logout_needs_post(client, make, login):
    login(make.person())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/account").status_code == 302


def test_password_change(client, make, login):
    person = make.person()
    login(person)
    bad = client.post("/account", data={"current": "nope", "password": "new-password-1", "confirm": "new-password-1"})
    assert bad.status_code == 400
    data = {"current": "correct horse battery", "password": "new-password-1", "confirm": "new-password-1"}
    assert client.post("/account", data=data).status_code == 303
    client.post("/logout")
    assert client.post("/login", data={"login": person.account_no, "password": "new-password-1"}).status_code == 303


def test_account_page_lists_rooms_and_roles(client, make, login):
    compound = make.compound(name="绿园小区")
    person = make.person()
    make.member(person, compound)
    make.member(person, compound, "committee", "secretary")
    make.unit(compound, "1201", area="88.50", owners=[person])
    login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "1201" in page and "88.50 ㎡" in page and "绿园小区" in page


def test_passwords_are_stored_with_scrypt(client, make, database):
    from portal.accounts.models import Person
    from portal.accounts.services import activate, issue_code

    compound = make.compound()
    person = make.person(active=False)
    code = issue_code(person, compound, None).code
    activate(code, "a-good-password", None)
    assert database.session.get(Person, person.id).password_hash.startswith("scrypt:")
