"""Every route of the unit's voter × every kind of person (a unit of compound B owned by B's owner, B's committee
member and a third owner, who votes for it and proposes B's owner; the proposal waits for the other two).

Only the unit's owners learn its page exists: everyone else, staff included, gets 404; visitors are sent to log in.
Staff record the voter from the paper form on the staff pages, which exist for no one else.
"""

from __future__ import annotations

import pytest
from test_routes import HIDDEN, LOGIN, OK, ROLES, STAFF_ONLY, outcome

from portal.compounds.models import Compound
from portal.extensions import db

CO_OWNERS = dict.fromkeys(ROLES, HIDDEN) | {"anonymous": LOGIN, "owner_b": OK, "committee_b": OK}

U = "/c/{b}/units/{unit}/voter"
S = "/staff/c/{b}/voters"
ROUTES = {
    "unit voter page": ("GET", U, CO_OWNERS, None),
    "propose voter": ("POST", U + "/propose", CO_OWNERS, {"voter": "{committee_b}"}),
    "answer proposal": ("POST", U + "/answer", CO_OWNERS, {"proposal": "{proposal}", "answer": "confirm"}),
    "staff voters list": ("GET", S, STAFF_ONLY, None),
    "staff voter form": ("GET", S + "/{unit}", STAFF_ONLY, None),
    "staff record voter": ("POST", S + "/{unit}", STAFF_ONLY, {"voter": "{owner_b}", "signed": "y"}),
}


@pytest.fixture
def shared_unit(app, world, make):
    """The co-owned unit with the third owner's open proposal; returns the ids the routes use."""
    from portal.coowners import services

    people, ids = world
    b = db.session.scalar(db.select(Compound).filter_by(slug=ids["b"]))
    third = make.person("乙共有人")
    make.member(third, b)
    unit = make.unit(b, "909", owners=[third, people["owner_b"], people["committee_b"]])
    with app.test_request_context():
        proposal = services.propose(unit, third, people["owner_b"].id)
        db.session.commit()
    return ids | {"unit": unit.id, "committee_b": people["committee_b"].id, "proposal": proposal.id}


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_route_access(client, world, shared_unit, login, route, role):
    people, _ids = world
    method, template, expected, data = ROUTES[route]
    if role != "anonymous":
        login(people[role])
    form = {k: v.format(**shared_unit) for k, v in (data or {}).items()}
    response = client.open(template.format(**shared_unit), method=method, data=form)
    assert outcome(response) == expected[role]
