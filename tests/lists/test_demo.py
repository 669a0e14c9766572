"""The lists' demo builds through the services and leaves pages that render (with or without the board's demo)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.lists import demo
from portal.lists.models import Project, ProjectOrigin, ProjectStatus, Resource, ResourceStatus
from portal.needs.models import NeedStatus


def test_the_demo_fills_the_three_lists(client, town, upload_dir):
    people = {"staff": town.staff, "owner": town.owner, "resident": town.resident, "manager": town.manager}
    demo.seed(town.compound, people)
    db.session.commit()
    resources = db.session.scalars(sa.select(Resource)).all()
    assert len(resources) == 4 and sum(r.status == ResourceStatus.withdrawn for r in resources) == 1
    projects = {p.origin: p for p in db.session.scalars(sa.select(Project))}
    assert set(projects) == {ProjectOrigin.resource_matched, ProjectOrigin.need_claimed, ProjectOrigin.staff}
    claimed = projects[ProjectOrigin.need_claimed]
    assert claimed.status == ProjectStatus.completed and claimed.need.status == NeedStatus.done
    assert projects[ProjectOrigin.resource_matched].need.status == NeedStatus.taken
    for url in ("/", "/resources", "/needs", "/projects", f"/projects/{claimed.id}"):
        assert client.get("/c/lvyuan/lists" + url).status_code == 200
    demo.seed(town.compound, people)  # the library is found again, not made twice


def test_the_demo_works_without_the_boards_organisations(database, make, upload_dir):
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    staff, owner = make.person("周"), make.person("王")
    make.staff(staff, community)
    make.member(owner, compound)
    demo.seed(compound, {"staff": staff, "owner": owner})
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 2
