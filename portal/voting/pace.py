"""投票进度随时间: the turnout since the vote opened, against the two-thirds lines, and the plain projection of when
the quorum is reached at the pace so far.

One grouped query gives the cumulative heads and area at the end of each hour (while the vote is young) or each
Beijing day. A secret vote that is open follows the rule of the live figure (turnout.py): the series holds only the
published steps — every STEP-th ballot by participation order, the area of exactly those first ballots in whole ㎡ —
each placed at the end of the hour or day in which the step was complete. So a point moves only when a whole step
does, and no point is finer than what the live figure shows; one more ballot that completes no step changes nothing.
Named votes, and every vote once closed, are exact. The projection reads the series only, so it knows no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.voting.models import Participation, Vote, VoteStatus, VotingRight
from portal.voting.turnout import QUORUM, STEP, Part, is_stepped

HOUR, DAY = 3600, 86400
BEIJING = 8 * HOUR  # Asia/Shanghai keeps UTC+8 all year: a Beijing day or hour is a whole step of epoch seconds
YOUNG = timedelta(days=2)  # hourly points until the vote has been open this long, then daily
PACE_WINDOW = timedelta(days=3)  # the pace is read over the last three days (or since opening)
EARLIEST = timedelta(days=1)  # no projection before a day of voting (a quarter of a shorter window)


@dataclass(frozen=True)
class Point:
    """The turnout at the end of one hour or day (`at`), cumulative; `since` is when that hour or day began."""

    since: datetime
    at: datetime
    heads: int
    area: Decimal


@dataclass(frozen=True)
class History:
    """The turnout over time of one vote, as it may be seen (in published steps for an open secret vote)."""

    start: datetime  # when voting opened
    end: datetime  # when it closes (or closed)
    now: datetime
    points: tuple[Point, ...]  # the first is the opening, with nothing
    heads_whole: int
    area_whole: Decimal
    binding: bool
    stepped: bool
    hourly: bool
    open: bool

    step = STEP

    @property
    def last(self) -> Point:
        """The turnout now (the live figure)."""
        return self.points[-1]

    @property
    def heads(self) -> Part:
        """Heads now, of the electorate."""
        return Part(self.last.heads, self.heads_whole)

    @property
    def area(self) -> Part:
        """Area now, of the electorate."""
        return Part(self.last.area, self.area_whole)

    @property
    def rows(self) -> list[tuple[Point, Part, Part]]:
        """Each point after the opening with its shares, for the table under the chart."""
        return [(p, Part(p.heads, self.heads_whole), Part(p.area, self.area_whole)) for p in self.points[1:]]

    @property
    def projection(self) -> Projection | None:
        """When the quorum is reached at this pace (see `projection`)."""
        return projection(self)

    @property
    def chart(self) -> Chart:
        """The lines the SVG draws (see `chart`)."""
        return chart(self)


def _epoch(column, dialect: str):
    """Whole seconds since 1970 of a stored UTC time, on either database."""
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.BigInteger)
    return sa.cast(sa.func.floor(sa.extract("epoch", column)), sa.BigInteger)


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def history(vote: Vote, now: datetime | None = None) -> History:
    """The cumulative turnout at the end of each hour or day since opening, in one grouped query (see the module)."""
    now = now or utcnow()
    start = vote.opened_at or vote.opens_at
    end = vote.closed_at if vote.closed_at and vote.closed_at < vote.closes_at else vote.closes_at
    end = max(end, start + timedelta(minutes=1))
    is_open = vote.status == VoteStatus.open
    last = min(now, end) if is_open else end
    hourly = min(now, end) - start < YOUNG
    size = HOUR if hourly else DAY
    stepped = is_stepped(vote)
    dialect = db.session.get_bind().dialect.name
    epoch = _epoch(Participation.at, dialect)
    cents = sa.cast(sa.func.round(VotingRight.area_m2 * 100), sa.BigInteger)
    used = (
        sa.select()
        .select_from(Participation)
        .join(VotingRight, VotingRight.id == Participation.right_id)
        .where(Participation.vote_id == vote.id)
    )
    if stepped:
        # Each ballot's running count and area by participation order, and the latest time among those first ones:
        # a step is published once its STEP-th ballot is in, and placed in the hour or day that happened.
        ranked = used.add_columns(
            sa.func.row_number().over(order_by=Participation.id).label("n"),
            sa.func.sum(cents).over(order_by=Participation.id, rows=(None, 0)).label("cents"),
            sa.func.max(epoch).over(order_by=Participation.id, rows=(None, 0)).label("latest"),
        ).subquery()
        bucket = ((ranked.c.latest + BEIJING) // size).label("bucket")
        query = (
            sa.select(bucket, sa.func.max(ranked.c.n), sa.func.max(ranked.c.cents))
            .where(ranked.c.n % STEP == 0)
            .group_by(bucket)
            .order_by(bucket)
        )
    else:
        bucket = ((epoch + BEIJING) // size).label("bucket")
        query = used.add_columns(bucket, sa.func.count(), sa.func.sum(cents)).group_by(bucket).order_by(bucket)
    points = [Point(start, start, 0, Decimal("0.00"))]
    heads, total = 0, 0
    for number, count, area in db.session.execute(query):
        if stepped:
            heads, total = int(count), int(area)
        else:
            heads, total = heads + int(count), total + int(area)
        began = _moment(int(number) * size - BEIJING)
        point_area = Decimal(total).scaleb(-2)
        if stepped:
            point_area = point_area.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        points.append(
            Point(
                min(max(began, start), last),
                min(max(began + timedelta(seconds=size), start), last),
                heads,
                point_area,
            )
        )
    return History(
        start=start,
        end=end,
        now=now,
        points=tuple(points),
        heads_whole=vote.electorate_heads or 0,
        area_whole=vote.electorate_area or Decimal("0.00"),
        binding=vote.is_binding,
        stepped=stepped,
        hourly=hourly,
        open=is_open,
    )


@dataclass(frozen=True)
class Projection:
    """按目前的速度: `reached`, `on` (the quorum is reached at `at`), `not_before_deadline`, or `too_early`."""

    kind: str
    at: datetime | None = None


def _cents(value) -> int:
    return int(Decimal(value).scaleb(2))


def _micro(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


def _reached_at(needed: int, gained: int, elapsed: int, now: datetime) -> datetime | None:
    """When `needed` more is reached at `gained` per `elapsed` µs (exact; None: never at this pace)."""
    if needed <= 0:
        return now
    if gained <= 0:
        return None
    wait = Fraction(needed * elapsed, gained)
    return now + timedelta(microseconds=-(-wait.numerator // wait.denominator))


def projection(past: History) -> Projection | None:
    """When each two-thirds line is reached at the pace of the last three days (or since opening); the later of the
    two is the quorum. Only for a binding vote that is open; read from the series alone (so, for a secret vote, from
    the published steps)."""
    if not past.binding or not past.open or not past.heads_whole:
        return None
    heads, area = past.heads, past.area
    if heads.reaches_quorum and area.reaches_quorum:
        return Projection("reached")
    now = past.now
    if now - past.start < min(EARLIEST, (past.end - past.start) / 4):
        return Projection("too_early")
    since = max(past.start, now - PACE_WINDOW)
    base = [p for p in past.points if p.at <= since][-1]
    elapsed = _micro(now - base.at)
    if elapsed <= 0:
        return Projection("too_early")
    moments = [
        _reached_at(int(heads.short_of_quorum), past.last.heads - base.heads, elapsed, now),
        _reached_at(_cents(area.short_of_quorum), _cents(past.last.area) - _cents(base.area), elapsed, now),
    ]
    if any(moment is None for moment in moments):
        return Projection("not_before_deadline")
    quorum = max(moments)
    if quorum > past.end:
        return Projection("not_before_deadline")
    return Projection("on", quorum)


# The chart: a viewBox of WIDTH × HEIGHT user units, stretched to the page's width (the strokes keep their width).
WIDTH, HEIGHT = 1000, 400


def _coordinate(value: Fraction) -> str:
    tenths = round(value * 10)
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class Chart:
    """What the SVG draws: a polyline for heads and one for area (shares of 0–1 upwards), the 2/3 line, now."""

    heads: str
    area: str
    quorum_y: str
    now_x: str | None


def chart(past: History) -> Chart:
    """The two series as polylines: flat while nothing came in, rising across each hour or day that had ballots."""
    span = _micro(past.end - past.start)

    def x(moment: datetime) -> str:
        return _coordinate(Fraction(WIDTH * _micro(min(max(moment, past.start), past.end) - past.start), span))

    def y(share: Fraction) -> str:
        return _coordinate(HEIGHT - HEIGHT * min(share, Fraction(1)))

    def line(share) -> str:
        coordinates = [f"{x(past.start)},{y(Fraction(0))}"]
        previous = Fraction(0)
        for point in past.points[1:]:
            coordinates.append(f"{x(point.since)},{y(previous)}")
            previous = share(point)
            coordinates.append(f"{x(point.at)},{y(previous)}")
        if past.open:
            coordinates.append(f"{x(past.now)},{y(previous)}")
        return " ".join(coordinates)

    return Chart(
        heads=line(lambda p: Part(p.heads, past.heads_whole).share),
        area=line(lambda p: Part(p.area, past.area_whole).share),
        quorum_y=y(QUORUM),
        now_x=x(past.now) if past.open else None,
    )
