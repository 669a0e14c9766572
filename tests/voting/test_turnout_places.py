"""投票进度（按楼栋）(issue 14, item 1): the places add up to the compound, exactly; an open secret vote hides them."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, turnout
from portal.voting.models import VotingRight


def _cast(vote, *people_rights):
    for right in people_rights:
        box.cast(vote, right, box.Choices({item.key: "yes" for item in vote.items}))
    db.session.flush()


def _rights(vote):
    return list(
        db.session.scalars(sa.select(VotingRight).where(VotingRight.vote_id == vote.id).order_by(VotingRight.id))
    )


def test_the_buildings_add_up_to_the_compound(estate, make, make_vote):
    # One owner with a flat in 3栋 and another in 5栋: one head (in 3栋, where the roll lists it first), two areas.
    both = make.person("两处业主")
    make.member(both, estate.compound)
    make.unit(estate.compound, "301", "91.37", building="3栋", entrance="1单元", owners=[both])
    make.unit(estate.compound, "501", "65.05", building="5栋", entrance="2单元", owners=[both])
    vote = make_vote(secrecy="named")
    rights = _rights(vote)
    _cast(vote, rights[0], rights[-1])
    places = turnout.by_place(vote)
    whole = turnout.turnout(vote)
    assert sum(p.heads.part for p in places) == whole.heads.part == 2
    assert sum(p.heads.whole for p in places) == whole.heads.whole
    assert sum(p.area.part for p in places) == whole.area.part
    assert sum(p.area.whole for p in places) == whole.area.whole
    assert turnout.of_places(vote, places) == whole  # what the turnout-by-building page shows for the compound
    five = next(p for p in places if p.building == "5栋")
    assert five.heads.whole == 0 and five.area.whole == Decimal("65.05")  # the owner's head is in 3栋


def test_committee_sees_the_table_and_an_open_secret_vote_shows_it_only_after_the_close(
    client, estate, make_vote, login
):
    login(estate.people.staff)
    named = make_vote(secrecy="named")
    page = client.get(f"/c/lvyuan/votes/{named.id}/turnout/buildings").get_data(as_text=True)
    assert "按楼栋" in page and 'class="result-table"' in page
    secret = make_vote(secrecy="secret")
    hidden = client.get(f"/c/lvyuan/votes/{secret.id}/turnout/buildings")
    assert hidden.status_code == 200
    html = hidden.get_data(as_text=True)
    assert 'class="result-table"' not in html and "投票结束后" in html


def test_an_owner_of_three_units_is_one_head_where_the_first_is(estate, make, make_vote):
    # Three flats in three buildings, voted (the roll lists 6栋 first); two flats of another owner in 7栋 and 8栋, not.
    three, two = make.person("三处业主"), make.person("两处业主")
    for person in (three, two):
        make.member(person, estate.compound)
    make.unit(estate.compound, "701", "70.01", building="7栋", owners=[three])
    make.unit(estate.compound, "801", "80.01", building="8栋", owners=[three])
    make.unit(estate.compound, "901", "90.01", building="6栋", owners=[three])
    make.unit(estate.compound, "702", "70.02", building="7栋", owners=[two])
    make.unit(estate.compound, "802", "80.02", building="8栋", owners=[two])
    vote = make_vote(secrecy="named")
    mine = next(r for r in _rights(vote) if r.person_id == three.id)
    _cast(vote, mine)
    places = {p.building: p for p in turnout.by_place(vote)}
    assert (places["6栋"].heads.part, places["6栋"].heads.whole) == (1, 1)
    assert (places["7栋"].heads.part, places["7栋"].heads.whole) == (0, 1)
    assert (places["8栋"].heads.part, places["8栋"].heads.whole) == (0, 0)
    assert places["7栋"].area.part == Decimal("70.01") and places["7栋"].area.whole == Decimal("140.03")
    assert places["8栋"].area.part == Decimal("80.01") and places["6栋"].area.part == Decimal("90.01")
    whole = turnout.turnout(vote)
    assert sum(p.heads.part for p in places.values()) == whole.heads.part
    assert sum(p.heads.whole for p in places.values()) == whole.heads.whole
    assert sum(p.area.part for p in places.values()) == whole.area.part


def _statements(client, path: str) -> int:
    seen = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_page_asks_as_many_statements_for_seven_units_as_for_forty_seven(client, estate, make, make_vote, login):
    login(estate.people.staff)
    small = make_vote(secrecy="named")
    _cast(small, *_rights(small)[:2])
    db.session.commit()
    few = _statements(client, f"/c/lvyuan/votes/{small.id}/turnout/buildings")
    for n in range(40):  # forty more units in four more buildings, one in ten with a second flat
        person = make.person(f"业主{n:02d}")
        make.member(person, estate.compound)
        make.unit(estate.compound, f"{n % 10 + 1}01", f"{60 + n}.50", building=f"{n // 10 + 10}栋", owners=[person])
        if n % 10 == 0:
            make.unit(estate.compound, f"{n % 10 + 1}02", "77.70", building=f"{n // 10 + 11}栋", owners=[person])
    big = make_vote(secrecy="named")
    _cast(big, *_rights(big)[::2])
    db.session.commit()
    path = f"/c/lvyuan/votes/{big.id}/turnout/buildings"
    many = _statements(client, path)
    assert big.electorate_heads == 45 and few == many
    assert client.get(path).get_data(as_text=True).count('<th scope="row">') >= 6 + 1
