"""The platform administrator's routes × every kind of person: only administrators; everyone else gets 404 (a
visitor is first sent to log in, as on the staff pages)."""

from __future__ import annotations

import pytest
from test_routes import ROLES, outcome

from portal.compounds.models import Community
from portal.extensions import db

ADMIN_ONLY = dict.fromkeys(ROLES, 404) | {"anonymous": "login", "admin": "ok"}
C = "/admin/communities/{community}"
ROUTES = {
    "admin communities": ("GET", "/admin/", ADMIN_ONLY),
    "admin create community": ("POST", "/admin/", ADMIN_ONLY),
    "admin community": ("GET", C + "/", ADMIN_ONLY),
    "admin add staff": ("POST", C + "/staff", ADMIN_ONLY),
    "admin new staff": ("POST", C + "/staff/new", ADMIN_ONLY),
    "admin remove staff form": ("GET", C + "/staff/{staff_b}/remove", ADMIN_ONLY),
    "admin remove staff": ("POST", C + "/staff/{staff_b}/remove", ADMIN_ONLY),
}
# Form data that makes each action succeed for an administrator (so "ok" is a real success, not a 400).
DATA = {
    "admin create community": {"name": "三号社区"},
    "admin add staff": {"login": "{owner_b_account}"},
    "admin new staff": {"name": "新工作人员"},
}


@pytest.fixture
def admin_world(world):
    """The shared world, with the id of B's community and the people the forms name."""
    people, base = world
    community = db.session.scalar(db.select(Community).filter_by(name="一号社区"))
    ids = dict(base, community=community.id, staff_b=people["staff_b"].id, owner_b_account=people["owner_b"].account_no)
    return people, ids


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_admin_route_access(client, admin_world, login, route, role):
    people, ids = admin_world
    method, template, expected = ROUTES[route]
    if role != "anonymous":
        login(people[role])
    data = {k: v.format_map(ids) for k, v in DATA.get(route, {}).items()}
    response = client.open(template.format_map(ids), method=method, data=data)
    assert outcome(response) == expected[role]
