"""Every route of the service-commitment board × every kind of person (compound B holds the board).

B's owners' committee is an organisation serving B, with B's committee member as its member; it has a pledge in
progress with a progress photo. The board, pledges, photos and organisation pages are public; pledging needs to act
for an organisation (or be a volunteer); progress, fulfilment and withdrawal need to act for the pledging
organisation (or be community staff); rating needs to live in B (owners, residents, committee) and not to belong to
the pledging organisation; organisations are managed by community staff. Outsiders get 404, members lacking the
right 403, visitors are sent to log in. Allowed requests carry data that makes them succeed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from test_routes import FORBIDDEN, MEMBERS, PUBLIC, outcome
from test_voting_routes import LazyIds
from werkzeug.datastructures import FileStorage

from portal.boards import photos, rules, services
from portal.boards.demo import tiny_png
from portal.boards.models import Category, OrgKind
from portal.extensions import db

STAFF = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN, committee_b=FORBIDDEN)  # manage_board
PLEDGE = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN)  # members of an organisation serving B, and staff
REPORT = PLEDGE  # the pledging organisation's members (B's committee member), and staff
RATE = dict(MEMBERS, committee_b=FORBIDDEN, staff_b=FORBIDDEN, admin=FORBIDDEN)  # living in B, not one's own pledge

B = "/c/{b}/board"
DUE = (rules.today_in_shanghai() + timedelta(days=30)).isoformat()
ROUTES = {
    "board": ("GET", B + "/", PUBLIC, None),
    "pledge form": ("GET", B + "/new", PLEDGE, None),
    "pledge": ("POST", B + "/new", PLEDGE,
               {"pledger": "org-{org}", "title": "修路灯", "target": "10盏", "category": "repair", "due_on": DUE}),
    "pledge page": ("GET", B + "/{commitment}", PUBLIC, None),
    "progress photo": ("GET", B + "/photos/{photo}", PUBLIC, None),
    "post progress": ("POST", B + "/{commitment}/progress", REPORT, {"body": "已修好5盏"}),
    "fulfil pledge": ("POST", B + "/{commitment}/fulfil", REPORT, {"note": "10盏全部修好"}),
    "withdraw pledge": ("POST", B + "/{commitment}/withdraw", REPORT, {"reason": "改由供电所负责"}),
    "rate pledge": ("POST", B + "/{commitment}/rating", RATE, {"stars": "4", "comment": "不错"}),
    "organisation page": ("GET", B + "/org/{org}", PUBLIC, None),
    "organisations": ("GET", B + "/orgs/", STAFF, None),
    "new organisation form": ("GET", B + "/orgs/new", STAFF, None),
    "new organisation": ("POST", B + "/orgs/new", STAFF, {"kind": "cobuilder", "name": "共建医院", "compound": ""}),
    "edit organisation form": ("GET", B + "/org/{org}/edit", STAFF, None),
    "edit organisation": ("POST", B + "/org/{org}/edit", STAFF,
                          {"kind": "committee", "name": "乙小区业主委员会", "compound": ""}),
    "add member": ("POST", B + "/org/{org}/members", STAFF, {"login": "{owner_b_account}", "title": "委员"}),
    "remove member": ("POST", B + "/org/{org}/members/{member}/remove", STAFF, {}),
}  # fmt: skip


@pytest.fixture
def board_world(app, world, monkeypatch, tmp_path):
    """In compound B: its committee as an organisation (B's committee member in it) with a pledge in progress and a
    progress photo."""
    from portal.compounds.models import Compound

    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(tmp_path / "uploads"))
    people, base = world
    compound = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    staff, member = people["staff_b"], people["committee_b"]
    ids: LazyIds

    def organisation():
        org = services.create_organisation(
            compound.community, staff, kind=OrgKind.committee, name="乙小区业委会", compound=compound
        )
        joined = services.add_member(org, staff, member, "主任", True)
        ids.update(org=org.id, member=joined.id)

    def commitment():
        from portal.boards.models import Organisation

        org = db.session.get(Organisation, ids["org"])
        made = services.pledge(
            compound, member, organisation=org, title="修路灯", target="10盏", category=Category.repair,
            due_on=rules.today_in_shanghai() + timedelta(days=10),
        )  # fmt: skip
        checked = photos.check_all([FileStorage(BytesIO(tiny_png()), filename="灯.png", content_type="image/png")])
        update = services.add_progress(made, member, "已修好3盏", checked)
        ids.update(commitment=made.id, photo=_photo_id(update.id))

    builders = {"commitment": commitment, "photo": commitment}
    ids = LazyIds(dict(base, owner_b_account=people["owner_b"].account_no), builders)
    organisation()  # always there: who may pledge depends on it
    db.session.commit()
    return SimpleNamespace(people=people, ids=ids)


def _photo_id(progress_id: int) -> int:
    from portal.boards.models import Photo

    return db.session.scalar(db.select(Photo.id).where(Photo.progress_id == progress_id))


CASES = [(route, role) for route in ROUTES for role in MEMBERS]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_board_route_access(client, board_world, login, route, role):
    method, template, expected, data = ROUTES[route]
    path = template.format_map(board_world.ids)
    form = {k: v.format_map(board_world.ids) for k, v in (data or {}).items()}
    if role != "anonymous":
        login(board_world.people[role])
    response = client.open(path, method=method, data=form)
    if response.status_code in (400, 409, 422):
        refused = re.findall(r"(?:field-error|flash-error)[^>]*>([^<]*)", response.get_data(as_text=True))
        pytest.fail(f"{response.status_code}: {refused}")
    assert outcome(response) == expected[role]
