"""Report card routes × every kind of person: the cards are public, like the board (B's community holds the
organisation; an organisation of another community is 404 everywhere, tested in tests/boards/test_report.py)."""

from __future__ import annotations

from datetime import date

import pytest
from test_routes import MEMBERS, PUBLIC, outcome

from portal.boards import report
from portal.boards.models import Category, Commitment, Organisation, OrgKind
from portal.compounds.models import Compound
from portal.extensions import db

R = "/c/{b}/board/org/{org}/report/{year}"
ROUTES = {
    "report card": ("GET", R, PUBLIC, None),
    "report card print": ("GET", R + "/print", PUBLIC, None),
}


@pytest.fixture
def cards(world):
    """社区医院 serving B's community, with one commitment made this year."""
    people, base = world
    compound = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    hospital = Organisation(community_id=compound.community_id, kind=OrgKind.cobuilder, name="社区医院")
    db.session.add(hospital)
    db.session.flush()
    db.session.add(
        Commitment(
            community_id=compound.community_id, organisation_id=hospital.id, pledger_id=people["staff_b"].id,
            title="每月义诊", target="每月第一个周六上午", category=Category.health, due_on=date(2099, 1, 1),
        )
    )  # fmt: skip
    db.session.commit()
    assert report.years_of(hospital) == [report.today_in_shanghai().year]
    return people, dict(base, org=hospital.id, year=report.today_in_shanghai().year)


CASES = [(route, role) for route in ROUTES for role in MEMBERS]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_report_route_access(client, cards, login, route, role):
    people, ids = cards
    method, template, expected, _data = ROUTES[route]
    if role != "anonymous":
        login(people[role])
    response = client.open(template.format_map(ids), method=method)
    assert outcome(response) == expected[role]
    assert "社区医院" in response.get_data(as_text=True)
