"""Pure rules: overdue is decided by the due date in Asia/Shanghai; averages are exact and rounded half up."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from portal.boards import rules

DUE = date(2026, 5, 3)


@pytest.mark.parametrize(
    ("now_utc", "today"),
    [
        (datetime(2026, 5, 3, 15, 59, tzinfo=UTC), date(2026, 5, 3)),  # 23:59 in Beijing
        (datetime(2026, 5, 3, 16, 0, tzinfo=UTC), date(2026, 5, 4)),  # 00:00 in Beijing, still 3 May in UTC
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_is_the_date_in_beijing(now_utc, today):
    assert rules.today_in_shanghai(now_utc) == today


def test_a_pledge_is_overdue_from_midnight_beijing_time_after_its_due_date():
    last_minute = rules.today_in_shanghai(datetime(2026, 5, 3, 15, 59, tzinfo=UTC))
    midnight = rules.today_in_shanghai(datetime(2026, 5, 3, 16, 0, tzinfo=UTC))
    assert not rules.is_overdue("in_progress", DUE, last_minute)
    assert rules.is_overdue("in_progress", DUE, midnight)
    assert rules.shown_status("in_progress", DUE, midnight) == "overdue"
    assert rules.shown_status("in_progress", DUE, last_minute) == "in_progress"


@pytest.mark.parametrize("status", ["fulfilled", "withdrawn"])
def test_fulfilled_and_withdrawn_pledges_are_never_overdue(status):
    assert not rules.is_overdue(status, DUE, date(2030, 1, 1))
    assert rules.shown_status(status, DUE, date(2030, 1, 1)) == status


def test_fulfilled_late_compares_the_beijing_date():
    assert not rules.fulfilled_late(DUE, datetime(2026, 5, 3, 15, 30, tzinfo=UTC))  # 23:30 on the due date
    assert rules.fulfilled_late(DUE, datetime(2026, 5, 3, 16, 30, tzinfo=UTC))  # 00:30 the day after
    assert not rules.fulfilled_late(DUE, None)


@pytest.mark.parametrize(("stars", "ok"), [(1, True), (5, True), (0, False), (6, False), (-1, False), (True, False),
                                           (3.0, False), ("3", False), (None, False)])  # fmt: skip
def test_stars_are_whole_numbers_from_one_to_five(stars, ok):
    assert rules.valid_stars(stars) is ok


@pytest.mark.parametrize(
    ("total", "count", "shown"),
    [(17, 4, "4.3"), (21, 5, "4.2"), (9, 2, "4.5"), (5, 1, "5.0"), (1, 1, "1.0"), (29, 7, "4.1"), (57, 20, "2.9")],
)
def test_average_is_exact_and_rounded_half_up(total, count, shown):
    assert rules.average(total, count) == Fraction(total, count)
    assert rules.one_decimal(rules.average(total, count)) == shown


def test_half_tenths_round_up_where_floats_would_not():
    # 0.15 and 2.675-style values are where binary floats round down; exact fractions do not.
    assert rules.one_decimal(Fraction(3, 20)) == "0.2"
    assert rules.one_decimal(Fraction(85, 20)) == "4.3"  # 4.25
    assert rules.one_decimal(Fraction(83, 20)) == "4.2"  # 4.15
    assert rules.average(0, 0) is None
