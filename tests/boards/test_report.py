"""成绩单: report card figures for a fixed set of commitments equal hand-computed values, time-zone edges included;
the page and its A4 view; 404 for organisations that do not serve the compound; a constant number of queries."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.boards import report
from portal.boards.models import Category, Commitment, CommitmentStatus, Organisation, OrgKind, Rating
from portal.boards.report import CommitmentRow, Outcome
from portal.extensions import db

TODAY = date(2026, 6, 15)  # the day the fixed set is judged on (Asia/Shanghai)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# The fixed set: (key, made at (UTC), due on, status, fulfilled at (UTC), ratings).
FIXED = [
    ("A", utc(2026, 1, 10, 2), date(2026, 3, 1), "fulfilled", utc(2026, 2, 20, 2), (5, 4)),
    # fulfilled 23:30 Beijing time on its due date: on time
    ("B", utc(2026, 2, 1, 2), date(2026, 4, 30), "fulfilled", utc(2026, 4, 30, 15, 30), (3,)),
    # fulfilled 00:30 Beijing time the day after its due date: late
    ("C", utc(2026, 2, 15, 2), date(2026, 3, 31), "fulfilled", utc(2026, 3, 31, 16, 30), (2, 1)),
    # made 2026-01-01 01:00 Beijing time: belongs to 2026; still open after its due date: overdue
    ("D", utc(2025, 12, 31, 17), date(2026, 5, 1), "in_progress", None, (1,)),
    # due today: not yet overdue
    ("E", utc(2026, 3, 1, 2), date(2026, 6, 15), "in_progress", None, (4, 3)),
    # withdrawn after its due date passed: withdrawn, never overdue
    ("F", utc(2026, 3, 10, 2), date(2026, 4, 1), "withdrawn", None, (2,)),
    # fulfilled long before its due date: on time
    ("G", utc(2026, 4, 1, 2), date(2026, 12, 31), "fulfilled", utc(2026, 5, 1, 2), (5, 5, 4)),
    # made 2025-12-31 23:59 Beijing time: on the 2025 card, not 2026
    ("H", utc(2025, 12, 31, 15, 59), date(2026, 1, 31), "fulfilled", utc(2026, 1, 5, 2), (1,)),
    # made 2027-01-01 00:00 Beijing time: on the 2027 card
    ("I", utc(2026, 12, 31, 16), date(2027, 2, 1), "in_progress", None, (5,)),
]

# Hand computation for 2026 (A–G; H and I belong to other years):
MADE = 7  # A B C D E F G
FULFILLED = 4  # A B C G
ON_TIME = 3  # A B G
FULFILLED_LATE = 1  # C
STILL_OVERDUE = 1  # D
OVERDUE = 2  # C (late) + D (open)
IN_PROGRESS = 1  # E
WITHDRAWN = 1  # F
CAME_DUE = 5  # A B C G + D
FULFILMENT_RATE = Fraction(400, 7)  # 4 / 7 × 100 = 57.142…% → "57.1"
ON_TIME_RATE = Fraction(60)  # 3 / 5 × 100 → "60.0"
RATINGS = 12  # A2 B1 C2 D1 E2 F1 G3
RATING_SUM = 39  # 9 + 3 + 3 + 1 + 7 + 2 + 14
AVERAGE = Fraction(13, 4)  # 39 / 12 = 3.25 → "3.3" (half up, not the banker's 3.2)
STARS = (2, 2, 2, 3, 3)  # 1★: C D; 2★: C F; 3★: B E; 4★: A E G; 5★: A G G


def _row(i, key, made, due, status, fulfilled, ratings) -> CommitmentRow:
    stars = tuple(ratings.count(n) for n in range(1, 6))
    return CommitmentRow(i, key, made, due, status, fulfilled, len(ratings), sum(ratings), stars)


def test_pure_figures_equal_the_hand_computation():
    card = report.compute([_row(i, *c) for i, c in enumerate(FIXED)], 2026, TODAY)
    assert (card.made, card.fulfilled, card.on_time, card.fulfilled_late) == (MADE, FULFILLED, ON_TIME, FULFILLED_LATE)
    assert (card.still_overdue, card.overdue, card.in_progress, card.withdrawn) == (
        STILL_OVERDUE, OVERDUE, IN_PROGRESS, WITHDRAWN,
    )  # fmt: skip
    assert card.came_due == CAME_DUE
    assert card.fulfilment_rate == FULFILMENT_RATE and report.one_decimal(card.fulfilment_rate) == "57.1"
    assert card.on_time_rate == ON_TIME_RATE and report.one_decimal(card.on_time_rate) == "60.0"
    assert (card.rating_count, card.rating_sum, card.stars) == (RATINGS, RATING_SUM, STARS)
    assert card.average_rating == AVERAGE and report.one_decimal(card.average_rating) == "3.3"
    assert card.made == card.fulfilled + card.still_overdue + card.in_progress + card.withdrawn
    outcomes = {line.row.title: line.outcome for line in card.lines}
    assert outcomes == {
        "A": Outcome.on_time, "B": Outcome.on_time, "C": Outcome.late, "D": Outcome.overdue,
        "E": Outcome.in_progress, "F": Outcome.withdrawn, "G": Outcome.on_time,
    }  # fmt: skip
    assert [line.row.title for line in card.lines] == ["D", "A", "B", "C", "E", "F", "G"]  # in the order made
    averages = {line.row.title: line.average for line in card.lines}
    assert averages["G"] == Fraction(14, 3) and report.one_decimal(averages["G"]) == "4.7"
    assert averages["C"] == Fraction(3, 2) and averages["F"] == 2


def test_the_other_years_hold_the_edge_commitments():
    rows = [_row(i, *c) for i, c in enumerate(FIXED)]
    card_2025 = report.compute(rows, 2025, TODAY)
    assert [line.row.title for line in card_2025.lines] == ["H"]
    assert (card_2025.made, card_2025.on_time, card_2025.rating_count) == (1, 1, 1)
    assert [line.row.title for line in report.compute(rows, 2027, TODAY).lines] == ["I"]


def test_overdue_turns_the_day_after_the_due_date_in_shanghai():
    row = CommitmentRow(1, "X", utc(2026, 1, 1, 2), date(2026, 6, 15), "in_progress")
    assert report.outcome(row, date(2026, 6, 15)) == Outcome.in_progress
    assert report.outcome(row, date(2026, 6, 16)) == Outcome.overdue


def test_an_empty_year_has_no_rates_and_no_average():
    card = report.compute([], 2026, TODAY)
    assert card.made == 0 and card.fulfilment_rate is None and card.on_time_rate is None
    assert card.average_rating is None and report.one_decimal(None) == "—"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Fraction(1, 20), "0.1"), (Fraction(1, 21), "0.0"), (Fraction(9, 2), "4.5"), (Fraction(499, 100), "5.0"),
     (Fraction(1249, 1000), "1.2"), (Fraction(5, 4), "1.3"), (Fraction(100), "100.0")],
)  # fmt: skip
def test_one_decimal_rounds_half_up(value, shown):
    assert report.one_decimal(value) == shown


def test_year_bounds_are_shanghai_midnights():
    assert report.year_bounds(2026) == (utc(2025, 12, 31, 16), utc(2026, 12, 31, 16))


# The same set in the database


@pytest.fixture
def fixed(make, database):
    """一号社区 with 乙小区 and 甲小区; 社区医院 (community-wide) holding the fixed set, rated by three owners; an
    organisation of 乙小区 only, and one of another community."""
    community = make.community("一号社区")
    compound = make.compound("yi", "乙小区", community)
    other_compound = make.compound("jia", "甲小区", community)
    elsewhere = make.compound("bing", "丙小区", make.community("二号社区"))
    pledger = make.person("院长")
    raters = [make.person(f"评分人{i}") for i in range(1, 4)]
    hospital = Organisation(community_id=community.id, kind=OrgKind.cobuilder, name="社区医院")
    own = Organisation(community_id=community.id, compound_id=compound.id, kind=OrgKind.committee, name="乙小区业委会")
    foreign = Organisation(community_id=elsewhere.community_id, kind=OrgKind.cobuilder, name="二号社区医院")
    db.session.add_all([hospital, own, foreign])
    db.session.flush()
    for key, made, due, status, fulfilled, ratings in FIXED:
        row = _commitment(hospital, pledger, key, made, due, status, fulfilled)
        db.session.add_all(
            Rating(commitment_id=row.id, person_id=rater.id, stars=stars)
            for rater, stars in zip(raters, ratings, strict=False)
        )
    db.session.commit()
    return SimpleNamespace(
        compound=compound, other_compound=other_compound, hospital=hospital, own=own, foreign=foreign,
        pledger=pledger, raters=raters,
    )  # fmt: skip


def _commitment(organisation, pledger, title, made, due, status, fulfilled=None) -> Commitment:
    row = Commitment(
        community_id=organisation.community_id,
        compound_id=organisation.compound_id,
        organisation_id=organisation.id,
        pledger_id=pledger.id,
        title=title,
        target="每月一次",
        category=Category.health,
        due_on=due,
        status=CommitmentStatus(status),
        fulfilled_at=fulfilled,
        withdrawn_at=made + timedelta(days=30) if status == "withdrawn" else None,
        withdrawn_reason="人手不足" if status == "withdrawn" else None,
        created_at=made,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_query_figures_equal_the_hand_computation(fixed):
    card = report.card_for(fixed.hospital, 2026, TODAY)
    assert (card.made, card.fulfilled, card.on_time, card.fulfilled_late) == (MADE, FULFILLED, ON_TIME, FULFILLED_LATE)
    assert (card.still_overdue, card.overdue, card.in_progress, card.withdrawn) == (
        STILL_OVERDUE, OVERDUE, IN_PROGRESS, WITHDRAWN,
    )  # fmt: skip
    assert (card.fulfilment_rate, card.on_time_rate) == (FULFILMENT_RATE, ON_TIME_RATE)
    assert (card.rating_count, card.rating_sum, card.stars, card.average_rating) == (
        RATINGS, RATING_SUM, STARS, AVERAGE,
    )  # fmt: skip
    assert [line.row.title for line in card.lines] == ["D", "A", "B", "C", "E", "F", "G"]
    assert [line.row.title for line in report.card_for(fixed.hospital, 2025, TODAY).lines] == ["H"]
    assert [line.row.title for line in report.card_for(fixed.hospital, 2027, TODAY).lines] == ["I"]


def test_years_are_read_in_shanghai(fixed):
    assert report.years_of(fixed.hospital) == [2027, 2026, 2025]
    assert report.years_of(fixed.own) == []


def test_a_ratings_change_of_mind_counts_once(fixed):
    """A person's rating is changed, not added: the card counts the current stars."""
    a = db.session.scalar(sa.select(Commitment).filter_by(organisation_id=fixed.hospital.id, title="A"))
    rating = db.session.scalar(sa.select(Rating).filter_by(commitment_id=a.id, stars=4))
    rating.stars = 1
    db.session.commit()
    card = report.card_for(fixed.hospital, 2026, TODAY)
    assert (card.rating_count, card.rating_sum, card.stars) == (RATINGS, RATING_SUM - 3, (3, 2, 2, 2, 3))


# The pages


@pytest.fixture
def june(monkeypatch):
    """Judge the cards on TODAY (so that 2027 lies in the future)."""
    monkeypatch.setattr(report, "today_in_shanghai", lambda: TODAY)


def _url(compound, organisation, year, *rest) -> str:
    return f"/c/{compound.slug}/board/org/{organisation.id}/report/{year}" + "".join(f"/{r}" for r in rest)


def test_the_page_shows_the_figures_to_anyone(client, fixed, june):
    response = client.get(_url(fixed.compound, fixed.hospital, 2026))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "社区医院" in page
    assert "57.1%" in page and "60.0%" in page and "3.3" in page
    for title in ("A", "B", "C", "D", "E", "F", "G"):
        assert f">{title}</a>" in page
    assert f'href="{_url(fixed.compound, fixed.hospital, 2025)}"' in page  # the other years with commitments
    assert _url(fixed.compound, fixed.hospital, 2027) not in page  # (I is dated in a year still to come)
    assert _url(fixed.compound, fixed.hospital, 2026, "print") in page
    for rater in fixed.raters:  # ratings are counted, never shown with names
        assert rater.name not in page


def test_the_figure_table_equals_the_chart(client, fixed, june):
    page = client.get(_url(fixed.compound, fixed.hospital, 2026)).get_data(as_text=True)
    charts = re.findall(r"<svg xmlns=.*?</svg></svg>", page, flags=re.S)
    assert len(charts) == 2
    figures = ET.fromstring(charts[0])  # noqa: S314 (the portal's own output)
    drawn = [int(rect.get("data-value")) for rect in figures.iter("{http://www.w3.org/2000/svg}rect") if
             rect.get("class") == "bar"]  # fmt: skip
    assert drawn == [MADE, FULFILLED, ON_TIME, OVERDUE, WITHDRAWN]
    table = page[page.index("</svg></svg>") :]
    cells = [int(v) for v in re.findall(r"<td>(\d+)</td>", table)[:5]]
    assert cells == drawn
    stars = ET.fromstring(charts[1])  # noqa: S314
    assert [int(r.get("width")) for r in stars.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"] == [
        STARS[4], STARS[3], STARS[2], STARS[1], STARS[0],
    ]  # fmt: skip


def test_the_print_view_is_an_a4_sheet(client, fixed, june):
    response = client.get(_url(fixed.compound, fixed.hospital, 2026, "print"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="report-sheet"' in page and "57.1%" in page
    sheet = page[page.index('class="report-sheet"') :]
    assert "<a " not in sheet and "A</p>" in sheet  # paper has no links: titles only
    assert "<script>" not in page.split("</head>")[1]
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "portal.css").read_text()
    assert re.search(r"@page report \{[^}]*size: A4", css) and ".report-sheet { page: report;" in css


def test_an_organisation_of_this_compound_has_an_empty_card(client, fixed, june):
    page = client.get(_url(fixed.compound, fixed.own, 2026)).get_data(as_text=True)
    assert "乙小区业委会" in page and "—" in page


@pytest.mark.parametrize(
    ("where", "who", "year"),
    [
        ("compound", "foreign", 2026),  # an organisation of another community
        ("other_compound", "own", 2026),  # an organisation of another compound of the same community
        ("compound", "hospital", 2027),  # a year still to come
        ("compound", "hospital", 1999),  # before any card
    ],
)
def test_not_found(client, fixed, june, where, who, year):
    assert client.get(_url(getattr(fixed, where), getattr(fixed, who), year)).status_code == 404
    assert client.get(_url(getattr(fixed, where), getattr(fixed, who), year, "print")).status_code == 404


def test_unknown_organisation_and_compound(client, fixed, june):
    assert client.get(f"/c/{fixed.compound.slug}/board/org/999999/report/2026").status_code == 404
    assert client.get(f"/c/nowhere/board/org/{fixed.hospital.id}/report/2026").status_code == 404


def _statements(client, url) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test harness's transaction
            statements.append(statement)

    db.session.expunge_all()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_commitments_and_ratings(client, make, fixed, june, login):
    url, empty_url = _url(fixed.compound, fixed.hospital, 2026), _url(fixed.compound, fixed.own, 2026)
    hospital_id, pledger, reader = fixed.hospital.id, fixed.pledger, fixed.raters[0]
    few = _statements(client, url)
    hospital = db.session.get(Organisation, hospital_id)
    raters = [make.person(f"新评分人{i}") for i in range(8)]
    for n in range(60):
        made = utc(2026, 1 + n % 5, 1 + n % 28, 3)
        status = ("fulfilled", "in_progress", "withdrawn")[n % 3]
        row = _commitment(hospital, db.session.merge(pledger), f"承诺{n}", made, date(2026, 5, 1), status,
                          made + timedelta(days=n % 90) if status == "fulfilled" else None)  # fmt: skip
        db.session.add_all(Rating(commitment_id=row.id, person_id=p.id, stars=1 + (n + i) % 5) for i, p in
                           enumerate(raters))  # fmt: skip
    db.session.commit()
    many = _statements(client, url)
    assert many == few
    login(db.session.merge(reader))  # a logged-in reader adds its own fixed queries, none per row
    assert _statements(client, url) == _statements(client, empty_url)


def test_each_commitment_links_to_the_board_it_is_on(client, fixed, june):
    """A community-wide organisation's pledge for one compound links to that compound's board, and says so."""
    for_other = _commitment(fixed.hospital, fixed.pledger, "甲小区义诊", utc(2024, 5, 1), date(2024, 6, 1), "fulfilled",
                            utc(2024, 5, 20))  # fmt: skip
    for_other.compound_id = fixed.other_compound.id
    everywhere = _commitment(
        fixed.hospital, fixed.pledger, "全社区讲座", utc(2024, 5, 2), date(2024, 6, 1), "in_progress"
    )
    db.session.commit()
    page = client.get(_url(fixed.compound, fixed.hospital, 2024)).get_data(as_text=True)
    assert f'href="/c/jia/board/{for_other.id}"' in page and "甲小区" in page
    assert f'href="/c/yi/board/{everywhere.id}"' in page
