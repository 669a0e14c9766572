"""Shared world for the permission tests: compounds A and B in one community, C in another, a person per role."""

from __future__ import annotations

import pytest

from portal.compounds.models import Notice


@pytest.fixture
def world(make, database):
    """Two compounds in one community, one in another, and one person for each role."""
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
        database.session.add(notice)
        database.session.commit()
        notices["public_notice" if public else "member_notice"] = notice.id
    ids = {"b": b.slug, "owner_b": people["owner_b"].id, **notices}
    return people, ids
