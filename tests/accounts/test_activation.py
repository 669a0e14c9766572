"""Activation codes: entropy, hashing, single use, expiry, revocation; activation sets the password."""

from __future__ import annotations

import math
import re
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


def test_a_code_in_a_get_query_is_neither_used_nor_shown(client, invited, database):
    """Old QR links (/activate?code=, /activate/check?code=) answer with the empty code step: the code that travelled
    in the URL, and so in proxy and access logs, is not taken up."""
    _compound, owner, code = invited
    for path in (f"/activate?code={code}", f"/activate/check?code={code}"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/activate"
        assert code not in response.get_data(as_text=True)
        response = client.get(path, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert code not in page and code.replace("-", "") not in page
        assert 'name="code"' in page and 'name="password"' not in page  # the code step, empty
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=owner.id))
    assert row.used_at is None


def test_the_code_step_is_a_post_that_leads_to_the_password_step(client, invited):
    _compound, owner, code = invited
    response = client.post("/activate/check", data={"code": code.lower().replace("-", " ")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert owner.account_no in page and 'name="password"' in page and 'name="phone"' in page
    assert 'type="hidden"' in page and 'name="code"' in page  # the code rides on in the form, never in a URL
    assert 'action="/activate"' in page and 'method="post"' in page


def test_the_activation_page_posts_the_code_and_loads_the_fragment_reader(client):
    page = client.get("/activate").get_data(as_text=True)
    assert 'method="post" action="/activate/check"' in page
    assert "/static/js/activate.js" in page and "<script>" not in page  # no inline script: strict CSP
    script = client.get("/static/js/activate.js").get_data(as_text=True)
    assert "location.hash" in script and "replaceState" in script


def test_activation_with_phone_allows_login_by_phone(client, invited):
    _compound, _owner, code = invited
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password", "phone": "138 1234 5678"}
    assert client.post("/activate", data=data).status_code == 303
    client.post("/logout")
    response = client.post("/login", data={"login": "13812345678", "password": "a-good-password"})
    assert response.status_code == 303


def test_phone_of_another_account_is_refused(client, invited, make, database):
    _compound, _owner, code = invited
    other = make.person(phone="13900000000")
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password", "phone": "13900000000"}
    response = client.post("/activate", data=data)
    assert response.status_code == 400
    assert 'id="phone-error"' in response.get_data(as_text=True)  # said at the field
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=_owner.id))
    assert row.used_at is None and database.session.get(Person, _owner.id).login_phone is None
    assert database.session.get(Person, other.id).login_phone == "13900000000"


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


@pytest.mark.parametrize("path", ["/activate/check", "/activate"])
def test_a_wrong_code_gives_one_answer_whatever_phone_was_typed(client, invited, make, path):
    """Checked before the phone: a registered phone and an unknown one get byte-identical pages (no phone echoed)."""
    make.person(phone="13900000000")
    answers = []
    for phone in ("13900000000", "13911112222"):
        data = {"code": "AAAA-BBBB-CCCC", "phone": phone, "password": "a-good-password", "confirm": "a-good-password"}
        response = client.post(path, data=data)
        assert response.status_code == 400
        body = re.sub(rb'name="csrf_token" type="hidden" value="[^"]*"', b"", response.get_data())
        assert phone.encode() not in body and b"AAAA-BBBB-CCCC" not in body  # nor the refused code
        answers.append(body)
    assert answers[0] == answers[1]
    text = answers[0].decode()
    assert "cannot be used" in text or "无法使用" in text
    assert "phone number is already used" not in text and "已被" not in text


def test_only_a_usable_code_reaches_the_phone_check(client, invited, make):
    """With the right code, a phone already in use is refused at the field (the step after the code)."""
    _compound, _owner, code = invited
    make.person(phone="13900000000")
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password", "phone": "139 0000 0000"}
    response = client.post("/activate", data=data)
    assert response.status_code == 400 and 'id="phone-error"' in response.get_data(as_text=True)


def test_own_phone_from_the_register_may_be_confirmed(client, invited, database):
    _compound, owner, code = invited
    owner.phone = "13712345678"
    database.session.commit()
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password", "phone": "13712345678"}
    assert client.post("/activate", data=data).status_code == 303


@pytest.fixture
def sharing(make, database):
    """Two owners the register lists with one phone (a parent and a child), neither activated, a code each."""
    compound = make.compound()
    parent = make.person("老张", active=False, phone="13812345678")
    child = make.person("小张", active=False, phone="13812345678")
    codes = []
    for room, owner in (("101", parent), ("102", child)):
        make.member(owner, compound)
        make.unit(compound, room, owners=[owner])
        codes.append(services.issue_code(owner, compound, actor=None).code)
    database.session.commit()
    return parent, child, *codes


def _activation(code: str, phone: str = "", password: str = "a-good-password") -> dict:
    return {"code": code, "password": password, "confirm": password, "phone": phone}


def test_a_register_phone_shared_with_someone_not_activated_does_not_block_it(client, sharing, database):
    """The child sets the shared phone as login: the parent's contact phone neither blocks nor takes it."""
    parent, child, _parent_code, child_code = sharing
    assert client.post("/activate", data=_activation(child_code, "138 1234 5678")).status_code == 303
    client.post("/logout")
    database.session.expire_all()
    assert database.session.get(Person, child.id).login_phone == "13812345678"
    assert database.session.get(Person, parent.id).login_phone is None
    assert database.session.get(Person, parent.id).phone == "13812345678"  # still the parent's contact phone
    assert services.find_login("13812345678").id == child.id
    response = client.post("/login", data={"login": "13812345678", "password": "a-good-password"})
    assert response.status_code == 303
    assert client.get("/account").get_data(as_text=True).count("小张") >= 1


def test_a_login_phone_already_set_by_another_person_is_refused_at_the_field(client, sharing, database):
    """The second of two sharing owners to activate cannot take the phone: said at the field, nothing written."""
    parent, _child, parent_code, child_code = sharing
    assert client.post("/activate", data=_activation(child_code, "13812345678")).status_code == 303
    client.post("/logout")
    response = client.post("/activate", data=_activation(parent_code, "13812345678", "another-password-9"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="phone-error"' in page
    assert "This phone number is already used by another account." in page or "已被" in page
    assert 'value="13812345678"' in page  # the phone typed is kept
    assert "another-password-9" not in page  # never a password back into the page
    assert page.count(parent_code) == 1 and f'name="code" type="hidden" value="{parent_code}"' in page  # to go on
    database.session.expire_all()
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=parent.id))
    assert row.used_at is None and database.session.get(Person, parent.id).password_hash is None
    # Without the phone the parent activates and logs in with the account number; the phone stays the child's.
    assert client.post("/activate", data=_activation(parent_code, "", "another-password-9")).status_code == 303
    client.post("/logout")
    response = client.post("/login", data={"login": "13812345678", "password": "another-password-9"})
    assert response.status_code == 400
