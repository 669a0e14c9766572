"""The board: order, filters, pages, htmx, what a card shows, the compound home's summary, and a number of queries
that does not grow with the pledges and ratings."""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.boards import board, rules
from portal.boards.models import Category, Progress, Rating
from portal.extensions import db
from tests.boards.bulk import fill
from tests.queries import count_queries

URL = "/c/lvyuan/board/"


def _titles(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/c/lvyuan/board/\d+">([^<]+)</a></h2>', page)


def _board(client, **params) -> str:
    response = client.get(URL, query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_overdue_first_then_due_soonest_then_fulfilled_then_withdrawn(client, yard, pledge):
    pledge("later", due=30)
    pledge("sooner", due=3)
    pledge("long overdue", due=-20)
    pledge("just overdue", due=-1)
    pledge("due today", due=0)
    pledge("fulfilled first", status="fulfilled", fulfilled_at=datetime.now(UTC) - timedelta(days=5))
    pledge("fulfilled lately", status="fulfilled")
    pledge("withdrawn", status="withdrawn")
    assert _titles(_board(client)) == [
        "long overdue", "just overdue", "due today", "sooner", "later", "fulfilled lately", "fulfilled first",
        "withdrawn",
    ]  # fmt: skip


def test_overdue_is_decided_by_the_date_in_beijing(yard, pledge):
    made = pledge("due 3 May", due=date(2026, 5, 3))
    late_evening = rules.today_in_shanghai(datetime(2026, 5, 3, 15, 59, tzinfo=UTC))
    after_midnight = rules.today_in_shanghai(datetime(2026, 5, 3, 16, 1, tzinfo=UTC))

    def shown(today):
        cards = board.board(yard.compound, board.Filters(), today=today).cards
        return [(c.commitment.id, c.status) for c in cards]

    assert shown(late_evening) == [(made.id, "in_progress")]
    assert shown(after_midnight) == [(made.id, "overdue")]
    overdue = board.Filters(status="overdue")
    assert board.board(yard.compound, overdue, today=late_evening).total == 0
    assert board.board(yard.compound, overdue, today=after_midnight).total == 1


def test_filters_by_status(client, yard, pledge):
    pledge("running", due=5)
    pledge("late", due=-5)
    pledge("done", status="fulfilled")
    pledge("dropped", status="withdrawn")
    assert _titles(_board(client, status="overdue")) == ["late"]
    assert _titles(_board(client, status="in_progress")) == ["running"]
    assert _titles(_board(client, status="fulfilled")) == ["done"]
    assert _titles(_board(client, status="withdrawn")) == ["dropped"]
    assert len(_titles(_board(client, status="nonsense"))) == 4  # unknown values are ignored


def test_filters_by_organisation_person_and_category(client, yard, pledge, english):
    pledge("lights", org="company", category=Category.repair)
    pledge("accounts", org="committee", pledger=yard.chair, category=Category.other)
    pledge("groceries", org=None, category=Category.elderly)
    assert _titles(_board(client, org=yard.company.id)) == ["lights"]
    assert _titles(_board(client, org="people")) == ["groceries"]
    assert _titles(_board(client, category="other")) == ["accounts"]
    assert _titles(_board(client, org=yard.company.id, category="other")) == []
    assert "No pledge matches these filters." in _board(client, org=yard.company.id, category="other")


def test_the_board_shows_its_own_and_community_wide_pledges_only(client, yard, pledge):
    pledge("ours")
    pledge("for the whole community", org="hospital", pledger=yard.doctor, compound=None)
    pledge("theirs", org="other", compound="guihua")
    assert sorted(_titles(_board(client))) == ["for the whole community", "ours"]
    guihua = client.get("/c/guihua/board/").get_data(as_text=True)
    assert "for the whole community" in guihua and "theirs" in guihua and "ours" not in guihua


def test_a_card_shows_who_what_when_status_rating_and_updates(client, yard, pledge, english):
    made = pledge("更换楼道灯", due=date(2030, 6, 1))
    personal = pledge("代买菜", org=None, due=date(2030, 7, 1))
    for person, stars in ((yard.owner, 5), (yard.resident, 4), (yard.chair, 4), (yard.neighbour, 4)):
        db.session.add(Rating(commitment_id=made.id, person_id=person.id, stars=stars))
    db.session.add_all(Progress(commitment_id=made.id, author_id=yard.manager.id, body=f"进度{i}") for i in range(2))
    db.session.commit()
    page = _board(client)
    card = page[page.index("更换楼道灯") : page.index("代买菜")]
    assert "绿园物业" in card and "全部完成" in card and "1 Jun 2030" in card and "In progress" in card
    assert "4.3 of 5" in card and "(4 ratings)" in card and "2 progress updates" in card
    assert f"{yard.volunteer.name} (personal pledge)" in page and "Not rated yet" in page
    assert personal.id


def test_the_board_is_paginated(client, yard, pledge):
    fill(yard.compound, commitments=board.PAGE_SIZE + 5, ratings=0)
    db.session.commit()
    first, second = _board(client), _board(client, page=2)
    assert len(_titles(first)) == board.PAGE_SIZE and len(_titles(second)) == 5
    assert 'href="/c/lvyuan/board/?page=2" role="button"' in first and "page=3" not in second
    assert 'href="/c/lvyuan/board/" role="button"' in second  # back to the first page
    assert len(_titles(_board(client, page=99))) == 5  # past the end: the last page


def test_htmx_gets_only_the_list(client, yard, pledge):
    pledge("lights")
    response = client.get(URL, query_string={"status": "in_progress"}, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and _titles(page) == ["lights"]
    assert "HX-Request" in response.headers["Vary"]
    full = _board(client)
    assert "<html" in full and 'hx-get="/c/lvyuan/board/"' in full and 'hx-push-url="true"' in full


def test_the_filter_form_works_without_javascript(client, yard, pledge):
    page = _board(client)
    form = page[page.index('<form method="get"') :]
    assert 'action="/c/lvyuan/board/"' in form and 'name="status"' in form and 'type="submit"' in form


def test_home_summary(yard, pledge):
    today = rules.today_in_shanghai()
    soon = pledge("soon", due=today + timedelta(days=3))
    pledge("far away", due=today + timedelta(days=board.DUE_SOON_DAYS + 1))
    overdue = pledge("overdue", due=today - timedelta(days=2))
    older = pledge("older overdue", due=today - timedelta(days=9))
    done = pledge("done", status="fulfilled")
    pledge("elsewhere overdue", org="other", compound="guihua", due=today - timedelta(days=1))
    summary = board.home_summary(yard.compound)
    assert summary["due_soon"] == [soon]
    assert summary["overdue"] == [older, overdue]
    assert summary["fulfilled"] == [done]
    assert summary["overdue_count"] == 2


def test_the_board_runs_the_same_queries_for_10_and_1000_pledges(client, yard, login, capsys):
    login(yard.owner)
    fill(yard.compound, commitments=10, ratings=50)
    db.session.commit()
    _board(client)
    with count_queries() as small:
        _board(client)
    fill(yard.compound, commitments=990, ratings=4950)
    db.session.commit()
    _board(client)
    with count_queries() as large:
        page = _board(client)
    assert len(small) == len(large), (small, large)
    assert len(_titles(page)) == board.PAGE_SIZE
    assert board.board(yard.compound, board.Filters()).total == 1000
    times = []
    for _ in range(7):
        started = time.perf_counter()
        _board(client)
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\nboard with 1,000 pledges and 5,000 ratings: {len(large)} statements, median {median:.0f} ms")
    assert median < 1000  # the target is 200 ms (make bench measures it); this only catches a collapse


@pytest.mark.parametrize("page", ["0", "-3", "abc"])
def test_odd_page_numbers_show_the_first_page(client, yard, pledge, page):
    pledge("lights")
    assert _titles(_board(client, page=page)) == ["lights"]


def test_odd_organisation_filters_are_ignored(client, yard, pledge):
    pledge("lights")
    for value in ("²", "abc", "-1", "1 OR 1=1"):
        assert _titles(_board(client, org=value)) == ["lights"]
