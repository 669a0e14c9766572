"""投票进度随时间 on a phone (360 px): the chart under the live turnout, its words for a screen reader, its table and
the projection, in Chinese and English, with and without JavaScript (see conftest.py for the page checks)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import login as _login

pytestmark = pytest.mark.browser

OWNERS = [("赵一", "101"), ("钱二", "102"), ("孙三", "201"), ("李四", "202"), ("周五", "301"), ("吴六", "302")]


@pytest.mark.parametrize(("lang", "javascript"), [("zh_Hans", True), ("en", True), ("zh_Hans", False)])
def test_the_vote_page_draws_the_turnout_over_time(lang, javascript, live_server, live_app, open_tab, vote_seed, texts):
    """Three owners of six voted over three days; the seventh day is the deadline: the chart, its words and table."""
    import sqlalchemy as sa

    from portal.accounts.models import Person
    from portal.db import utcnow
    from portal.extensions import db
    from portal.voting import box, electorate
    from portal.voting.models import Participation, Vote

    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS)
    with live_app.app_context():
        vote = db.session.get(Vote, place.vote.id)
        now = utcnow()
        vote.opened_at = vote.opens_at = now - timedelta(days=3)
        for days, owner in zip((2.5, 1.5, 0.5), place.people[:3], strict=True):
            right = electorate.right_of(vote, db.session.get(Person, owner.id))
            box.cast(vote, right, box.Choices({i.key: "yes" for i in vote.items}))
            db.session.execute(
                sa.update(Participation)
                .where(Participation.vote_id == vote.id, Participation.right_id == right.id)
                .values(at=now - timedelta(days=days))
            )
        db.session.commit()
    tab = open_tab(f"pace-{lang}-{'js' if javascript else 'nojs'}", javascript=javascript)
    page = tab.page
    _login(tab, live_server, place.people[5], t, lang)
    page.goto(f"{live_server}{place.vote.path}")
    pace = page.get_by_role("region", name=t("Turnout over time"))
    chart = pace.get_by_role("img")
    expect(chart).to_have_count(1)
    # The words say the figures: 3 of 6 heads, 3 of 6 units of equal area.
    words = chart.locator("title").text_content()
    expect(chart).to_have_accessible_name(words)
    assert "50.0%" in words and ("三分之二" in words or "two thirds" in words)
    # One ballot a day: at this pace the fourth head of six (two thirds) comes in about a day, before the deadline.
    before_day = t("At this pace the quorum is reached on %(day)s.", day="\x00").split("\x00")[0]
    expect(pace.locator(".pace-projection")).to_contain_text(before_day)
    drawn = chart.bounding_box()
    assert drawn and drawn["width"] > 250 and drawn["height"] > 120  # legible on a phone
    pace.locator("summary").click()
    rows = pace.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("3 / 6 = 50.0%")
    tab.check("vote-with-chart", axe=javascript)
