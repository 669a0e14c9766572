"""A building captain's round (issue 14, item 2), on a 360 px phone: the compound home → 我负责的楼栋 → the units of
1栋 that have not voted → three visits (three outcomes, one with a note) → the unit's visit log, newest first. In
Chinese and English with JavaScript (htmx swaps the unit's row), and in Chinese without it (each visit posts and
comes back to the list at the unit). Every page goes through `Tab.check`."""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import flash as _flash
from tests.browser.steps import login as _login

pytestmark = pytest.mark.browser

OWNERS = [("楼长李华", "501"), ("周桂兰", "502"), ("吴强", "601"), ("郑敏", "602")]


def _captain_of_building_one(live_app, place):
    """The first owner becomes captain of 1栋 (named by the compound's staff member)."""
    from portal.accounts.models import Person
    from portal.compounds.services import get_compound
    from portal.drive import services
    from portal.extensions import db

    with live_app.app_context():
        compound = get_compound(place.slug)
        building = services.places(compound)[0][0]
        staff = db.session.get(Person, place.staff.id)
        services.assign(compound, db.session.get(Person, place.people[0].id), building, None, staff)
        db.session.commit()


@pytest.mark.parametrize(
    ("lang", "javascript"),
    [
        pytest.param("zh_Hans", True, id="zh"),
        pytest.param("en", True, id="en"),
        pytest.param("zh_Hans", False, id="zh-nojs"),
    ],
)
def test_a_captain_records_three_visits_and_reads_the_log(
    lang, javascript, live_server, live_app, open_tab, vote_seed, texts
):
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS)
    _captain_of_building_one(live_app, place)
    captain = place.people[0]
    tab = open_tab(f"captain-{lang}-{'js' if javascript else 'nojs'}", javascript=javascript)
    page = tab.page

    _login(tab, live_server, captain, t, lang)
    page.goto(f"{live_server}/c/{place.slug}/")
    tab.check("home")
    page.locator("main").get_by_role("link", name=t("My buildings"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t("My buildings"))
    tab.check("my-buildings")
    page.locator("main").get_by_role("link", name=re.compile(r"^1栋")).click()
    expect(page.locator("li.door")).to_have_count(4)  # nobody has voted yet
    tab.check("doors")

    def visit(room: str, outcome: str, note: str = "", step: str = "") -> None:
        row = page.locator("li.door", has_text=f"1栋 1单元 {room}")
        row.locator("summary").click()
        if note:
            row.get_by_label(t("Note (optional)")).fill(note)
        row.get_by_role("button", name=t(outcome), exact=True).click()
        if javascript:  # htmx swapped the row in place
            expect(row).to_contain_text(t("Visit recorded."))
        else:  # back on the list at the unit's row
            _flash(page, t("Visit recorded: %(room)s.", room=f"1栋 1单元 {room}"))
        expect(row).to_contain_text(t(outcome))
        tab.check(step)

    visit("601", "not at home", step="visit-not-home")
    visit("602", "refused", step="visit-refused")
    note = "儿子周末回来帮忙投" if lang.startswith("zh") else "Her son will help her vote at the weekend"
    visit("601", "will vote on paper", note, step="visit-paper")

    row = page.locator("li.door", has_text="1栋 1单元 601")
    expect(row).to_contain_text(note)
    row.locator("a.door-link").click()
    expect(page.locator("h1")).to_have_text("1栋 1单元 601")
    log = page.locator(".visit-log li")
    expect(log).to_have_count(2)
    expect(log.nth(0)).to_contain_text(t("will vote on paper"))  # newest first
    expect(log.nth(0)).to_contain_text(note)
    expect(log.nth(0)).to_contain_text(captain.name)
    expect(log.nth(1)).to_contain_text(t("not at home"))
    tab.check("visit-log")
