"""大字 and the browser's own text size: the main pages hold at 360 px with large text, and at 150 % and 200 % text.

An older owner either presses 大字 in the header (kept on the account, or in a cookie for a visitor) or has the phone's
text size turned up (WeChat's large font). A larger root font size stands in for the latter: the portal sizes
everything from the root, so a root at 150 % or 200 % is the page in 150 % or 200 % text (`open_tab(..., text=...)`,
steps.text_size). Each page goes through `Tab.check` (conftest.py), which fails when the page is wider than 360 px.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.steps import TEXT_LARGE as LARGE
from tests.browser.steps import login as _login
from tests.browser.steps import property_company

pytestmark = pytest.mark.browser

OWNERS = [("欧阳秀英", "1201"), ("司马建国", "1202")]  # one reads in Chinese, one in English (kept on the account)
# What stretches a phone's page: a table wider than 360 px and a link with no place to break.
DESCRIPTION = (
    "请全体业主参加，讨论**地下车库**改造方案。\n\n"
    "| 议题 | 提出人 | 时间 | 地点 |\n|---|---|---|---|\n"
    "| 地下车库照明和排水改造 | 业主委员会 | 星期六上午九点到十一点 | 3栋2单元楼下活动室 |\n\n"
    "方案：https://example.cn/meetings/garage/lighting-and-drainage-renovation-plan-2026-final-version.pdf"
)
DEFAULT_PX = 16  # Chromium's default type


@pytest.fixture(scope="module")
def place(live_app, vote_seed):
    """A compound with two owners who can log in, an open vote, a public residents' council meeting and a pledge."""
    from portal.accounts.models import Person
    from portal.boards import services as boards
    from portal.boards.models import Category
    from portal.boards.rules import today_in_shanghai
    from portal.compounds import services as compounds
    from portal.db import utcnow
    from portal.extensions import db
    from portal.meetings import services as meetings
    from portal.meetings.models import InviteeGroup, MeetingKind, Visibility

    place = vote_seed.voting_compound(OWNERS)
    with live_app.test_request_context():
        compound = compounds.get_compound(place.slug)
        staff = db.session.get(Person, place.staff.id)
        start = utcnow() + timedelta(days=10)
        meeting = meetings.create(
            compound, staff, kind=MeetingKind.council, title="居民议事会：地下车库照明和排水改造方案征求意见",
            starts_at=start, ends_at=start + timedelta(hours=2), visibility=Visibility.public,
            description=DESCRIPTION, groups=[InviteeGroup.owner], items=["照明改造", "排水沟清理和防水"],
        )  # fmt: skip
        meetings.post(meeting, staff)
        manager, company = property_company(compound, staff, "物业李经理")
        boards.pledge(
            compound, manager, organisation=company, title="一个月内修好地下车库全部照明灯",
            target="B1和B2层共120盏灯全部修好，夜间照度达到标准。", category=Category.safety,
            due_on=today_in_shanghai() + timedelta(days=30),
        )  # fmt: skip
        place.meeting_path = f"/c/{place.slug}/meetings/{meeting.id}/"
        db.session.commit()
    place.owner = {"zh_Hans": place.people[0], "en": place.people[1]}
    return place


def _pages(place) -> list[tuple[str, str]]:
    """The pages an owner reads most: (step name, path)."""
    return [
        ("home", "/"),
        ("compound", f"/c/{place.slug}/"),
        ("votes", f"/c/{place.slug}/votes/"),
        ("vote", place.vote.path),
        ("meetings", f"/c/{place.slug}/meetings/"),
        ("meeting", place.meeting_path),
        ("board", f"/c/{place.slug}/board/"),
        ("account", "/account"),
    ]


@pytest.mark.parametrize(
    ("lang", "large", "percent"),
    [("zh_Hans", True, 100), ("en", True, 100), ("zh_Hans", False, 150), ("zh_Hans", False, 200), ("en", True, 200)],
)
def test_main_pages_hold_at_360_px_with_large_text(lang, large, percent, live_server, open_tab, place, texts):
    t = lambda msgid, **kw: texts(lang, msgid, **kw)  # noqa: E731
    tab = open_tab(f"large-{lang}-{'large' if large else 'standard'}-{percent}", text=percent)
    page = tab.page
    _login(tab, live_server, place.owner[lang], t, lang)
    if large:
        page.locator(".site-header").get_by_role("button", name=t("Large text")).click()
        expect(page.locator("html")).to_have_class("text-large")
    for step, path in _pages(place):
        page.goto(f"{live_server}{path}")
        tab.check(step)
        root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert root == DEFAULT_PX * percent / 100 * (LARGE if large else 1), f"{step}: root font {root} px"
    if large:  # back to standard text: the account forgets large text
        page.locator(".site-header").get_by_role("button", name=t("Standard text")).click()
        expect(page.locator("html")).not_to_have_class("text-large")
    page.wait_for_load_state("load")


def test_a_visitor_turns_on_large_text_without_javascript(live_server, open_tab, texts):
    """The button is a plain form: it works with JavaScript off, returns to the same page and is remembered."""
    tab = open_tab("large-visitor", javascript=False)
    page = tab.page
    page.goto(f"{live_server}/login")
    page.locator(".site-header").get_by_role("button", name=texts("zh_Hans", "Large text")).click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator("html")).to_have_class("text-large")
    tab.check("login")
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_class("text-large")
    tab.check("home")


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_staff_people_pages_hold_at_200_percent_text(lang, live_server, open_tab, place, texts):
    """The people page (filters, letters by building, light rows) and a person's role page at 200 % text (issue 13)."""
    t = lambda msgid, **kw: texts(lang, msgid, **kw)  # noqa: E731
    tab = open_tab(f"large-staff-{lang}-200", text=200)
    page = tab.page
    _login(tab, live_server, place.staff, t, lang)
    owner = place.owner["zh_Hans"]
    page.goto(f"{live_server}/staff/c/{place.slug}/people")
    tab.check("people")
    page.locator(f"#person-{owner.id}").get_by_role("link").filter(has_text=t("Change roles")).click()
    expect(page.locator(f"#roles-{owner.id} .chips")).to_be_visible()
    tab.check("people-roles-opened")
    page.goto(f"{live_server}/staff/c/{place.slug}/people/{owner.id}")
    tab.check("person")
