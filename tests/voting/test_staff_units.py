"""Named votes: staff see the per-unit choices; owners only when the vote publishes them; never in secret votes."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.voting import box, electorate, lifecycle
from portal.voting.models import VoteStatus


@pytest.fixture
def posted(estate, make_vote):
    def _posted(secrecy="named"):
        vote = make_vote(secrecy=secrecy)
        right = electorate.right_of(vote, estate.people.one)
        box.cast(vote, right, box.Choices({vote.items[0].key: "no", vote.items[1].key: "yes"}))
        for step in (VoteStatus.closed, VoteStatus.preliminary):
            lifecycle.transition(vote, step, estate.people.staff, reason="测试")
        db.session.commit()
        return vote

    return _posted


def test_staff_see_choices_by_unit_in_a_named_vote(client, estate, posted, login):
    vote = posted()
    login(estate.people.staff)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/results").get_data(as_text=True)
    assert 'id="units-h"' in page and "1栋 1单元 301" in page and "单套业主甲" not in page


def test_owners_do_not_see_unpublished_unit_choices(client, estate, posted, login):
    vote = posted()
    login(estate.people.two)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/results").get_data(as_text=True)
    assert 'id="units-h"' not in page and "1栋 1单元 301" not in page
    notice = client.get(f"/c/lvyuan/votes/{vote.id}/notice").get_data(as_text=True)
    assert 'id="units-h"' not in notice


def test_nobody_sees_units_in_a_secret_vote(client, estate, posted, login):
    vote = posted("secret")
    login(estate.people.staff)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/results").get_data(as_text=True)
    assert 'id="units-h"' not in page and "1栋 1单元 301" not in page
