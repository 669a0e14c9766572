"""Votes of one building or entrance (issue 15): the roll follows the scope; everything that counts follows the roll.

The recount here is independent of `electorate.py`: every unit of the compound is read, those in scope kept, each
counted under its designated voter (the developer's units under one head), areas added in integer cents.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.accounts.models import Person
from portal.compounds.models import Building, Entrance, Unit
from portal.extensions import db
from portal.refusals import Refused
from portal.register.models import Ownership
from portal.voting import box, electorate, lifecycle, results, scope
from portal.voting.models import Vote, VoteScope, VoteStatus, VotingRight
from portal.voting.verify import verify
from tests.voting.test_casting import _items, vote_online


def recount(compound_id: int, buildings: set[int], entrances: set[int]) -> tuple[int, int, dict]:
    """(heads, area in cents, {head: cents}) over the units in scope, straight from the register."""
    rows = db.session.execute(
        sa.select(Unit.building_id, Unit.entrance_id, Unit.area_m2, Ownership.person_id, Person.is_developer)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .join(Person, Person.id == Ownership.person_id)
        .where(Unit.compound_id == compound_id, Ownership.is_designated_voter.is_(True))
    ).all()
    heads: dict = {}
    for building_id, entrance_id, area, person_id, developer in rows:
        if building_id in buildings or (entrance_id is not None and entrance_id in entrances):
            head = "developer" if developer else person_id
            heads[head] = heads.get(head, 0) + int(Decimal(area) * 100)
    return len(heads), sum(heads.values()), heads


def frozen(vote: Vote) -> dict:
    """The frozen roll as {head: cents}, the developer's right under "developer"."""
    rights = db.session.scalars(sa.select(VotingRight).where(VotingRight.vote_id == vote.id)).all()
    return {"developer" if r.is_developer else r.person_id: int(r.area_m2 * 100) for r in rights}


def _place(compound, building, entrance=None):
    b = db.session.scalar(sa.select(Building).filter_by(compound_id=compound.id, name=building))
    e = db.session.scalar(sa.select(Entrance).filter_by(building_id=b.id, name=entrance)) if entrance else None
    return b, e


@pytest.fixture
def towers(estate, make):
    """Beside the estate (all in 1栋 and 9栋): 3栋 of two entrances and 5栋. An owner across the boundary (3栋 and
    5栋), the developer's unsold units in 3栋 and in 9栋 (outside), co-owners in 3栋 2单元, single owners."""
    people = estate.people
    across, single, other = make.person("跨楼业主"), make.person("3栋业主"), make.person("5栋业主")
    for person in (across, single, other):
        make.member(person, estate.compound)
    make.unit(estate.compound, "101", "91.37", building="3栋", entrance="1单元", owners=[across])
    make.unit(estate.compound, "102", "88.12", building="3栋", entrance="1单元", owners=[single])
    make.unit(estate.compound, "103", "120.00", building="3栋", entrance="1单元", owners=[people.developer])
    make.unit(
        estate.compound, "201", "77.77", building="3栋", entrance="2单元", owners=[people.husband, people.wife], voter=1
    )
    make.unit(estate.compound, "202", "120.00", building="3栋", entrance="2单元", owners=[people.developer])
    make.unit(estate.compound, "501", "65.05", building="5栋", entrance="1单元", owners=[across])
    make.unit(estate.compound, "502", "70.70", building="5栋", entrance="1单元", owners=[other])
    return {"across": across, "single": single, "other": other}


def test_the_scoped_roll_equals_the_recount(estate, towers, make_vote):
    vote = make_vote(scope=[("3栋", None)])
    b3, _e = _place(estate.compound, "3栋")
    heads, cents, by_head = recount(estate.compound.id, {b3.id}, set())
    assert (vote.electorate_heads, vote.electorate_area) == (heads, Decimal(cents) / 100)
    assert frozen(vote) == by_head
    # 跨楼业主 counts once with 3栋's flat only; the developer's two unsold flats in 3栋 are one head, 9栋's not in it;
    # the co-owners of 3栋 201 are one head, their designated voter (the wife).
    assert by_head[towers["across"].id] == 9137 and by_head["developer"] == 24000
    assert estate.people.wife.id in by_head and estate.people.husband.id not in by_head
    assert towers["other"].id not in by_head and estate.people.one.id not in by_head
    assert (heads, cents) == (4, 9137 + 8812 + 24000 + 7777)


def test_an_entrance_and_a_building_together(estate, towers, make_vote):
    vote = make_vote(scope=[("3栋", "2单元"), ("5栋", None)])
    b5, _ = _place(estate.compound, "5栋")
    _, e32 = _place(estate.compound, "3栋", "2单元")
    heads, cents, by_head = recount(estate.compound.id, {b5.id}, {e32.id})
    assert frozen(vote) == by_head and vote.electorate_heads == heads == 4
    assert vote.electorate_area == Decimal(cents) / 100 == Decimal("77.77") + Decimal("120.00") + Decimal("135.75")
    assert scope.places(vote) == ["3栋2单元", "5栋"]


def test_an_entrance_inside_a_chosen_building_adds_nothing(estate, towers, make_vote):
    vote = make_vote(status="draft")
    b3, _ = _place(estate.compound, "3栋")
    _, e31 = _place(estate.compound, "3栋", "1单元")
    scope.apply(vote, [f"b{b3.id}", f"e{e31.id}"])
    db.session.flush()
    assert [(r.building_id, r.entrance_id) for r in vote.scope] == [(b3.id, None)]


@st.composite
def registers(draw):
    """A small compound: buildings of 0–3 entrances (units without an entrance too), and who owns each unit."""
    buildings = []
    for _b in range(draw(st.integers(1, 4))):
        entrances = draw(st.integers(0, 3))
        units = [
            (
                draw(st.sampled_from([None, *range(entrances)])) if entrances else None,
                draw(st.integers(1, 30000)),  # area in cents
                draw(st.sampled_from(["developer", "coowned", 0, 1, 2, 3, 4, 5])),
            )
            for _u in range(draw(st.integers(0, 5)))
        ]
        buildings.append((entrances, units))
    return buildings


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=registers(), data=st.data())
def test_random_scopes_match_the_recount(estate, make_vote, register, data):
    """Random subsets of buildings and entrances of a generated compound: heads and area exactly the recount's."""
    owners = [Person(name=f"业主{n}", account_no=f"H{n:05d}") for n in range(6)]
    partner = Person(name="共有人", account_no="H99999")
    db.session.add_all([*owners, partner])
    db.session.flush()
    places = []
    try:
        for number, (entrance_count, units) in enumerate(register, start=1):
            building = Building(compound_id=estate.compound.id, name=f"{20 + number}栋")
            db.session.add(building)
            db.session.flush()
            entrances = [Entrance(building_id=building.id, name=f"{n + 1}单元") for n in range(entrance_count)]
            db.session.add_all(entrances)
            db.session.flush()
            places.append(f"b{building.id}")
            places += [f"e{e.id}" for e in entrances]
            for room, (entrance, cents, owner) in enumerate(units, start=1):
                unit = Unit(
                    compound_id=estate.compound.id,
                    building_id=building.id,
                    entrance_id=entrances[entrance].id if entrance is not None else None,
                    room=str(room),
                    unit_key=f"{building.name}|{entrance}|{room}",
                    area_m2=Decimal(cents) / 100,
                )
                db.session.add(unit)
                db.session.flush()
                if owner == "developer":
                    holders = [(estate.people.developer, True)]
                elif owner == "coowned":
                    holders = [(owners[0], False), (partner, True)]
                else:
                    holders = [(owners[owner], True)]
                for person, voter in holders:
                    db.session.add(Ownership(unit_id=unit.id, person_id=person.id, is_designated_voter=voter))
        db.session.flush()
        picked = data.draw(st.lists(st.sampled_from(places), unique=True, min_size=1))
        vote = Vote(
            compound_id=estate.compound.id,
            kind="resolution",
            title="范围",
            opens_at=db.func.now(),
            closes_at=db.func.now(),
        )
        vote.compound = estate.compound
        db.session.add(vote)
        db.session.flush()
        buildings = {int(t[1:]) for t in picked if t[0] == "b"}
        entrances = {int(t[1:]) for t in picked if t[0] == "e"}
        heads, cents, by_head = recount(estate.compound.id, buildings, entrances)
        if heads == 0 and not db.session.scalar(
            sa.select(sa.func.count(Unit.id)).where(
                sa.or_(Unit.building_id.in_(buildings), Unit.entrance_id.in_(entrances))
            )
        ):
            with pytest.raises(Refused) as refused:
                scope.apply(vote, picked)
            assert refused.value.code == "scope_no_units"
            return
        scope.apply(vote, picked)
        db.session.flush()
        electorate.freeze(vote)
        assert vote.electorate_heads == heads
        assert vote.electorate_area == Decimal(cents) / 100
        assert frozen(vote) == by_head
    finally:
        db.session.rollback()


def test_a_scope_without_units_is_refused_and_a_poll_has_none(estate, make, make_vote):
    make.unit(estate.compound, "1", "10.00", building="空楼", entrance=None)
    db.session.execute(sa.delete(Unit).where(Unit.room == "1", Unit.unit_key.like("空楼%")))
    empty = db.session.scalar(sa.select(Building).filter_by(compound_id=estate.compound.id, name="空楼"))
    draft = make_vote(status="draft")
    with pytest.raises(Refused) as refused:
        scope.apply(draft, [f"b{empty.id}"])
    assert refused.value.code == "scope_no_units"
    nine, _ = _place(estate.compound, "9栋")
    poll = make_vote(kind="poll", status="draft")
    with pytest.raises(Refused) as refused:
        scope.apply(poll, [f"b{nine.id}"])
    assert refused.value.code == "scope_resolution_only"
    with pytest.raises(Refused) as refused:
        scope.apply(draft, ["b999999"])
    assert refused.value.code == "scope_unknown"


# --- the form ---------------------------------------------------------------------------------------------------

FORM = {
    "kind": "resolution",
    "title": "关于3栋电梯更新的表决",
    "secrecy": "named",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-01-20T18:00",
    "objection_days": "7",
}


def test_the_form_chooses_a_scope_and_refuses_an_empty_one(client, estate, towers, make, login):
    login(estate.people.chair)
    page = client.get("/c/lvyuan/votes/new").get_data(as_text=True)
    b3, _ = _place(estate.compound, "3栋")
    _, e31 = _place(estate.compound, "3栋", "1单元")
    assert f'value="b{b3.id}"' in page and f'value="e{e31.id}"' in page and "3栋1单元" in page
    response = client.post("/c/lvyuan/votes/new", data={**FORM, "scope": [f"e{e31.id}"]})
    assert response.status_code == 303
    vote = db.session.scalar(sa.select(Vote))
    assert [(r.building_id, r.entrance_id) for r in vote.scope] == [(b3.id, e31.id)]
    edit = client.get(f"/c/lvyuan/votes/{vote.id}/edit").get_data(as_text=True)
    assert f'value="e{e31.id}" checked' in edit
    assert "表决范围：3栋1单元全体业主" in edit
    # a building with no unit: refused at the field, nothing saved
    make.unit(estate.compound, "1", "10.00", building="车库", entrance=None)
    db.session.execute(sa.delete(Unit).where(Unit.unit_key == "车库||1"))
    db.session.commit()
    garage = db.session.scalar(sa.select(Building).filter_by(compound_id=estate.compound.id, name="车库"))
    refused = client.post(f"/c/lvyuan/votes/{vote.id}/edit", data={**FORM, "scope": [f"b{garage.id}"]})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="scope-error"' in html and "没有任何房屋" in html
    assert 'href="#scope-0"' in html  # the error summary links to the first box
    db.session.refresh(vote)
    assert [(r.building_id, r.entrance_id) for r in vote.scope] == [(b3.id, e31.id)]
    # another compound's building is no choice
    other = make.compound("other", "别的小区", estate.community)
    make.unit(other, "1", "50.00", building="1栋")
    foreign = db.session.scalar(sa.select(Building).filter_by(compound_id=other.id))
    assert client.post(f"/c/lvyuan/votes/{vote.id}/edit", data={**FORM, "scope": [f"b{foreign.id}"]}).status_code == 400
    # nothing ticked: the whole compound again
    assert client.post(f"/c/lvyuan/votes/{vote.id}/edit", data=FORM).status_code == 303
    db.session.refresh(vote)
    assert vote.scope == []


def test_the_scope_cannot_change_once_announced(client, estate, towers, make_vote, login):
    vote = make_vote(status="announced", scope=[("3栋", None)])
    login(estate.people.staff)
    b5, _ = _place(estate.compound, "5栋")
    response = client.post(f"/c/lvyuan/votes/{vote.id}/edit", data={**FORM, "scope": [f"b{b5.id}"]})
    assert response.status_code == 409
    with pytest.raises(Refused):
        from portal.voting import services

        services.update_vote(
            vote,
            services.Settings(vote.kind, vote.title, "", vote.secrecy, vote.opens_at, vote.closes_at, scope=()),
            estate.people.staff,
        )
    db.session.rollback()
    db.session.refresh(vote)
    assert scope.places(vote) == ["3栋"]


# --- who sees and votes -------------------------------------------------------------------------------------------


def test_an_owner_outside_the_scope_reads_the_vote_and_its_result_but_cannot_cast(
    client, estate, towers, make_vote, login
):
    vote = make_vote(scope=[("3栋", None)])
    login(towers["other"])  # owns in 5栋 only
    page = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    assert "本表决仅限3栋业主参加，您不在表决范围内。" in page and "3栋全体业主" in page
    assert "立即投票" not in page
    assert client.get(f"/c/lvyuan/votes/{vote.id}/ballot").status_code == 403
    data = {"step": "confirm", **_items(vote, "yes", "yes")}
    assert client.post(f"/c/lvyuan/votes/{vote.id}/ballot", data=data).status_code == 403
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(VotingRight)
            .where(VotingRight.vote_id == vote.id, VotingRight.person_id == towers["other"].id)
        )
        == 0
    )
    client.post("/logout")
    # the owner across the boundary votes, with 3栋's area only
    login(towers["across"])
    inside = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    assert "不在表决范围内" not in inside
    receipt = vote_online(client, vote, _items(vote, "yes", "yes"))
    assert receipt.status_code == 200
    assert "91.37" in receipt.get_data(as_text=True) and "65.05" not in receipt.get_data(as_text=True)
    client.post("/logout")
    for step in (VoteStatus.closed, VoteStatus.preliminary):
        lifecycle.transition(vote, step, estate.people.staff, reason="测试")
    db.session.commit()
    login(towers["other"])
    result = client.get(f"/c/lvyuan/votes/{vote.id}/results")
    assert result.status_code == 200
    html = result.get_data(as_text=True)
    assert "3栋全体业主" in html and "总人数（专有部分人数之和）：4 人，总面积（专有部分面积之和）：497.26 ㎡" in html
    notice = client.get(f"/c/lvyuan/votes/{vote.id}/notice").get_data(as_text=True)
    assert "3栋全体业主" in notice and "总面积（专有部分面积之和）：497.26 ㎡" in notice
    assert client.get(f"/c/lvyuan/votes/{vote.id}/results.json").get_json()["vote"]["scope"] == ["3栋"]
    listing = client.get("/c/lvyuan/votes/").get_data(as_text=True)
    assert "3栋全体业主" in listing
    client.post("/lang", data={"lang": "en"})
    english = client.get(f"/c/lvyuan/votes/{vote.id}/notice").get_data(as_text=True)
    assert "All owners of 3栋" in english and "Total owners (sum of exclusive parts): 4 people" in english


def test_the_whole_compound_says_all_owners(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.one)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    assert "全体业主" in page and "不在表决范围内" not in page


def test_the_open_notice_and_awaiting_list_reach_only_the_scope(estate, towers, make_vote):
    from portal.inbox.models import Notification
    from portal.voting import reminders

    vote = make_vote(scope=[("3栋", "1单元")])
    rights = {r.person_id for r in db.session.scalars(sa.select(VotingRight).where(VotingRight.vote_id == vote.id))}
    assert rights == {towers["across"].id, towers["single"].id, estate.people.developer.id}
    told = set(
        db.session.scalars(
            sa.select(Notification.person_id).where(
                Notification.event == "vote.open", Notification.link.like(f"%/{vote.id}/")
            )
        )
    )
    assert told == rights
    assert reminders.awaiting(estate.compound, towers["other"]) == []
    assert [a.vote.id for a in reminders.awaiting(estate.compound, towers["single"])] == [vote.id]


# --- results, seal, verify ----------------------------------------------------------------------------------------


@pytest.fixture(params=["named", "secret"])
def sealed_scoped(request, estate, towers, make_vote):
    vote = make_vote(secrecy=request.param, scope=[("3栋", None)])
    for person in (towers["across"], estate.people.wife, estate.people.developer):
        box.cast(vote, electorate.right_of(vote, person), box.Choices({i.key: "yes" for i in vote.items}))
    db.session.commit()
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    return vote


def test_results_and_verify_over_a_scoped_vote(sealed_scoped):
    vote = sealed_scoped
    result = results.compute(vote)
    assert (result.electorate.heads, result.electorate.area) == (4, Decimal("497.26"))
    assert result.participation.heads == 3 and result.participation.area == Decimal("91.37") + Decimal("77.77") + 240
    assert result.quorum_met  # 3 of 4 heads, 229.14 of 497.26 ㎡: both at least 2/3
    report = verify(vote, published=vote.digest)
    assert report.ok, report.problems
    assert b'"scope"' in box._settings(vote)


def test_changing_the_scope_after_the_seal_is_caught(estate, sealed_scoped):
    vote = sealed_scoped
    published = vote.digest
    b5, _ = _place(estate.compound, "5栋")
    db.session.execute(sa.insert(VoteScope).values(vote_id=vote.id, building_id=b5.id, entrance_id=None))
    db.session.expire(vote, ["scope"])
    report = verify(vote, published=published)
    assert not report.ok and any("digest" in p for p in report.problems)
    # the careful attacker re-seals: the published digest still catches it
    vote.ballot_count, vote.digest = box.compute_digest(vote)
    again = verify(vote, published=published)
    assert any("published" in p for p in again.problems)
    # and a scope taken away entirely (the vote made to look like a whole-compound one)
    db.session.execute(sa.delete(VoteScope).where(VoteScope.vote_id == vote.id))
    db.session.expire(vote, ["scope"])
    assert not verify(vote, published=published).ok


def test_a_whole_compound_digest_does_not_hash_a_scope(estate, make_vote):
    vote = make_vote(status="closed")
    assert b'"scope"' not in box._settings(vote)
    assert verify(vote, published=vote.digest).ok


def test_the_step_summary_says_who_takes_part(client, estate, towers, make_vote, login):
    vote = make_vote(status="draft", scope=[("3栋", None)])
    login(estate.people.staff)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/edit").get_data(as_text=True)
    assert "只有3栋全体业主参加表决、收到表决票和提醒；公告仍发给全小区成员。" in page


def test_the_desk_finds_no_right_outside_the_scope(estate, towers, make_vote):
    """Proxies and paper ballots are recorded against the frozen roll: a room outside the scope is on no roll."""
    from portal.voting import proxies

    vote = make_vote(scope=[("3栋", "1单元")])
    assert proxies.lookup(vote, "3栋1单元101").rooms == ("3栋 1单元 101",)
    for room in ("5栋1单元502", "3栋2单元201", "1栋1单元301"):
        with pytest.raises(Refused) as refused:
            proxies.lookup(vote, room)
        assert refused.value.code == "right_not_found", room
