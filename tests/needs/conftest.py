"""Requests fixtures: 绿园小区 with a requester, a neighbour, two volunteers, the property company with a member,
community staff, and an owner of another compound; builders for requests at each step."""

from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace

import pytest

from portal.boards.demo import tiny_png
from portal.boards.models import Category, Organisation, OrgKind, OrgMember
from portal.extensions import db
from portal.needs import services
from portal.needs.models import NeedKind


@pytest.fixture
def town(make, database):
    """绿园小区 and its people (see the module's docstring)."""
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    other = make.compound("guihua", "桂花苑", community)
    requester = make.person("求助人王阿姨")
    make.member(requester, compound, "owner")
    make.unit(compound, "1203", building="3栋", entrance="2单元", owners=[requester])
    neighbour = make.person("邻居李")
    make.member(neighbour, compound, "resident")
    volunteer = make.person("志愿者张")
    make.member(volunteer, compound, "volunteer")
    volunteer2 = make.person("志愿者赵")
    make.member(volunteer2, compound, "volunteer")
    manager = make.person("物业经理孙")
    make.member(manager, compound, "property_manager")
    org = Organisation(
        community_id=community.id, compound_id=compound.id, kind=OrgKind.property_company, name="绿园物业"
    )
    db.session.add(org)
    db.session.flush()
    db.session.add(OrgMember(organisation_id=org.id, person_id=manager.id, title="项目经理"))
    db.session.commit()
    staff = make.person("社区工作人员周")
    make.staff(staff, community)
    outsider = make.person("外小区业主")
    make.member(outsider, other, "owner")
    far = make.community("远方社区")
    far_staff = make.person("别的社区工作人员")
    make.staff(far_staff, far)
    return SimpleNamespace(
        community=community, compound=compound, other=other, requester=requester, neighbour=neighbour,
        volunteer=volunteer, volunteer2=volunteer2, manager=manager, org=org, staff=staff, outsider=outsider,
        far_staff=far_staff,
    )  # fmt: skip


@pytest.fixture
def need_at(app, town):
    """Build a request of the requester and move it to `stage` through the services (committed)."""

    def _make(stage="submitted", public=True, taker="volunteer", title="帮忙买药", **kw):
        with app.test_request_context():
            need = services.post(
                town.compound, town.requester, kind=kw.get("kind", NeedKind.wish), category=Category.elderly,
                title=title, description="腿脚不便，想请人帮忙去药店买降压药。", is_public=public,
            )  # fmt: skip
            if stage != "submitted":
                if stage == "declined":
                    services.decline(need, town.staff, "不属于社区受理范围")
                else:
                    services.accept(need, town.staff)
            if stage in ("taken", "done", "closed"):
                if taker == "org":
                    services.take(need, town.staff, org=town.org)
                else:
                    services.take(need, town.staff, person=getattr(town, taker))
            if stage in ("done", "closed"):
                actor = town.manager if taker == "org" else getattr(town, taker)
                services.mark_done(need, actor, "已送药上门")
            if stage == "closed":
                services.confirm(need, town.requester, 5, "谢谢")
        db.session.commit()
        return need

    return _make


def png_bytes() -> bytes:
    """A small red PNG."""
    return tiny_png((200, 0, 0), 1)


def photo(name="门口.png", data=None):
    """A file part for a multipart form."""
    return (BytesIO(png_bytes() if data is None else data), name)


@pytest.fixture
def relogin(client, login):
    """Log out whoever is logged in, then log this person in."""

    def _relogin(person):
        client.post("/logout")
        return login(person)

    return _relogin
