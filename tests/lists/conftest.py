"""Fixtures of the three lists: a compound with organisations, their members, residents with needs, and staff."""

from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace

import pytest

from portal import permissions
from portal.boards import access as board_access
from portal.boards import services as boards
from portal.boards.demo import tiny_png
from portal.boards.models import Category, OrgKind
from portal.db import utcnow
from portal.extensions import db
from portal.lists.models import Resource
from portal.needs.models import Need, NeedEvent, NeedKind, NeedStatus, NeedStep


@pytest.fixture
def town(make, database):
    """绿园小区 (room 3栋2单元1101 of 业主王) in 阳光社区 with: a co-building hospital serving the whole community (its
    doctor a member), the compound's property company (its manager a member), a volunteer, a resident, community
    staff; 桂花苑 in the same community with its own committee; and staff of another community."""
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    neighbour = make.compound("guihua", "桂花苑", community)
    people = {}
    for key, name, where, role in (
        ("owner", "业主王秀英", compound, "owner"),
        ("resident", "住户李建国", compound, "resident"),
        ("manager", "物业经理孙", compound, "property_manager"),
        ("volunteer", "志愿者赵", compound, "volunteer"),
        ("neighbour", "桂花苑业主", neighbour, "owner"),
    ):
        people[key] = make.person(name)
        make.member(people[key], where, role)
    make.unit(compound, "1101", building="3栋", entrance="2单元", owners=[people["owner"]])
    people["doctor"] = make.person("林医生")
    people["staff"] = make.person("社区工作人员周")
    make.staff(people["staff"], community)
    people["far_staff"] = make.person("远方社区工作人员")
    make.staff(people["far_staff"], make.community("远方社区"))
    staff = people["staff"]
    hospital = boards.create_organisation(community, staff, kind=OrgKind.cobuilder, name="社区医院")
    boards.add_member(hospital, staff, people["doctor"], "医生")
    company = boards.create_organisation(
        community, staff, kind=OrgKind.property_company, name="绿园物业", compound=compound
    )
    boards.add_member(company, staff, people["manager"], "项目经理", True)
    other = boards.create_organisation(
        community, staff, kind=OrgKind.committee, name="桂花苑业委会", compound=neighbour
    )
    db.session.commit()
    permissions.forget_roles()
    board_access.forget_orgs()
    return SimpleNamespace(
        community=community,
        compound=compound,
        guihua=neighbour,
        hospital=hospital,
        company=company,
        other=other,
        **people,
    )


@pytest.fixture
def need(town):
    """Build a need directly in any state: need(title, status="open", public=True, requester=owner, taker_org=...)."""

    def _need(
        title="帮忙修水龙头",
        status="open",
        public=True,
        requester=None,
        kind="wish",
        category=Category.repair,
        compound=None,
        taker_org=None,
    ):
        row = Need(
            compound_id=(compound or town.compound).id,
            requester_id=(requester or town.owner).id,
            kind=NeedKind(kind),
            category=category,
            title=title,
            description="厨房水龙头漏水，老人腿脚不便。",
            is_public=public,
            status=NeedStatus(status),
            taker_org_id=taker_org.id if taker_org else None,
        )
        db.session.add(row)
        db.session.flush()
        db.session.add(NeedEvent(need_id=row.id, step=NeedStep.submitted, actor_id=row.requester_id, at=utcnow()))
        db.session.commit()
        return row

    return _need


@pytest.fixture
def resource(town):
    """Build a resource directly: resource(title, org=hospital, status="offered", compound=None for community-wide)."""

    def _resource(title="义诊", org=None, status="offered", compound="community", category=Category.health):
        organisation = org or town.hospital
        where = None if compound == "community" else (compound or town.compound)
        row = Resource(
            community_id=town.community.id,
            compound_id=where.id if where is not None else None,
            organisation_id=organisation.id,
            category=category,
            title=title,
            description="每月第一个周六上午",
            capacity="每次20人",
            status=status,
            created_by_id=town.staff.id,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return _resource


@pytest.fixture
def english(client):
    """Pages in English, so that tests read the msgids."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def login(client, login):
    """Log in as someone, logging out whoever was logged in first."""

    def _login(person):
        client.post("/logout")
        return login(person)

    return _login


def png() -> bytes:
    """A small red PNG."""
    return tiny_png((200, 0, 0), 1)


def photo(name="进度.png", data=None):
    """A file part for a multipart form."""
    return (BytesIO(png() if data is None else data), name)
