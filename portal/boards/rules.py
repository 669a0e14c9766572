"""Pure rules of the board (no Flask, no database): when a pledge is overdue, how an average rating is shown.

Due dates are calendar dates in Asia/Shanghai: a pledge due on 3 May is overdue from 00:00 Beijing time on 4 May,
whatever the server's own time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOWEST, HIGHEST = 1, 5  # stars


def today_in_shanghai(now: datetime | None = None) -> date:
    """Today's date in Beijing time (`now` is an aware moment; the current one if None)."""
    moment = datetime.now(UTC) if now is None else now
    return moment.astimezone(SHANGHAI).date()


def local_date(moment: datetime) -> date:
    """The Beijing date of an aware moment (e.g. when a pledge was fulfilled)."""
    return moment.astimezone(SHANGHAI).date()


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """逾期: still in progress after its due date (a fulfilled or withdrawn pledge is never overdue)."""
    return status == "in_progress" and due_on < today


def shown_status(status: str, due_on: date, today: date) -> str:
    """The status people see: in_progress, overdue, fulfilled or withdrawn."""
    return "overdue" if is_overdue(status, due_on, today) else str(status)


def fulfilled_late(due_on: date, fulfilled_at: datetime | None) -> bool:
    """Fulfilled after the due date (as a Beijing date)."""
    return fulfilled_at is not None and local_date(fulfilled_at) > due_on


def stars_typed(text: str | None) -> int | None:
    """The stars as sent by a form (None for nothing or not a number; valid_stars then refuses it)."""
    try:
        return int(text or "")
    except ValueError:
        return None


def valid_stars(stars: object) -> bool:
    """A whole number of stars from 1 to 5 (bools are not numbers here)."""
    return isinstance(stars, int) and not isinstance(stars, bool) and LOWEST <= stars <= HIGHEST


def average(total: int, count: int) -> Fraction | None:
    """The exact average rating, None when nobody has rated."""
    return Fraction(total, count) if count else None


def one_decimal(value: Fraction) -> str:
    """A non-negative fraction to one decimal, rounded half up (4.25 → "4.3", 4.24 → "4.2"), without floats."""
    tenths = (value * 10 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}"
