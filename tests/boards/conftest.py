"""Board fixtures: a compound with its people and organisations, a builder for pledges, and a fresh upload folder."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from portal import permissions
from portal.boards import access, rules, services
from portal.boards.models import Category, Commitment, CommitmentStatus, OrgKind
from portal.db import utcnow
from portal.extensions import db


@pytest.fixture
def yard(make, database):
    """绿园小区 in 阳光社区 with an owner, a resident, the committee chair, a property manager (member of the property
    company), a volunteer, a doctor of a co-building hospital (no role in the compound), community staff; 桂花苑 in
    the same community with its own owner; and an owner in another community."""
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    neighbour = make.compound("guihua", "桂花苑", community)
    far = make.compound("far", "远方小区", make.community("远方社区"))
    people = {}
    for key, name, where, role in (
        ("owner", "业主王", compound, "owner"),
        ("resident", "住户李", compound, "resident"),
        ("chair", "主任张", compound, "committee"),
        ("manager", "物业经理孙", compound, "property_manager"),
        ("volunteer", "志愿者赵", compound, "volunteer"),
        ("neighbour", "桂花苑业主", neighbour, "owner"),
        ("stranger", "远方业主", far, "owner"),
    ):
        people[key] = make.person(name)
        make.member(people[key], where, role, "chair" if role == "committee" else None)
    make.member(people["chair"], compound, "owner")
    people["doctor"] = make.person("林医生")
    people["staff"] = make.person("社区工作人员周")
    make.staff(people["staff"], community)
    staff = people["staff"]
    company = services.create_organisation(
        community, staff, kind=OrgKind.property_company, name="绿园物业", compound=compound
    )
    services.add_member(company, staff, people["manager"], "项目经理", True)
    committee = services.create_organisation(
        community, staff, kind=OrgKind.committee, name="绿园业委会", compound=compound
    )
    services.add_member(committee, staff, people["chair"], "主任", True)
    hospital = services.create_organisation(community, staff, kind=OrgKind.cobuilder, name="社区医院")
    services.add_member(hospital, staff, people["doctor"], "医生")
    other = services.create_organisation(
        community, staff, kind=OrgKind.committee, name="桂花苑业委会", compound=neighbour
    )
    db.session.commit()
    permissions.forget_roles()
    access.forget_orgs()
    return SimpleNamespace(
        community=community,
        compound=compound,
        guihua=neighbour,
        far=far,
        company=company,
        committee=committee,
        hospital=hospital,
        other=other,
        **people,
    )


@pytest.fixture
def pledge(yard):
    """Build a pledge directly (any state, any dates): pledge(title, org=company, due=date or days from today ...)."""

    def _pledge(
        title="更换楼道灯",
        org="company",
        pledger=None,
        due=10,
        status="in_progress",
        compound="compound",
        category=Category.repair,
        fulfilled_at=None,
        created_at=None,
    ):
        organisation = getattr(yard, org) if isinstance(org, str) else org
        where = getattr(yard, compound) if isinstance(compound, str) else compound
        due_on = due if isinstance(due, date) else rules.today_in_shanghai() + timedelta(days=due)
        status = CommitmentStatus(status)
        row = Commitment(
            community_id=yard.community.id,
            compound_id=where.id if where is not None else None,
            organisation_id=organisation.id if organisation is not None else None,
            pledger_id=(pledger or (yard.manager if organisation is not None else yard.volunteer)).id,
            title=title,
            target="全部完成",
            category=category,
            due_on=due_on,
            status=status,
            fulfilled_at=fulfilled_at or (utcnow() if status == CommitmentStatus.fulfilled else None),
            fulfilled_note="已完成" if status == CommitmentStatus.fulfilled else None,
            withdrawn_at=utcnow() if status == CommitmentStatus.withdrawn else None,
            withdrawn_reason="取消" if status == CommitmentStatus.withdrawn else None,
            created_at=created_at or utcnow(),
        )
        db.session.add(row)
        db.session.commit()
        return row

    return _pledge


@pytest.fixture
def english(client):
    """Pages in English, so that tests read the msgids."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def login(client, login):
    """Log in as someone, logging out whoever was logged in first (tests here switch people)."""

    def _login(person):
        client.post("/logout")
        return login(person)

    return _login
