"""Every route of the three lists × every kind of person (compound B holds the lists).

B's owners' committee is an organisation serving B, with B's committee member as its member; it offers a resource
(and has a withdrawn one), and carries out a project with a progress photo. B's owner has an open, public need.
The lists, resources, projects and photos are public; offering, changing and withdrawing resources, claiming needs
and reporting on projects need to act for the organisation (or be community staff); matching needs to resources and
setting up projects is for staff. Outsiders get 404, members lacking the right 403, visitors are sent to log in.
Allowed requests carry data that makes them succeed.
"""

from __future__ import annotations

import re
from io import BytesIO
from types import SimpleNamespace

import pytest
from test_routes import FORBIDDEN, MEMBERS, PUBLIC, outcome
from test_voting_routes import LazyIds
from werkzeug.datastructures import FileStorage

from portal.boards import photos
from portal.boards import services as boards
from portal.boards.demo import tiny_png
from portal.boards.models import Category, OrgKind
from portal.extensions import db
from portal.lists import services
from portal.lists.models import ProjectOrigin
from portal.needs.models import Need, NeedKind, NeedStatus

STAFF = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN, committee_b=FORBIDDEN)  # manage_board
ORG = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN)  # acts for the organisation (its member, or staff)

L = "/c/{b}/lists"
RESOURCE = {"organisation": "{org}", "category": "health", "title": "义诊", "description": "", "capacity": ""}
ROUTES = {
    "lists": ("GET", L + "/", PUBLIC, None),
    "resources": ("GET", L + "/resources", PUBLIC, None),
    "resource page": ("GET", L + "/resources/{resource}", PUBLIC, None),
    "offer form": ("GET", L + "/resources/new", ORG, None),
    "offer": ("POST", L + "/resources/new", ORG, RESOURCE),
    "edit resource form": ("GET", L + "/resources/{resource}/edit", ORG, None),
    "edit resource": ("POST", L + "/resources/{resource}/edit", ORG, RESOURCE),
    "withdraw resource": ("POST", L + "/resources/{resource}/withdraw", ORG, {}),
    "offer again": ("POST", L + "/resources/{withdrawn}/reoffer", ORG, {}),
    "needs": ("GET", L + "/needs", PUBLIC, None),
    "claim need": ("POST", L + "/needs/{need}/claim", ORG, {"organisation": "{org}", "note": "我们来"}),
    "match form": ("GET", L + "/needs/{need}/match", STAFF, None),
    "match need": ("POST", L + "/needs/{need}/match", STAFF, {"resource": "{resource}"}),
    "projects": ("GET", L + "/projects", PUBLIC, None),
    "new project form": ("GET", L + "/projects/new", STAFF, None),
    "new project": ("POST", L + "/projects/new", STAFF, {"title": "健康讲座", "organisation": "{org}"}),
    "project page": ("GET", L + "/projects/{project}", PUBLIC, None),
    "project photo": ("GET", L + "/projects/{project}/photos/{photo}", PUBLIC, None),
    "post update": ("POST", L + "/projects/{project}/updates", ORG, {"body": "已完成一半"}),
    "complete project": ("POST", L + "/projects/{project}/complete", ORG, {"complete-note": "全部完成"}),
    "cancel project": ("POST", L + "/projects/{project}/cancel", ORG, {"cancel-reason": "改期"}),
}


@pytest.fixture
def lists_world(app, world, monkeypatch, tmp_path):
    """In compound B: its committee as an organisation (B's committee member in it) offering a resource and running
    a project with a photo; a withdrawn resource; an open public need of B's owner."""
    from portal.compounds.models import Compound

    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(tmp_path / "uploads"))
    people, base = world
    compound = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    staff, member = people["staff_b"], people["committee_b"]
    org = boards.create_organisation(
        compound.community, staff, kind=OrgKind.committee, name="乙小区业委会", compound=compound
    )
    boards.add_member(org, staff, member, "主任", True)
    offered = services.offer(compound, member, organisation=org, category=Category.health, title="活动室")
    withdrawn = services.offer(compound, member, organisation=org, category=Category.culture, title="乒乓球台")
    services.withdraw(withdrawn, member, compound)
    need = Need(
        compound_id=compound.id, requester_id=people["owner_b"].id, kind=NeedKind.wish, category=Category.elderly,
        title="想学用智能手机", description="子女不在身边", is_public=True, status=NeedStatus.open,
    )  # fmt: skip
    db.session.add(need)
    project = services.create_project(compound, staff, title="健康讲座", organisation=org)
    assert project.origin == ProjectOrigin.staff
    png = tiny_png()
    checked = photos.check_all([FileStorage(BytesIO(png), filename="讲座.png", content_type="image/png")])
    update = services.add_update(project, member, "已请好医生", checked)
    db.session.commit()
    ids = LazyIds(
        dict(
            base, org=org.id, resource=offered.id, withdrawn=withdrawn.id, need=need.id, project=project.id,
            photo=update.photos[0].id if update.photos else _photo_id(update.id),
        ),
        {},
    )  # fmt: skip
    return SimpleNamespace(people=people, ids=ids)


def _photo_id(update_id: int) -> int:
    from portal.boards.models import Photo

    return db.session.scalar(db.select(Photo.id).where(Photo.project_update_id == update_id))


CASES = [(route, role) for route in ROUTES for role in MEMBERS]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_list_route_access(client, lists_world, login, route, role):
    method, template, expected, data = ROUTES[route]
    path = template.format_map(lists_world.ids)
    form = {k: v.format_map(lists_world.ids) for k, v in (data or {}).items()}
    if role != "anonymous":
        login(lists_world.people[role])
    response = client.open(path, method=method, data=form)
    if response.status_code in (400, 409, 422):
        refused = re.findall(r"(?:field-error|flash-error)[^>]*>([^<]*)", response.get_data(as_text=True))
        pytest.fail(f"{response.status_code}: {refused}")
    assert outcome(response) == expected[role]
    if route == "claim need" and expected[role] == "ok":
        assert "/projects/" in response.headers["Location"]  # claimed, not refused
