"""Shared world for the permission tests: compounds A and B in one community, C in another, a person per role.

The world is built once per test module, inside the module's transaction (tests/conftest.py `module_transaction`),
and each test reads it in its own savepoint: the permission tables are over a thousand tests, and building the world
for each one was most of their time.
"""

from __future__ import annotations

import pytest

from portal.compounds.models import Notice
from portal.extensions import db
from tests.factories import builders


@pytest.fixture(scope="module")
def _world_ids(app, module_transaction, password_hash):
    """Build the world once for the module; return (role → person id, the ids the route templates use)."""
    with app.app_context():
        make = builders(password_hash)
        community = make.community("一号社区")
        other = make.community("二号社区")
        a = make.compound("compound-a", "甲小区", community)
        b = make.compound("compound-b", "乙小区", community)
        make.compound("compound-c", "丙小区", other)
        people = {
            "owner_a": make.person("甲业主"),
            "owner_b": make.person("乙业主"),
            "resident_b": make.person("乙住户"),
            "committee_b": make.person("乙委员"),
            "staff_b": make.person("一号社区工作人员"),
            "staff_c": make.person("二号社区工作人员"),
            "admin": make.person("管理员", admin=True),
        }
        make.member(people["owner_a"], a)
        make.unit(a, "101", owners=[people["owner_a"]])
        make.member(people["owner_b"], b)
        make.unit(b, "101", owners=[people["owner_b"]])
        make.member(people["resident_b"], b, "resident")
        make.member(people["committee_b"], b, "owner")
        make.member(people["committee_b"], b, "committee", "chair")
        make.staff(people["staff_b"], community)
        make.staff(people["staff_c"], other)
        notices = {}
        for public in (True, False):
            notice = Notice(compound_id=b.id, title="通知", body="", is_public=public)
            db.session.add(notice)
            db.session.commit()
            notices["public_notice" if public else "member_notice"] = notice.id
        ids = {"b": b.slug, "owner_b": people["owner_b"].id, **notices}
        person_ids = {role: person.id for role, person in people.items()}
        db.session.remove()
    return person_ids, ids


@pytest.fixture
def world(database, _world_ids):
    """(role → Person in this test's session, ids): two compounds in one community, one in another, a person for
    each role."""
    from portal.accounts.models import Person

    person_ids, ids = _world_ids
    rows = {p.id: p for p in database.session.scalars(db.select(Person).where(Person.id.in_(person_ids.values())))}
    return {role: rows[pid] for role, pid in person_ids.items()}, dict(ids)
