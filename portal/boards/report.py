"""成绩单: an organisation's report card for one year, computed exactly from its commitments and their ratings.

`compute` is a pure rule (plain rows in, figures out; it touches neither Flask nor the database) so that it can be
read and tested on its own; `card_for` fetches the rows in one query and calls it.

Definitions (the report card page repeats them in a short note):

- **Year**: a commitment belongs to the year in which it was *made* (``created_at`` read in Asia/Shanghai), so one
  made at 2025-12-31 17:00 UTC (2026-01-01 01:00 Beijing time) is on the 2026 card.
- **As of**: the figures follow the commitments of that year up to ``today`` (Asia/Shanghai), for past years too:
  a pledge made in December and kept in January counts as kept on the card of the year it was made. A card for a
  past year can therefore still change while some of its commitments are open.
- **made**: every commitment of the organisation made in the year, whatever became of it (withdrawn ones included),
  for whichever compound of its community: the card is the organisation's, the same from every compound it serves.
- **fulfilled**: marked fulfilled (兑现).
- **on_time**: fulfilled, and the fulfilment's date in Asia/Shanghai is on or before ``due_on`` (fulfilled at 23:30
  Beijing time on the due date is on time).
- **fulfilled_late**: fulfilled after the due date (``fulfilled - on_time``).
- **still_overdue**: still in progress and ``due_on`` is before today (the board's "overdue").
- **overdue**: missed the due date: ``fulfilled_late + still_overdue``. Withdrawn commitments are never overdue.
- **in_progress**: in progress and not yet due (``due_on`` today or later).
- **withdrawn**: withdrawn with a reason (撤回).
- **came_due**: commitments with an outcome on time or not: ``fulfilled + still_overdue`` (= ``on_time + overdue``).
- **fulfilment_rate** = fulfilled / made × 100 (withdrawing a pledge does not improve it); **on_time_rate** =
  on_time / came_due × 100. Both exact (Fraction), ``None`` when the divisor is 0.
- **rating_count**, **average_rating**: every resident rating of these commitments (withdrawn ones included);
  the average is exact (Fraction) and shown to one decimal, rounded half up. **stars**: how many ratings gave
  1, 2, 3, 4 and 5 stars.

Always ``made == fulfilled + still_overdue + in_progress + withdrawn``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.boards import rules
from portal.boards.models import Commitment, Rating
from portal.boards.rules import SHANGHAI, today_in_shanghai
from portal.compounds.models import Compound
from portal.extensions import db
from portal.i18n import year_bounds


class Outcome(enum.StrEnum):
    """What became of one commitment, as of the card's date."""

    on_time = "on_time"  # 按期兑现
    late = "late"  # 逾期后兑现
    overdue = "overdue"  # 已逾期, still open
    in_progress = "in_progress"  # 进行中, not yet due
    withdrawn = "withdrawn"  # 已撤回


@dataclass(frozen=True)
class CommitmentRow:
    """One commitment as the report card needs it (status is the stored value: in_progress/fulfilled/withdrawn)."""

    id: int
    title: str
    created_at: datetime  # aware, UTC
    due_on: date  # a date in Asia/Shanghai
    status: str
    fulfilled_at: datetime | None = None  # aware, UTC
    rating_count: int = 0
    rating_sum: int = 0
    stars: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # ratings of 1★ … 5★
    compound_slug: str | None = None  # the compound it is for; None: every compound of the community
    compound_name: str | None = None


@dataclass(frozen=True)
class Line:
    """One commitment on the card, with its outcome and its own average rating."""

    row: CommitmentRow
    outcome: Outcome
    average: Fraction | None


@dataclass(frozen=True)
class ReportCard:
    """The figures of one organisation's year (see the module docstring for each definition)."""

    year: int
    as_of: date
    made: int = 0
    fulfilled: int = 0
    on_time: int = 0
    fulfilled_late: int = 0
    still_overdue: int = 0
    in_progress: int = 0
    withdrawn: int = 0
    rating_count: int = 0
    rating_sum: int = 0
    stars: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    lines: tuple[Line, ...] = field(default=())

    @property
    def overdue(self) -> int:
        """Missed the due date: fulfilled late, or still open past it."""
        return self.fulfilled_late + self.still_overdue

    @property
    def came_due(self) -> int:
        """Fulfilled, or past the due date without being fulfilled (withdrawn ones left out)."""
        return self.fulfilled + self.still_overdue

    @property
    def average_rating(self) -> Fraction | None:
        """The mean of every rating, exact."""
        return Fraction(self.rating_sum, self.rating_count) if self.rating_count else None

    @property
    def fulfilment_rate(self) -> Fraction | None:
        """fulfilled / made, as an exact percentage."""
        return percent(self.fulfilled, self.made)

    @property
    def on_time_rate(self) -> Fraction | None:
        """on time / came due, as an exact percentage."""
        return percent(self.on_time, self.came_due)


def percent(part: int, whole: int) -> Fraction | None:
    """part / whole × 100, exact; None when there is nothing to divide by."""
    return Fraction(100 * part, whole) if whole else None


def one_decimal(value: Fraction | None) -> str:
    """A non-negative exact value shown with one decimal, rounded half up (4.25 → "4.3"); "—" for None."""
    return "—" if value is None else rules.one_decimal(value)


def outcome(row: CommitmentRow, today: date) -> Outcome:
    """What became of a commitment by `today` (Asia/Shanghai), by the board's own rules (boards.rules)."""
    if row.status == "withdrawn":
        return Outcome.withdrawn
    if row.status == "fulfilled":
        return Outcome.late if rules.fulfilled_late(row.due_on, row.fulfilled_at) else Outcome.on_time
    return Outcome.overdue if rules.is_overdue(row.status, row.due_on, today) else Outcome.in_progress


def compute(rows: Iterable[CommitmentRow], year: int, today: date) -> ReportCard:
    """The report card of `year` as of `today`, from the commitments of one organisation.

    Rows made in another year (Asia/Shanghai) are left out, so the caller may pass a wider set."""
    counts = dict.fromkeys(Outcome, 0)
    stars = [0, 0, 0, 0, 0]
    rating_count = rating_sum = 0
    lines = []
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        if row.created_at.astimezone(SHANGHAI).year != year:
            continue
        result = outcome(row, today)
        counts[result] += 1
        rating_count += row.rating_count
        rating_sum += row.rating_sum
        stars = [a + b for a, b in zip(stars, row.stars, strict=True)]
        average = Fraction(row.rating_sum, row.rating_count) if row.rating_count else None
        lines.append(Line(row, result, average))
    return ReportCard(
        year=year,
        as_of=today,
        made=len(lines),
        fulfilled=counts[Outcome.on_time] + counts[Outcome.late],
        on_time=counts[Outcome.on_time],
        fulfilled_late=counts[Outcome.late],
        still_overdue=counts[Outcome.overdue],
        in_progress=counts[Outcome.in_progress],
        withdrawn=counts[Outcome.withdrawn],
        rating_count=rating_count,
        rating_sum=rating_sum,
        stars=tuple(stars),  # type: ignore[arg-type]
        lines=tuple(lines),
    )


# The queries (the only part that touches the database).


def card_for(organisation, year: int, today: date | None = None) -> ReportCard:
    """The report card of an organisation's commitments made in `year`, in one query (ratings summed per
    commitment in a grouped subquery)."""
    start, end = year_bounds(year)
    rated = aliased(Commitment)  # the subquery sums only the ratings of this card's commitments
    star_columns = [sa.func.sum(sa.case((Rating.stars == n, 1), else_=0)).label(f"s{n}") for n in range(1, 6)]
    ratings = (
        sa.select(
            Rating.commitment_id,
            sa.func.count(Rating.id).label("n"),
            sa.func.sum(Rating.stars).label("total"),
            *star_columns,
        )
        .join(rated, rated.id == Rating.commitment_id)
        .where(rated.organisation_id == organisation.id, rated.created_at >= start, rated.created_at < end)
        .group_by(Rating.commitment_id)
        .subquery()
    )
    query = (
        sa.select(
            Commitment.id,
            Commitment.title,
            Commitment.created_at,
            Commitment.due_on,
            Commitment.status,
            Commitment.fulfilled_at,
            ratings.c.n,
            ratings.c.total,
            *(ratings.c[f"s{n}"] for n in range(1, 6)),
            Compound.slug,
            Compound.name,
        )
        .outerjoin(ratings, ratings.c.commitment_id == Commitment.id)
        .outerjoin(Compound, Compound.id == Commitment.compound_id)
        .where(Commitment.organisation_id == organisation.id)
        .where(Commitment.created_at >= start, Commitment.created_at < end)
        .order_by(Commitment.created_at, Commitment.id)
    )
    rows = [
        CommitmentRow(
            id=r.id,
            title=r.title,
            created_at=r.created_at,
            due_on=r.due_on,
            status=str(r.status),
            fulfilled_at=r.fulfilled_at,
            rating_count=int(r.n or 0),
            rating_sum=int(r.total or 0),
            stars=tuple(int(r[f"s{n}"] or 0) for n in range(1, 6)),  # type: ignore[arg-type]
            compound_slug=r.slug,
            compound_name=r.name,
        )
        for r in db.session.execute(query).mappings()
    ]
    return compute(rows, year, today or today_in_shanghai())


def years_of(organisation) -> list[int]:
    """The years (Asia/Shanghai) in which the organisation made commitments, newest first, in one query."""
    if db.session.get_bind().dialect.name == "postgresql":
        year = sa.func.extract("year", sa.func.timezone("Asia/Shanghai", Commitment.created_at))
    else:  # SQLite keeps UTC text; Asia/Shanghai has been UTC+8 all year round since 1991
        year = sa.func.strftime("%Y", Commitment.created_at, "+8 hours")
    found = db.session.scalars(
        sa.select(year.label("year")).where(Commitment.organisation_id == organisation.id).distinct()
    )
    return sorted({int(y) for y in found if y is not None}, reverse=True)
