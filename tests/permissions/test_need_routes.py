"""Every route of requests and micro-wishes × every kind of person (compound B holds the requests).

B's owner asks; B's committee member is also a volunteer of B (claims and takes requests). A non-public request is
seen only by the requester, staff and the taker: anyone else gets 404, visitors are sent to log in. A public,
accepted request is seen by everyone: those who may not act on it get 403. Allowed requests carry data that makes
them succeed.
"""

from __future__ import annotations

import re
from io import BytesIO
from types import SimpleNamespace

import pytest
from test_routes import FORBIDDEN, HIDDEN, LOGIN, MEMBERS, OK, PUBLIC, outcome
from test_voting_routes import LazyIds

from portal import uploads
from portal.boards.models import Category
from portal.extensions import db
from portal.needs import services
from portal.needs.models import NeedKind

TAKE_PART = dict(MEMBERS, staff_b=FORBIDDEN, admin=FORBIDDEN)  # owners and residents of B post requests
# Non-public, taken by B's committee member: the requester, the taker and staff see it; nobody else knows it exists.
PRIVATE = dict(MEMBERS, resident_b=HIDDEN)
STAFF_STEP = dict(PRIVATE, owner_b=FORBIDDEN, committee_b=HIDDEN)  # non-public, not taken: requester sees it
SUPERVISE = dict(PRIVATE, owner_b=FORBIDDEN, committee_b=FORBIDDEN)  # non-public, taken: the taker sees it too
PUBLIC_ACTION = {role: FORBIDDEN for role in MEMBERS} | {"anonymous": LOGIN}
CLAIM = dict(PUBLIC_ACTION, committee_b=OK)  # the volunteer
TAKER = dict(PUBLIC_ACTION, committee_b=OK)
REQUESTER = dict(PUBLIC_ACTION, owner_b=OK)
NAMES = dict(STAFF_STEP, owner_b=OK)  # photos: the requester and staff (no taker yet)

N = "/c/{b}/needs"
NEED_FORM = {"kind": "wish", "category": "elderly", "title": "帮忙买菜", "description": "腿脚不便"}
ROUTES = {
    "need list": ("GET", N + "/", PUBLIC, None),
    "new need form": ("GET", N + "/new", TAKE_PART, None),
    "post need": ("POST", N + "/new", TAKE_PART, NEED_FORM),
    "public need page": ("GET", N + "/{public_open}", PUBLIC, None),
    "private need page": ("GET", N + "/{private_taken}", PRIVATE, None),
    "accept need": ("POST", N + "/{submitted}/accept", STAFF_STEP, {"taker": ""}),
    "decline need": ("POST", N + "/{submitted}/decline", STAFF_STEP, {"reason": "不属于受理范围"}),
    "dispatch need": ("POST", N + "/{private_open}/dispatch", STAFF_STEP, {"taker": "person-{committee_b}"}),
    "claim need": ("POST", N + "/{public_open}/claim", CLAIM, {"as": "self"}),
    "mark need done": ("POST", N + "/{public_taken}/done", TAKER, {"note": "已办好"}),
    "confirm need": ("POST", N + "/{public_done}/confirm", REQUESTER, {"stars": "5"}),
    "reopen need": ("POST", N + "/{public_done}/reopen", REQUESTER, {"reason": "还没好"}),
    "supervise need": ("POST", N + "/{private_taken}/supervise", SUPERVISE, {"note": "请尽快"}),
    "need photo": ("GET", N + "/photos/{photo}", NAMES, None),
}


def _png() -> bytes:
    from tests.needs.conftest import png_bytes

    return png_bytes()


@pytest.fixture
def needs(app, world, make):
    """Requests of B's owner at each step, built on demand; B's committee member is a volunteer of B."""
    from werkzeug.datastructures import FileStorage

    from portal.compounds.models import Compound

    people, base = world
    compound = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    make.member(people["committee_b"], compound, "volunteer")
    owner, staff, volunteer = people["owner_b"], people["staff_b"], people["committee_b"]
    ids: LazyIds

    def need(stage, public, with_photo=False):
        with app.test_request_context():
            checked = (
                [uploads.check(FileStorage(BytesIO(_png()), filename="门.png"), uploads.IMAGES)] if with_photo else []
            )
            made = services.post(compound, owner, kind=NeedKind.wish, category=Category.elderly, title="帮忙买药",
                                 description="腿脚不便", is_public=public, checked=checked)  # fmt: skip
            if stage != "submitted":
                services.accept(made, staff)
            if stage in ("taken", "done"):
                services.take(made, staff, person=volunteer)
            if stage == "done":
                services.mark_done(made, volunteer, "已送到")
        return made.id

    def build(name, stage, public, with_photo=False):
        def _build():
            ids[name] = need(stage, public, with_photo)

        return _build

    builders = {
        "public_open": build("public_open", "open", True),
        "private_open": build("private_open", "open", False),
        "submitted": build("submitted", "submitted", False),
        "public_taken": build("public_taken", "taken", True),
        "private_taken": build("private_taken", "taken", False),
        "public_done": build("public_done", "done", True),
    }

    def photo():
        from portal.boards.models import Photo

        need_id = need("open", True, with_photo=True)
        ids["photo"] = db.session.scalar(db.select(Photo.id).where(Photo.need_id == need_id))

    builders["photo"] = photo
    ids = LazyIds(dict(base, committee_b=volunteer.id), builders)
    return SimpleNamespace(people=people, ids=ids)


CASES = [(route, role) for route in ROUTES for role in MEMBERS]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_need_route_access(client, needs, login, route, role):
    method, template, expected, data = ROUTES[route]
    path = template.format_map(needs.ids)
    form = {k: v.format_map(needs.ids) for k, v in (data or {}).items()}
    if role != "anonymous":
        login(needs.people[role])
    response = client.open(path, method=method, data=form)
    if response.status_code in (400, 409, 422):
        refused = re.findall(r"(?:field-error|flash-error)[^>]*>([^<]*)", response.get_data(as_text=True))
        pytest.fail(f"{response.status_code}: {refused}")
    assert outcome(response) == expected[role]
