"""楼栋长/单元长 (issue 14, items 2 and 6): captains see the units of their scope that have not voted and record their
visits; nobody else sees anything; committee and staff see every building and export the list."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.audit import AuditEvent
from portal.compounds.models import Unit
from portal.db import utcnow
from portal.drive import services
from portal.drive.models import Captain, Visit, VisitOutcome
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import box, sheets
from portal.voting.models import BallotChannel, VotingRight, VotingRightUnit
from tests.queries import count_queries


def _right(vote, person) -> VotingRight:
    return db.session.scalar(
        sa.select(VotingRight).where(VotingRight.vote_id == vote.id, VotingRight.person_id == person.id)
    )


def _yes(vote) -> box.Choices:
    return box.Choices({str(item.id): "yes" for item in vote.items})


@pytest.fixture
def drive(estate, make):
    """The estate with a second entrance in 1栋 (two more owners), an entrance captain of 1栋 2单元 (the resident), a
    building captain of 9栋 (owner two), and a captain in another compound of the same community."""
    people = estate.people
    three, four = make.person("四零一业主", phone="13900000401"), make.person("=HYPERLINK(1)")
    for person in (three, four):
        make.member(person, estate.compound)
    u401 = make.unit(estate.compound, "401", "90.00", entrance="2单元", owners=[three])
    u402 = make.unit(estate.compound, "402", "91.00", entrance="2单元", owners=[four])
    places = dict(
        ((b.name, e.name if e else None), (b, e))
        for b, entrances in services.places(estate.compound)
        for e in [None, *entrances]
    )
    entrance_captain = services.assign(estate.compound, people.resident, *places[("1栋", "2单元")], people.staff)
    building_captain = services.assign(estate.compound, people.two, *places[("9栋", None)], people.staff)
    other = make.compound("qingyuan", "青园小区", estate.community)
    stranger = make.person("外小区楼长")
    make.member(stranger, other)
    make.unit(other, "101", owners=[stranger])
    services.assign(other, stranger, other.buildings[0], None, people.staff)
    stranger_building = other.buildings[0]
    db.session.commit()
    return SimpleNamespace(
        three=three, four=four, u401=u401, u402=u402, places=places, stranger=stranger,
        stranger_building=stranger_building,
        entrance_captain=entrance_captain, building_captain=building_captain,
    )  # fmt: skip


def _units(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'id="unit-(\d+)"', html)}


def _doors_url(vote, building) -> str:
    return f"/c/lvyuan/drive/votes/{vote.id}/buildings/{building.id}"


def test_an_entrance_captain_sees_only_the_unvoted_units_of_their_entrance(client, login, estate, drive, make_vote):
    vote = make_vote()
    one = drive.places[("1栋", None)][0]
    login(estate.people.resident)
    page = client.get(_doors_url(vote, one))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _units(html) == {drive.u401.id, drive.u402.id}
    assert "四零一业主" in html and "13900000401" in html
    assert "三套业主" not in html  # 1栋 1单元 is not theirs
    # another building, a unit outside the scope (page and visit): 404
    assert client.get(_doors_url(vote, drive.places[("9栋", None)][0])).status_code == 404
    outside = db.session.scalar(
        sa.text("select id from unit where room = '101' and compound_id = :c"), {"c": estate.compound.id}
    )
    assert client.get(f"/c/lvyuan/drive/votes/{vote.id}/units/{outside}").status_code == 404
    assert (
        client.post(f"/c/lvyuan/drive/votes/{vote.id}/units/{outside}", data={"outcome": "reached"}).status_code == 404
    )
    assert client.get(f"/c/lvyuan/drive/votes/{vote.id}/buildings/{one.id}.csv").status_code == 404  # staff's file
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0


def test_a_building_captain_sees_the_whole_building_and_never_who_voted(client, login, estate, drive, make_vote):
    vote = make_vote(secrecy="secret")
    login(estate.people.two)
    nine = drive.places[("9栋", None)][0]
    html = client.get(_doors_url(vote, nine)).get_data(as_text=True)
    assert len(_units(html)) == 2 and "开发商" in html
    box.cast(vote, _right(vote, estate.people.developer), _yes(vote))
    html = client.get(_doors_url(vote, nine)).get_data(as_text=True)
    assert _units(html) == set() and "开发商" not in html


def test_owners_visitors_and_captains_of_another_compound_see_nothing(client, login, estate, drive, make_vote):
    vote = make_vote()
    one = drive.places[("1栋", None)][0]
    urls = ["/c/lvyuan/drive/", _doors_url(vote, one), f"/c/lvyuan/drive/votes/{vote.id}/units/{drive.u401.id}"]
    for url in urls:
        assert client.get(url).status_code == 302  # a visitor is asked to log in
    for person in (estate.people.one, drive.stranger):
        client.post("/logout")
        login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person.name, url)
    # ids of the other compound in the address: the stranger's own building in 绿园's vote, 绿园's vote under 青园
    theirs = drive.stranger_building
    assert client.get(_doors_url(vote, theirs)).status_code == 404
    assert client.get(f"/c/qingyuan/drive/votes/{vote.id}/buildings/{theirs.id}").status_code == 404
    # the stranger's own compound shows them their building, and nothing of 绿园
    page = client.get("/c/qingyuan/drive/").get_data(as_text=True)
    assert "1栋" in page and "绿园" not in page


def test_a_captain_sees_nothing_of_a_closed_vote_and_cannot_record_after_the_close(
    client, login, estate, drive, make_vote
):
    vote = make_vote()
    login(estate.people.resident)
    url = f"/c/lvyuan/drive/votes/{vote.id}/units/{drive.u401.id}"
    assert client.post(url, data={"outcome": "reached"}).status_code == 303
    vote.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        services.record_visit(vote, drive.u401, estate.people.resident, VisitOutcome.reached, "")
    assert refused.value.code == "vote_not_open"
    assert client.get(url).status_code == 404  # the vote closed itself on this request: the captain's list is gone
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 1


def test_visits_are_listed_newest_first_with_who_and_when(client, login, estate, drive, make_vote):
    vote = make_vote()
    url = f"/c/lvyuan/drive/votes/{vote.id}/units/{drive.u401.id}"
    login(estate.people.resident)
    first = client.post(url, data={"outcome": "not_home", "note": ""})
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/buildings/{drive.u401.building_id}#unit-{drive.u401.id}")
    client.post("/logout")
    login(estate.people.staff)
    row = client.post(url, data={"outcome": "paper", "note": "周六来取选票"}, headers={"HX-Request": "true"})
    assert row.status_code == 200
    fragment = row.get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<li id="unit-{drive.u401.id}"') and "将书面投票" in fragment
    log = client.get(url).get_data(as_text=True).split('<ul class="visit-log">')[1]
    assert log.index("将书面投票") < log.index("不在家")  # newest first
    assert "社区工作人员" in log and "租户" in log and "周六来取选票" in log
    assert client.post(url, data={"outcome": "bribed"}).status_code == 400
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "visit.recorded")).all()
    assert len(actions) == 2


def test_the_list_leaves_out_units_that_voted_online_by_proxy_or_on_paper(estate, drive, make_vote):
    people = estate.people
    vote = make_vote()
    box.cast(vote, _right(vote, people.one), _yes(vote))
    box.cast(vote, _right(vote, people.two), _yes(vote), BallotChannel.proxy, proxy=people.resident)
    box.cast(vote, _right(vote, people.buyer), _yes(vote), BallotChannel.paper, actor=people.staff)
    one = drive.places[("1栋", None)][0]
    rooms = [d.room for d in services.doors(vote, one, services.access.Scope(None))]
    assert rooms == ["201", "401", "402"]  # 101–103 (paper), 301 (online), 302 (proxy) have voted


def test_a_secret_votes_envelope_handed_in_takes_the_unit_off_the_list(estate, drive, make_vote):
    people = estate.people
    vote = make_vote(secrecy="secret")
    one = drive.places[("1栋", None)][0]
    sheets.receive_envelope(vote, _right(vote, people.one), people.staff)  # the sheet is not entered yet
    rooms = [d.room for d in services.doors(vote, one, services.access.Scope(None))]
    assert "301" not in rooms and "201" in rooms
    with pytest.raises(Refused) as refused:
        services.record_visit(
            vote, db.session.get(Unit, _unit_of(vote, people.one)), people.staff, VisitOutcome.reached, ""
        )
    assert refused.value.code == "used"


def _unit_of(vote, person) -> int:
    return db.session.scalar(
        sa.select(VotingRightUnit.unit_id)
        .join(VotingRight)
        .where(VotingRight.vote_id == vote.id, VotingRight.person_id == person.id)
    )


def test_the_csv_is_formula_safe_with_a_header_and_only_this_buildings_non_voters(
    client, login, estate, drive, make_vote
):
    vote = make_vote()
    box.cast(vote, _right(vote, estate.people.one), _yes(vote))
    services.record_visit(vote, drive.u402, estate.people.resident, VisitOutcome.refused, "=1+1")
    db.session.commit()
    login(estate.people.chair)
    response = client.get(f"/c/lvyuan/drive/votes/{vote.id}/buildings/{drive.places[('1栋', None)][0].id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["楼栋", "单元", "房号", "业主"]
    rooms = [r[2] for r in rows[1:]]
    assert rooms == ["101", "102", "103", "201", "302", "401", "402"]  # 301 voted; 9栋 is another building
    last = rows[-1]
    assert last[3] == "'=HYPERLINK(1)" and last[6] == "拒绝" and last[7] == "1" and last[9] == "'=1+1"


def test_the_list_runs_the_same_statements_for_a_small_and_a_large_building(estate, make, make_vote):
    small = [make.person(f"小楼{i}") for i in range(2)]
    large = [make.person(f"大楼{i}") for i in range(30)]
    for i, person in enumerate(small):
        make.unit(estate.compound, f"{i + 1}01", building="7栋", owners=[person])
    for i, person in enumerate(large):
        make.unit(estate.compound, f"{i + 1}01", building="8栋", owners=[person])
    vote = make_vote()
    for i, person in enumerate(large):
        unit_id = db.session.scalar(
            sa.text("select u.id from unit u join ownership o on o.unit_id = u.id where o.person_id = :p"),
            {"p": person.id},
        )
        for n in range(i % 3):
            db.session.add(Visit(vote_id=vote.id, unit_id=unit_id, visitor_id=estate.people.staff.id,
                                 outcome=VisitOutcome.not_home, note=f"第{n}次"))  # fmt: skip
    db.session.commit()
    by_name = {b.name: b for b, _e in services.places(estate.compound)}
    scope = services.access.Scope(None)
    assert vote.id and all(b.name for b in by_name.values())  # loaded before counting
    with count_queries() as few:
        assert len(services.doors(vote, by_name["7栋"], scope)) == 2
    with count_queries() as many:
        doors = services.doors(vote, by_name["8栋"], scope)
    assert len(doors) == 30 and len(few) == len(many) == 1, many
    assert {d.visits for d in doors} == {0, 1, 2} and all(d.last_note == "第1次" for d in doors if d.visits == 2)


def test_assigning_a_captain_is_confirmed_and_refused_for_someone_outside_the_compound(client, login, estate, drive):
    login(estate.people.chair)
    one = drive.places[("1栋", None)][0]
    url = "/c/lvyuan/drive/captains"
    data = {"person": estate.people.one.account_no, "place": f"b{one.id}"}
    unconfirmed = client.post(url, data=data)
    assert unconfirmed.status_code == 400 and "勾选" in unconfirmed.get_data(as_text=True)
    assert client.post(url, data={**data, "confirm": "y"}).status_code == 303
    assert client.post(url, data={**data, "confirm": "y"}).status_code == 400  # already captain there
    stranger = client.post(url, data={**data, "person": drive.stranger.account_no, "confirm": "y"})
    assert stranger.status_code == 400
    foreign = client.post(url, data={**data, "place": "b999999", "confirm": "y"})
    assert foreign.status_code == 400
    captain = db.session.scalar(sa.select(Captain).where(Captain.person_id == estate.people.one.id))
    assert captain is not None and captain.entrance_id is None and captain.assigned_by_id == estate.people.chair.id
    assert client.post(f"{url}/{captain.id}/remove").status_code == 303
    assert db.session.get(Captain, captain.id) is None
    logged = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("captain.%"))).all()
    assert logged.count("captain.assigned") >= 1 and "captain.removed" in logged


def test_a_long_list_comes_in_pages_and_a_visit_returns_to_the_units_page(client, login, estate, make, make_vote):
    owners = [make.person(f"高楼{i}") for i in range(60)]
    units = [make.unit(estate.compound, f"{i + 1:02d}01", building="6栋", owners=[p]) for i, p in enumerate(owners)]
    vote = make_vote()
    login(estate.people.staff)
    url = f"/c/lvyuan/drive/votes/{vote.id}/buildings/{units[0].building_id}"
    first = client.get(url).get_data(as_text=True)
    assert len(_units(first)) == 50 and "60户" in first and f"{url}?page=2" in first
    assert _units(client.get(f"{url}?page=2").get_data(as_text=True)) == {u.id for u in units[50:]}
    posted = client.post(f"/c/lvyuan/drive/votes/{vote.id}/units/{units[55].id}", data={"outcome": "reached"})
    assert posted.headers["Location"].endswith(f"{url}?page=2#unit-{units[55].id}")
