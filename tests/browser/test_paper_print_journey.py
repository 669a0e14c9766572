"""Issue 14's paper drive on a 360 px phone, in Chinese and English: staff open the turnout by building, print the
building's pre-filled paper ballots, follow one sheet's QR code to the desk (the entry form filled in with that
unit), and two staff members enter the ballot, which counts at the second entry. Every page goes through
`Tab.check` (axe, CSP, no sideways scrolling, 16 px fields, 44 px taps)."""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import field as _field
from tests.browser.steps import login as _login
from tests.browser.test_voting_flows import _mark, _room

pytestmark = pytest.mark.browser

OWNERS = [("周桂兰", "601"), ("吴强", "602"), ("郑敏", "701")]


@pytest.mark.parametrize("lang", ["zh_Hans", "en"], ids=["zh", "en"])
def test_staff_print_a_buildings_ballots_and_enter_one_from_its_qr(lang, live_server, open_tab, vote_seed, texts):
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS, staff=2)
    first, second = place.staff_members
    vote = place.vote
    tab = open_tab(f"paper-print-{lang}")
    page = tab.page
    _login(tab, live_server, first, t, lang)

    page.goto(f"{live_server}{vote.path}turnout/buildings")
    tab.check("turnout-buildings")
    page.get_by_role("link", name=t("Paper ballots"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/print/ballots\?building=\d+$"))
    sheets = page.locator("article.paper-ballot")
    expect(sheets).to_have_count(len(OWNERS))
    sheet = sheets.nth(2)  # 郑敏, 701
    owner_room = _room(OWNERS[2][1])
    expect(sheet).to_contain_text(OWNERS[2][0])
    expect(sheet).to_contain_text(t("%(rooms)s, %(area)s", rooms=owner_room, area="88.50 ㎡"))
    for item in vote.items:
        expect(sheet).to_contain_text(item.title)
    expect(sheet.locator(".box")).to_have_count(3 * len(vote.items))
    expect(page.get_by_role("button", name=t("Print"), exact=True)).to_be_visible()  # print.js shows it
    tab.check("print-ballots")
    desk_url = sheet.locator(".qr").get_attribute("data-url")
    assert desk_url.endswith("#paper") and "/desk?right=" in desk_url

    def enter(who_tab) -> None:
        """Open the sheet's QR address: the entry form holds the unit; tick the answers as on paper and save."""
        desk = who_tab.page
        desk.goto(desk_url)
        paper = desk.get_by_role("region", name=t("Paper ballots"))
        expect(_field(paper, t("Voting right: number on the roll, or room"))).to_have_value(owner_room)
        _mark(paper, vote.items, ("yes", "no"), t)
        paper.get_by_role("button", name=t("Save this entry"), exact=True).click()
        expect(desk).to_have_url(re.compile(rf"{re.escape(vote.path)}desk"))

    enter(tab)
    saved = t(
        "Entry saved for %(rooms)s. It counts when a second staff member enters the same choices.", rooms=owner_room
    )
    expect(page.locator("#paper-note")).to_have_text(saved)
    tab.check("desk-first-entry")
    other = open_tab(f"paper-print-second-{lang}")
    _login(other, live_server, second, t, lang)
    enter(other)
    counted = t("The two entries match: the paper ballot of %(rooms)s is counted.", rooms=owner_room)
    expect(other.page.locator("#paper-note")).to_have_text(counted)
    other.check("desk-second-entry")

    # the counted unit no longer gets a sheet: the building's print now holds the two others
    page.goto(f"{live_server}{vote.path}turnout/buildings")
    page.get_by_role("link", name=t("Paper ballots"), exact=True).click()
    expect(page.locator("article.paper-ballot")).to_have_count(len(OWNERS) - 1)
    tab.check("print-ballots-after")
