"""投票进度随时间 (issue 14, item 1): the series since opening, its projection, and the chart that draws it.

The secrecy tests are the attack on the live figure's rule carried over to the chart: an owner watches the chart and its
table after every ballot and compares each change, and its hour, with the public roll (every area distinct here).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.voting import box, lifecycle, pace, turnout
from portal.voting.models import Participation, VoteStatus, VotingRight
from portal.voting.pace import History, Point, projection


def _rights(vote) -> list[VotingRight]:
    return list(
        db.session.scalars(sa.select(VotingRight).where(VotingRight.vote_id == vote.id).order_by(VotingRight.id))
    )


def _cast(vote, right, at: datetime | None = None) -> None:
    """A ballot for `right`, its participation dated `at` (the register's time of the ballot)."""
    box.cast(vote, right, box.Choices({item.key: "yes" for item in vote.items}))
    db.session.flush()
    if at is not None:
        db.session.execute(
            sa.update(Participation)
            .where(Participation.vote_id == vote.id, Participation.right_id == right.id)
            .values(at=at)
        )
    db.session.flush()


def _opened(vote, ago: timedelta) -> datetime:
    """Voting opened `ago` before now (the window stays 7 days from then... or more)."""
    now = utcnow()
    vote.opened_at = vote.opens_at = now - ago
    vote.closes_at = max(vote.closes_at, now + timedelta(days=2))
    db.session.flush()
    return now


def _beijing_midnight(moment: datetime) -> datetime:
    """The Beijing midnight that begins the Beijing day of `moment`, in UTC."""
    local = moment + timedelta(hours=8)
    return datetime(local.year, local.month, local.day, tzinfo=UTC) - timedelta(hours=8)


def test_the_series_ends_at_the_live_turnout_and_rises_by_each_day(estate, make_vote):
    vote = make_vote(secrecy="named")
    now = _opened(vote, timedelta(days=5))
    today = _beijing_midnight(now)
    rights = _rights(vote)
    # Two ballots on one Beijing day (23:59 and 00:01 the next are two days), one three days later, one today.
    days = [today - timedelta(days=3, minutes=1), today - timedelta(days=3) + timedelta(minutes=1)]
    days += [today - timedelta(days=3) + timedelta(minutes=2), today + (now - today) / 2]
    for right, at in zip(rights, days, strict=False):
        _cast(vote, right, at)
    past = pace.history(vote, now)
    live = turnout.turnout(vote)
    assert not past.hourly and not past.stepped
    assert (past.last.heads, past.last.area) == (live.heads.part, live.area.part) == (4, sum(
        (r.area_m2 for r in rights[:4]), Decimal("0")))  # fmt: skip
    assert [p.heads for p in past.points] == [0, 1, 3, 4]  # the opening, then three Beijing days with ballots
    assert past.points[1].at == today - timedelta(days=3)  # the end of that Beijing day: 16:00 UTC
    assert past.points[2].since == today - timedelta(days=3) and past.points[2].at == today - timedelta(days=2)
    assert past.points[-1].at == now  # today is not over: the last point is now
    # Each day's rise is that day's ballots, to the cent: the rises add up to the live area.
    rises = [b.area - a.area for a, b in zip(past.points, past.points[1:], strict=False)]
    assert sum(rises, Decimal("0")) == live.area.part
    assert rises[1] == rights[1].area_m2 + rights[2].area_m2


def test_a_young_vote_is_drawn_by_the_hour(estate, make_vote):
    vote = make_vote(secrecy="named")
    now = _opened(vote, timedelta(hours=5))
    rights = _rights(vote)
    hour = now.replace(minute=0, second=0, microsecond=0)
    _cast(vote, rights[0], hour - timedelta(hours=3, minutes=30))
    _cast(vote, rights[1], hour - timedelta(minutes=59))
    past = pace.history(vote, now)
    assert past.hourly
    assert [(p.since, p.at, p.heads) for p in past.points[1:]] == [
        (hour - timedelta(hours=4), hour - timedelta(hours=3), 1),
        (hour - timedelta(hours=1), hour, 2),
    ]


def test_exact_at_the_two_thirds_line(estate, make, make_vote):
    # Six heads: four is exactly two thirds and reaches the quorum line (以上 includes the boundary).
    sixth = make.person("第六位业主")
    make.member(sixth, estate.compound)
    make.unit(estate.compound, "303", "60.00", owners=[sixth])
    vote = make_vote(secrecy="named")
    now = _opened(vote, timedelta(days=3))
    rights = _rights(vote)
    assert vote.electorate_heads == 6
    for right in rights[:3]:
        _cast(vote, right, now - timedelta(days=2))
    assert not pace.history(vote, now).heads.reaches_quorum
    _cast(vote, rights[3], now - timedelta(days=1))
    past = pace.history(vote, now)
    assert past.heads.share == Fraction(2, 3) and past.heads.reaches_quorum
    chart = past.chart
    # The heads line ends exactly on the two-thirds line, not a pixel above or below it.
    assert chart.heads.split()[-1].split(",")[1] == chart.quorum_y == "133.3"


def _published(vote) -> tuple[int, Decimal]:
    live = turnout.turnout(vote)
    return live.heads.part, live.area.part


def test_an_open_secret_vote_draws_only_the_published_steps(client, estate, crowd, make_vote, login):
    """The attack: after each ballot, read the chart's figures and the table; a change by one ballot would name it."""
    vote = make_vote(secrecy="secret")
    now = _opened(vote, timedelta(days=4))
    rights = _rights(vote)
    areas = {r.area_m2.quantize(Decimal("1"), rounding=ROUND_HALF_UP) for r in rights}
    assert len(rights) == 17 and len({r.area_m2 for r in rights}) == 17
    seen = [pace.history(vote, now)]
    for n, right in enumerate(rights, start=1):
        _cast(vote, right, now - timedelta(hours=90 - 5 * n))  # each ballot in its own hour; the steps a day apart
        past = pace.history(vote, now)
        assert past.stepped
        if n % turnout.STEP:
            assert past == seen[-1], n  # one ballot that completes no step changes nothing at all
            continue
        assert (past.last.heads, past.last.area) == _published(vote)  # the chart ends at the live figure
        assert past.last.area == past.last.area.to_integral_value()  # whole ㎡
        seen.append(past)
    for past in seen:
        heads = [p.heads for p in past.points]
        assert all(h % turnout.STEP == 0 for h in heads)
        for a, b in zip(past.points, past.points[1:], strict=False):
            assert b.area - a.area not in areas  # every rise is of at least five ballots, never one owner's area
    # The page shows the same: its table holds the published steps only, and its title says the published share.
    login(estate.people.resident)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    rows = re.findall(r"<td data-label=\"[^\"]+\">(\d+) / 17 = ", page.split('id="pace"')[1])
    assert rows == ["5", "10", "15"]
    assert "在不记名投票中，图表也只在每满 5 张选票后变化" in page


def test_the_chart_is_a_function_of_the_published_steps_only(estate, crowd, make_vote):
    """Two boxes with the same published steps draw the same chart, however the ballots within a step fell."""
    vote = make_vote(secrecy="secret")
    now = _opened(vote, timedelta(days=3))
    rights = _rights(vote)
    for right in rights[:7]:
        _cast(vote, right, now - timedelta(hours=30))
    before = pace.history(vote, now)
    # Move the two ballots beyond the step, and every ballot of the step but its last, within the day.
    for right, hours in zip(rights[:7], (40, 39, 38, 37, 30, 2, 1), strict=True):
        db.session.execute(
            sa.update(Participation).where(Participation.right_id == right.id).values(at=now - timedelta(hours=hours))
        )
    assert pace.history(vote, now) == before
    # The step is placed where its fifth ballot came in, even if an earlier ballot is dated later.
    db.session.execute(
        sa.update(Participation).where(Participation.right_id == rights[0].id).values(at=now - timedelta(hours=29))
    )
    assert pace.history(vote, now).points[1].at > before.points[1].since


def test_once_closed_a_secret_vote_is_drawn_exactly(estate, crowd, make_vote):
    vote = make_vote(secrecy="secret")
    now = _opened(vote, timedelta(days=3))
    rights = _rights(vote)
    for right in rights[:3]:
        _cast(vote, right, now - timedelta(days=1))
    assert pace.history(vote, now).last.heads == 0
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    past = pace.history(vote)
    assert not past.stepped and past.last.heads == 3
    assert past.last.area == sum((r.area_m2 for r in rights[:3]), Decimal("0"))
    assert past.projection is None  # nothing to foresee once voting is over


# The projection, with fixed clocks: a series written by hand (Beijing 08:00 = 00:00 UTC).
OPENED = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 11, 0, 0, tzinfo=UTC)


def _past(now: datetime, *points: tuple[datetime, int, str], heads=300, area="30000.00") -> History:
    return History(
        start=OPENED,
        end=DEADLINE,
        now=now,
        points=(
            Point(OPENED, OPENED, 0, Decimal("0.00")),
            *(Point(at - timedelta(days=1), at, h, Decimal(a)) for at, h, a in points),
        ),
        heads_whole=heads,
        area_whole=Decimal(area),
        binding=True,
        stepped=False,
        hourly=False,
        open=True,
    )


def _day(n: int) -> datetime:
    return OPENED + timedelta(days=n)


def test_projection_reached():
    assert projection(_past(_day(4), (_day(4), 200, "20000.00"))).kind == "reached"


def test_projection_gives_the_day_the_later_line_is_reached():
    # Over the last three days (days 1 to 4): heads +60 and area +4,500 ㎡. Heads need 200 - 150 = 50 more: 2.5 days;
    # area needs 20,000 - 12,000 = 8,000 ㎡ more: 5⅓ days. The later, area, decides: day 9 at 08:00 UTC.
    past = _past(_day(4), (_day(1), 90, "7500.00"), (_day(4), 150, "12000.00"))
    result = projection(past)
    assert result.kind == "on"
    assert result.at == _day(4) + timedelta(days=5, hours=8)


def test_projection_is_exact_at_the_deadline():
    # Heads are there; area rose 6,000 ㎡ in three days and needs 12,000 ㎡ more: six days, exactly the deadline.
    past = _past(_day(4), (_day(1), 150, "2000.00"), (_day(4), 200, "8000.00"))
    assert projection(past) == pace.Projection("on", DEADLINE)
    # One cent less in those three days, and the line falls a moment after the deadline.
    late = _past(_day(4), (_day(1), 150, "2000.01"), (_day(4), 200, "8000.00"))
    assert projection(late).kind == "not_before_deadline"


def test_projection_not_before_the_deadline():
    slow = _past(_day(4), (_day(1), 90, "7500.00"), (_day(4), 120, "9000.00"))
    assert projection(slow).kind == "not_before_deadline"
    stalled = _past(_day(5), (_day(1), 200, "7500.00"))  # nothing in the last three days
    assert projection(stalled).kind == "not_before_deadline"


def test_projection_too_early():
    assert projection(_past(OPENED + timedelta(hours=20), (OPENED + timedelta(hours=20), 30, "3000.00"))).kind == (
        "too_early"
    )
    assert projection(_past(_day(1), (_day(1), 30, "3000.00"))).kind == "on"


def test_the_vote_page_draws_the_chart_with_its_words_and_table(client, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    now = _opened(vote, timedelta(days=2, hours=1))
    rights = _rights(vote)
    _cast(vote, rights[0], now - timedelta(days=1))
    db.session.commit()
    login(estate.people.wife)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    section = page.split('id="pace"')[1].split("</section>")[0]
    svg = re.search(r"<svg class=\"pace-chart\"[^>]*>", section).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="pace-title"' in svg
    live = turnout.turnout(vote)
    title = re.search(r'<title id="pace-title">([^<]+)</title>', section).group(1)
    assert f"按人数{live.heads.percent}%" in title and f"按面积{live.area.percent}%" in title
    assert "三分之二" in title
    assert f"1 / 5 = {live.heads.percent}%" in section  # the table says the same figures
    assert "按目前的速度" in section
    assert "<script" not in section and " on" not in svg


def test_no_float_in_the_series_the_projection_or_the_chart():
    """Every figure is an integer, a Decimal or a Fraction: no float literal, no float() and no math module."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(pace.__file__).read_text(encoding="utf-8"))
    floats = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
    calls = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "float"]
    imports = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Import) and any(a.name == "math" for a in n.names)]
    assert not floats and not calls and not imports
