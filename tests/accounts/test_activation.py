"""Activation codes: entropy, hashing, single use, expiry, revocation; activation sets the password."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts import services
from portal.accounts.models import ActivationCode, Person
from portal.db import utcnow
from portal.security import CODE_ALPHABET, hash_code, new_code, normalise_code


@pytest.fixture
def invited(make, database):
    """An owner without a password, and a fresh code for them."""
    compound = make.compound()
    owner = make.person("待激活业主", active=False)
    make.member(owner, compound)
    make.unit(compound, "1201", owners=[owner])
    issued = services.issue_code(owner, compound, actor=None)
    database.session.commit()
    return compound, owner, issued.code


def test_code_has_at_least_40_bits_of_entropy():
    code = new_code()
    symbols = code.replace("-", "")
    assert set(symbols) <= set(CODE_ALPHABET)
    assert len(symbols) * math.log2(len(CODE_ALPHABET)) >= 40
    assert len({new_code() for _ in range(2000)}) == 2000


def test_typing_slips_are_forgiven():
    assert normalise_code(" ab12 cd34-ef5o ") == "AB12-CD34-EF50"
    assert hash_code("ab12cd34ef5o") == hash_code("AB12-CD34-EF50")


def test_code_is_stored_only_hashed(invited, database):
    _compound, owner, code = invited
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=owner.id))
    assert row.code_hash == hash_code(code)
    assert code.replace("-", "") not in row.code_hash.upper()


def test_activation_sets_password_logs_in_and_is_single_use(client, invited, database):
    compound, owner, code = invited
    response = client.post(
        "/activate", data={"code": code, "password": "a-good-password", "confirm": "a-good-password"}
    )
    assert response.status_code == 303
    assert client.get("/").get_data(as_text=True).count(compound.name) >= 1
    database.session.expire_all()
    assert database.session.get(Person, owner.id).password_hash
    client.post("/logout")
    again = client.post("/activate", data={"code": code, "password": "another-password", "confirm": "another-password"})
    assert again.status_code == 400
    assert "cannot be used" in again.get_data(as_text=True) or "无法使用" in again.get_data(as_text=True)


def test_activation_page_fills_in_the_code_from_the_qr_link(client, invited):
    _compound, _owner, code = invited
    page = client.get(f"/activate?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in page


def test_activation_with_phone_allows_login_by_phone(client, invited):
    _compound, _owner, code = invited
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password", "phone": "138 1234 5678"}
    assert client.post("/activate", data=data).status_code == 303
    client.post("/logout")
    response = client.post("/login", data={"login": "13812345678", "password": "a-good-password"})
    assert response.status_code == 303


def test_phone_of_another_account_is_refused(client, invited, make):
    _compound, _owner, code = invited
    make.person(phone="13900000000")
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password", "phone": "13900000000"}
    response = client.post("/activate", data=data)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "short", "confirm": "short"}, "password"),
        ({"password": "long-enough-1", "confirm": "long-enough-2"}, "confirm"),
        ({"password": "long-enough-1", "confirm": "long-enough-1", "phone": "12345"}, "phone"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_used(client, invited, database, data, field):
    _compound, owner, code = invited
    response = client.post("/activate", data={"code": code, **data})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=owner.id))
    assert row.used_at is None


def test_expired_code_cannot_be_used(client, invited, database):
    _compound, owner, code = invited
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=owner.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    database.session.commit()
    response = client.post(
        "/activate", data={"code": code, "password": "a-good-password", "confirm": "a-good-password"}
    )
    assert response.status_code == 400


def test_expiry_follows_configured_days(invited, database, app):
    _compound, owner, _code = invited
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=owner.id))
    assert row.expires_at - row.created_at == timedelta(days=app.config["PORTAL_ACTIVATION_DAYS"])


def test_reissue_revokes_the_old_code(client, invited, database):
    compound, owner, old = invited
    new = services.issue_code(owner, compound, actor=None).code
    database.session.commit()
    response = client.post("/activate", data={"code": old, "password": "a-good-password", "confirm": "a-good-password"})
    assert response.status_code == 400
    response = client.post("/activate", data={"code": new, "password": "a-good-password", "confirm": "a-good-password"})
    assert response.status_code == 303


def test_revoked_code_cannot_be_used(client, invited, database):
    compound, owner, code = invited
    assert services.revoke_codes(owner, compound, actor=None) == 1
    database.session.commit()
    response = client.post(
        "/activate", data={"code": code, "password": "a-good-password", "confirm": "a-good-password"}
    )
    assert response.status_code == 400


def test_inline_code_check(client, invited):
    _compound, _owner, code = invited
    good = client.get(f"/activate/check?code={code}", headers={"HX-Request": "true"})
    bad = client.get("/activate/check?code=AAAA-BBBB-CCCC", headers={"HX-Request": "true"})
    assert "<html" not in good.get_data(as_text=True)
    assert good.get_data(as_text=True) != bad.get_data(as_text=True)
    assert 'class="field-error"' in bad.get_data(as_text=True)
