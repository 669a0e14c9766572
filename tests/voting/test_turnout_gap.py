"""还差: how far the turnout is from each two-thirds line (issue 14, item 1), exact at the boundaries."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.voting import box, turnout
from portal.voting.models import VotingRight
from portal.voting.turnout import Part


@pytest.mark.parametrize(
    ("part", "whole", "short"),
    [(0, 3, 2), (1, 3, 1), (2, 3, 0), (3, 3, 0), (152, 229, 1), (153, 229, 0), (0, 1, 1), (0, 0, 0)],
)
def test_heads_short_of_two_thirds(part, whole, short):
    assert Part(part, whole).short_of_quorum == short


@pytest.mark.parametrize(
    ("part", "short"),
    [("0.00", "19384.17"), ("19384.16", "0.01"), ("19384.17", "0.00"), ("29076.25", "0.00"), ("19000", "384.17")],
)
def test_area_short_of_two_thirds_to_the_cent(part, short):
    # 2/3 of 29,076.25 ㎡ is 19,384.1666…: 19,384.16 ㎡ is not enough, 19,384.17 ㎡ is.
    assert Part(Decimal(part), Decimal("29076.25")).short_of_quorum == Decimal(short)


@given(st.integers(1, 10**9), st.data())
def test_the_gap_is_exactly_what_reaches_the_line(whole_cents, data):
    """Adding the gap reaches two thirds; a cent less does not (in cents, and in people alike)."""
    part_cents = data.draw(st.integers(0, whole_cents))
    whole, part = Decimal(whole_cents).scaleb(-2), Decimal(part_cents).scaleb(-2)
    gap = Part(part, whole).short_of_quorum
    assert Part(part + gap, whole).reaches_quorum
    if gap:
        assert Fraction(part + gap - Decimal("0.01")) / Fraction(whole) < Fraction(2, 3)
    heads = Part(part_cents, whole_cents).short_of_quorum
    assert 3 * (part_cents + heads) >= 2 * whole_cents and (
        heads == 0 or 3 * (part_cents + heads - 1) < 2 * whole_cents
    )


def test_the_vote_page_says_what_is_still_short_then_nothing_once_reached(client, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    login(estate.people.wife)
    url = f"/c/lvyuan/votes/{vote.id}/"
    live = turnout.turnout(vote)
    page = client.get(url).get_data(as_text=True)
    heads, area = live.heads.short_of_quorum, live.area.short_of_quorum
    assert heads > 0 and area > 0
    assert f"距三分之二还差：{heads} 人 / {area:,.2f} ㎡" in page
    client.post("/lang", data={"lang": "en"})
    english = client.get(url).get_data(as_text=True)
    assert f"Still short of 2/3: {heads} people / {area:,.2f} ㎡" in english
    client.post("/lang", data={"lang": "zh_Hans"})
    for right in db.session.scalars(sa.select(VotingRight).where(VotingRight.vote_id == vote.id)):
        box.cast(vote, right, box.Choices({item.key: "yes" for item in vote.items}))
    db.session.flush()
    assert "距三分之二还差" not in client.get(url).get_data(as_text=True)
