"""Turnout that leaks no one: a secret vote's live turnout moves only by whole groups of ballots, in whole ㎡.

Written as the attack: an owner polls the turnout after every ballot and compares each change with the public roll
(rooms and areas, every area distinct here). A change by one voter's area would name that voter.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, electorate, lifecycle, turnout
from portal.voting.models import Participation, VoteStatus, VotingRight


def _fragment(client, vote, etag=None):
    headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
    return client.get(f"/c/lvyuan/votes/{vote.id}/turnout", headers=headers)


def _published(html: str) -> tuple[int, str]:
    """(heads, area as printed) read from the turnout fragment, as an owner's script would."""
    heads = int(re.search(r"(\d+) / \d+ = [\d.]+%", html).group(1))
    area = re.search(r"([\d.,]+) ㎡ / [\d.,]+ ㎡", html).group(1).replace(",", "")  # "1,234.50 ㎡"
    return heads, area


def _voters(vote):
    return db.session.scalars(sa.select(VotingRight).where(VotingRight.vote_id == vote.id).order_by(VotingRight.id))


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def test_secret_turnout_moves_only_by_five_ballots_in_whole_square_metres(client, estate, crowd, make_vote, login):
    vote = make_vote(secrecy="secret")
    rights = list(_voters(vote))
    areas = [r.area_m2 for r in rights]
    assert len(rights) == 17 and len(set(areas)) == len(areas)  # every area names its room
    login(estate.people.resident)  # any member of the compound may watch the turnout
    seen = [_published(_fragment(client, vote).get_data(as_text=True))]
    tags = [_fragment(client, vote).headers["ETag"]]
    cast_order = []
    for n, right in enumerate(rights, start=1):
        box.cast(vote, right, box.Choices({item.key: "yes" for item in vote.items}))
        db.session.commit()
        cast_order.append(right.area_m2)
        response = _fragment(client, vote, etag=tags[-1])
        if n % 5:
            assert response.status_code == 304, n  # nothing new to see: not even the ETag moves
            assert response.headers["ETag"] == tags[-1]
            continue
        assert response.status_code == 200
        heads, area = _published(response.get_data(as_text=True))
        assert heads == n
        assert area == str(_whole(sum(cast_order, Decimal("0"))))  # the first n ballots, in whole ㎡
        assert response.headers["ETag"] != tags[-1]
        seen.append((heads, area))
        tags.append(response.headers["ETag"])
    # Every change the attacker saw is the sum of five ballots, never one voter's area.
    for (h0, a0), (h1, a1) in zip(seen, seen[1:], strict=False):
        assert h1 - h0 == 5
        assert Decimal(a1) - Decimal(a0) not in {_whole(a) for a in areas}
        assert "." not in a1
    # The full page shows the same published figures, with the reason.
    page = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    assert _published(page) == seen[-1]
    assert "5" in page and ("nobody" in page or "以免从变化中认出某位业主" in page)


def test_published_area_is_of_the_first_participations_rounded_half_up(estate, crowd, make_vote):
    vote = make_vote(secrecy="secret")
    rights = list(_voters(vote))
    for right in reversed(rights[:7]):
        box.cast(vote, right, box.Choices({item.key: "no" for item in vote.items}))
    db.session.flush()
    first_five = db.session.scalars(
        sa.select(VotingRight.area_m2)
        .join(Participation, Participation.right_id == VotingRight.id)
        .where(Participation.vote_id == vote.id)
        .order_by(Participation.id)
        .limit(5)
    ).all()
    published = turnout.turnout(vote)
    assert published.stepped
    assert published.heads.part == 5
    assert published.area.part == _whole(sum(first_five, Decimal("0")))
    assert published.heads.percent == "29.4"  # 5 / 17, from the published figures
    assert published.area.share == Fraction(published.area.part) / Fraction(vote.electorate_area)


def test_named_vote_keeps_exact_live_turnout(estate, crowd, make_vote):
    vote = make_vote(secrecy="named")
    right = electorate.right_of(vote, estate.people.wife)
    box.cast(vote, right, box.Choices({item.key: "yes" for item in vote.items}))
    db.session.flush()
    live = turnout.turnout(vote)
    assert not live.stepped
    assert (live.heads.part, live.area.part) == (1, Decimal("88.88"))


def test_after_the_close_the_secret_turnout_is_exact(estate, crowd, make_vote):
    vote = make_vote(secrecy="secret")
    for person in (estate.people.buyer, estate.people.developer, estate.people.wife):
        box.cast(vote, electorate.right_of(vote, person), box.Choices({item.key: "yes" for item in vote.items}))
    db.session.commit()
    assert turnout.turnout(vote).heads.part == 0  # three ballots: nothing published yet
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    final = turnout.turnout(vote)
    assert not final.stepped
    assert (final.heads.part, final.area.part) == (3, Decimal("200.00") + Decimal("240.00") + Decimal("88.88"))


def test_quorum_is_judged_on_the_published_figures(estate, crowd, make_vote):
    vote = make_vote(secrecy="secret")
    rights = list(_voters(vote))
    for right in rights[:14]:  # 14 of 17 heads: over 2/3, but only 10 are published
        box.cast(vote, right, box.Choices({item.key: "yes" for item in vote.items}))
    db.session.flush()
    published = turnout.turnout(vote)
    assert published.heads.part == 10 and not published.heads.reaches_quorum
