"""New passwords: the 10,000 most common ones and the person's own account number or phone are refused wherever a
password is set (activation, password change, `portal create-admin`), with the reason at the field."""

from __future__ import annotations

import pytest

from portal.accounts import passwords
from portal.accounts import services as accounts
from tests.conftest import PASSWORD

COMMON = ["password", "123456", "qwerty123", "PassWord"]  # "PassWord": case makes no difference
GOOD = "a-good-password"
PHONE = "13712345678"
COMMON_MESSAGES = ("most common", "太常见")
OWN_MESSAGES = ("account number or phone number", "登录账号或手机号")


def test_the_list_is_zxcvbns_first_ten_thousand():
    common = passwords.common_passwords()
    assert len(common) == 10_000
    assert {"password", "123456", "qwerty123", "iloveyou"} <= common
    assert not passwords.is_common(GOOD) and not passwords.is_common(PASSWORD)
    assert passwords.is_own_identifier("137 1234 5678", [None, PHONE])
    assert passwords.is_own_identifier("ZHOU-MIN-01", ["zhoumin01"])
    assert not passwords.is_own_identifier("137123456789", [PHONE, "", None])


def _refused(response, messages) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 400 and 'id="password-error"' in body and any(m in body for m in messages)


@pytest.fixture
def invited(make, database):
    """An owner with a phone from the register and a fresh code, not yet activated."""
    compound = make.compound()
    owner = make.person("待激活业主", account_no="31415926", active=False, phone=PHONE)
    make.member(owner, compound)
    issued = accounts.issue_code(owner, compound, actor=None)
    database.session.commit()
    return owner, issued.code


def _activate(client, code, password, phone=""):
    return client.post("/activate", data={"code": code, "password": password, "confirm": password, "phone": phone})


@pytest.mark.parametrize("password", COMMON)
def test_activation_refuses_a_common_password(client, invited, password):
    owner, code = invited
    response = _activate(client, code, password)
    assert response.status_code == 400
    if len(password) >= 8:  # "123456" is refused as too short first: one message at a time
        assert _refused(response, COMMON_MESSAGES)


@pytest.mark.parametrize("which", ["account", "register phone", "typed phone"])
def test_activation_refuses_the_own_account_number_or_phone(client, invited, which):
    owner, code = invited
    password, phone = {
        "account": (owner.account_no, ""),
        "register phone": ("137 1234 5678", ""),
        "typed phone": ("13899990000", "138 9999 0000"),
    }[which]
    assert _refused(_activate(client, code, password, phone), OWN_MESSAGES)


def test_activation_accepts_a_good_password(client, invited):
    _owner, code = invited
    assert _activate(client, code, GOOD).status_code == 303


@pytest.fixture
def logged_in(client, make):
    """An active owner with a phone, logged in."""
    person = make.person(account_no="zhoumin01", phone=PHONE)
    assert client.post("/login", data={"login": person.account_no, "password": PASSWORD}).status_code == 303
    return person


def _change(client, password):
    return client.post("/account", data={"current": PASSWORD, "password": password, "confirm": password})


@pytest.mark.parametrize("password", COMMON)
def test_password_change_refuses_a_common_password(client, logged_in, password):
    response = _change(client, password)
    assert response.status_code == 400
    if len(password) >= 8:
        assert _refused(response, COMMON_MESSAGES)


@pytest.mark.parametrize("password", ["zhoumin01", "ZHOUMIN01", "137 1234 5678", "137-1234-5678"])
def test_password_change_refuses_the_own_account_number_or_phone(client, logged_in, password):
    assert _refused(_change(client, password), OWN_MESSAGES)


def test_password_change_accepts_a_good_password(client, logged_in):
    assert _change(client, GOOD).status_code == 303


@pytest.mark.parametrize(
    ("account", "password", "message"),
    [
        ("root", "password", "most common"),
        ("root", "qwerty123", "most common"),
        ("root", "123456", "8 characters"),
        ("zhou-admin", "ZHOU ADMIN", "account number"),
    ],
)
def test_create_admin_uses_the_same_rules(app, database, account, password, message):
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", account], input=password + "\n")
    assert result.exit_code != 0 and message in result.output, result.output
    assert accounts.find_login(account) is None
