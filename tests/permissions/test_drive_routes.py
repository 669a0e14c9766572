"""Every route of the turnout drive × every kind of person, and three kinds of captain (compound B holds the vote).

A captain's list of doors is nobody else's business: whoever is neither committee, staff nor a captain of that
building gets 404, members included; naming captains is the committee's and staff's (403 to other members)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_routes import FORBIDDEN, HIDDEN, LOGIN, MEMBERS, OK, ROLES, outcome
from test_voting_routes import _vote

from portal.compounds.models import Building, Compound
from portal.drive import services
from portal.extensions import db
from portal.voting.models import VoteKind, VoteStatus

CAPTAINS = ["captain_b", "captain_elsewhere", "captain_a"]  # of 1栋 in B, of 2栋 in B, of a building in A
EVERYONE = ROLES + CAPTAINS
NAMING = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN, captain_b=FORBIDDEN, captain_elsewhere=FORBIDDEN,
              captain_a=HIDDEN)  # fmt: skip
DRIVERS = dict.fromkeys(EVERYONE, HIDDEN) | {"anonymous": LOGIN, "committee_b": OK, "staff_b": OK, "admin": OK}
MINE = dict(DRIVERS, captain_b=OK, captain_elsewhere=OK)
DOORS = dict(DRIVERS, captain_b=OK)  # 1栋: its captain, not the captain of 2栋
FILE = DRIVERS  # the CSV: committee and staff only

D = "/c/{b}/drive"
ROUTES = {
    "my buildings": ("GET", D + "/", MINE, None),
    "captains": ("GET", D + "/captains", NAMING, None),
    "name a captain": (
        "POST",
        D + "/captains",
        NAMING,
        {"person": "{owner_account}", "place": "b{two}", "confirm": "y"},
    ),
    "remove a captain": ("POST", D + "/captains/{elsewhere}/remove", NAMING, {}),
    "doors": ("GET", D + "/votes/{open}/buildings/{one}", DOORS, None),
    "doors csv": ("GET", D + "/votes/{open}/buildings/{one}.csv", FILE, None),
    "visit log": ("GET", D + "/votes/{open}/units/{unit}", DOORS, None),
    "record a visit": ("POST", D + "/votes/{open}/units/{unit}", DOORS, {"outcome": "reached", "note": "门口聊了"}),
}


@pytest.fixture
def drive(world, make):
    """An open vote in B with a unit in 2栋 too; a captain of 1栋 and one of 2栋 in B, and a captain in A."""
    people, base = world
    b = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    a = db.session.scalar(db.select(Compound).filter_by(slug="compound-a"))
    second = make.person("二栋业主")
    make.member(second, b)
    make.unit(b, "201", building="2栋", owners=[second])
    extra = {}
    for role, compound, building in (("captain_b", b, "1栋"), ("captain_elsewhere", b, "2栋"), ("captain_a", a, "1栋")):
        person = make.person(role)
        make.member(person, compound, "resident")
        place = db.session.scalar(db.select(Building).filter_by(compound_id=compound.id, name=building))
        extra[role] = (person, services.assign(compound, person, place, None, people["staff_b"]))
    vote = _vote(b, VoteKind.resolution, people["staff_b"], VoteStatus.open)
    one = db.session.scalar(db.select(Building).filter_by(compound_id=b.id, name="1栋"))
    two = db.session.scalar(db.select(Building).filter_by(compound_id=b.id, name="2栋"))
    ids = {
        **base,
        "open": vote.id,
        "one": one.id,
        "two": two.id,
        "unit": db.session.scalar(db.text("select id from unit where building_id = :b"), {"b": one.id}),
        "elsewhere": extra["captain_elsewhere"][1].id,
        "owner_account": people["owner_b"].account_no,
    }
    db.session.commit()
    return SimpleNamespace(people={**people, **{k: v[0] for k, v in extra.items()}}, ids=ids)


CASES = [(route, role) for route in ROUTES for role in EVERYONE]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_drive_route_access(client, drive, login, route, role):
    method, template, expected, data = ROUTES[route]
    path = template.format_map(drive.ids)
    form = {k: v.format_map(drive.ids) for k, v in (data or {}).items()}
    if role != "anonymous":
        login(drive.people[role])
    response = client.open(path, method=method, data=form)
    assert response.status_code not in (400, 409), response.get_data(as_text=True)[:500]
    assert outcome(response) == expected[role]
