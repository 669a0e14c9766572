"""`portal create-admin`: the first platform administrator of a fresh database, from a prompt or from stdin."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Person
from portal.admin import cli as admin_cli

GOOD = "a long enough password"


def _people(database, account: str) -> list[Person]:
    return list(database.session.scalars(sa.select(Person).where(Person.account_no == account)))


@pytest.fixture
def at_a_terminal(monkeypatch):
    """Pretend stdin is a terminal, so that the command prompts twice instead of reading one line."""
    monkeypatch.setattr(admin_cli, "_interactive", lambda: True)


def test_create_admin_from_stdin_then_logs_in(app, database, client):
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", "root"], input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    [person] = _people(database, "root")
    assert person.is_platform_admin and person.is_active and GOOD not in person.password_hash
    assert person.password_hash.startswith("scrypt:")  # hashed as the account pages hash
    response = client.post("/login", data={"login": "root", "password": GOOD})
    assert response.status_code == 303
    assert client.get("/admin/").status_code == 200


def test_create_admin_with_a_prompt_asks_twice(app, database, at_a_terminal):
    result = app.test_cli_runner().invoke(
        args=["portal", "create-admin", "root2", "--name", "王管理"], input=f"{GOOD}\n{GOOD}\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("assword") >= 2  # asked, then asked again
    [person] = _people(database, "root2")
    assert person.name == "王管理" and person.is_platform_admin


@pytest.mark.parametrize(
    ("account", "typed", "message"),
    [
        ("taken", GOOD + "\n", "exists already"),
        ("fresh", "short\n", "8 characters"),
        ("fresh", "\n", "empty"),
        ("bad name!", GOOD + "\n", "account"),
    ],
    ids=["duplicate", "short", "empty", "bad-account"],
)
def test_create_admin_refuses_and_writes_nothing(app, database, make, account, typed, message):
    make.person("已有", account_no="taken")
    before = database.session.scalar(sa.select(sa.func.count()).select_from(Person))
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", account], input=typed)
    assert result.exit_code != 0 and message in result.output, result.output
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before


def test_create_admin_refuses_a_phone_someone_logs_in_with(app, database, make):
    make.person("有手机", phone="13812345678")
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", "13812345678"], input=GOOD + "\n")
    assert result.exit_code != 0 and "exists already" in result.output


def test_create_admin_refuses_two_different_passwords(app, database, at_a_terminal):
    result = app.test_cli_runner().invoke(
        args=["portal", "create-admin", "root3"], input=f"{GOOD}\nsomething else entirely\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert _people(database, "root3") == []


def test_create_admin_prompt_refuses_a_short_password(app, database, at_a_terminal):
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", "root4"], input="short\nshort\n")
    assert result.exit_code != 0 and "8 characters" in result.output
    assert _people(database, "root4") == []
