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
