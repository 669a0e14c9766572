"""Issue 13's journeys, end to end on a 360 px phone, in Chinese and English, at the standard and at 200 % text.

An owner goes from the letter to the result: activation → the notification → the compound home's 待我投票 → the
vote → ballot → review → receipt; after the count, the result from the compound's notices, and the receipt found in
the box. Community staff announce the vote at short notice with the reason (it opens on time by itself), two of them
enter a paper ballot at the desk, and they close the vote early and post the preliminary result, each step
confirmed. Every page goes through `Tab.check` (axe, CSP, no sideways scrolling; conftest.py). The meeting's journey
to published minutes is test_meeting_flows.py, the co-owner's and the election's have their own files; each of
those runs at 200 % text too.
"""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import field as _field
from tests.browser.steps import flash as _flash
from tests.browser.steps import login as _login
from tests.browser.steps import submit as _submit
from tests.browser.test_voting_flows import _cast, _expect_turnout, _mark, _room

pytestmark = pytest.mark.browser

OWNERS = [("周桂兰", "601"), ("吴强", "602"), ("郑敏", "701")]
RUNS = [
    pytest.param("zh_Hans", 100, id="zh"),
    pytest.param("en", 100, id="en"),
    pytest.param("zh_Hans", 200, id="zh-200"),
    pytest.param("en", 200, id="en-200"),
]


def _activate_from_letter(tab, live_server, owner, lang: str, t) -> None:
    """The letter's QR code → the code → a password → the portal home, in `lang`."""
    page = tab.page
    page.goto(f"{live_server}/activate#code={owner.code}")
    if lang == "en":
        page.locator(".site-header").get_by_role("button", name="English").click()
        page.goto(f"{live_server}/activate#code={owner.code}")
    expect(_field(page, t("Activation code"))).to_have_value(owner.code)
    tab.check("activate")
    _submit(page, t("Continue"))
    _field(page, t("New password")).fill("Zhou-Guilan-2026")
    _field(page, t("Repeat the password")).fill("Zhou-Guilan-2026")
    tab.check("activate-password")
    _submit(page, t("Activate"))
    expect(page).to_have_url(f"{live_server}/")
    _flash(page, t("Your account is active. Your account number is %(no)s.", no=owner.account_no))
    tab.check("home")


def _count_and_post(live_app, place) -> None:
    """The two other owners vote for everything; staff close the vote and post the preliminary result."""
    from portal.accounts.models import Person
    from portal.extensions import db
    from portal.voting import box, electorate, lifecycle
    from portal.voting.models import Vote, VoteStatus

    with live_app.app_context():
        vote = db.session.get(Vote, place.vote.id)
        staff = db.session.get(Person, place.staff_members[0].id)
        for owner in place.people[1:]:
            right = electorate.right_of(vote, db.session.get(Person, owner.id))
            box.cast(vote, right, box.Choices({i.key: "yes" for i in vote.items}))
        for step in (VoteStatus.closed, VoteStatus.preliminary):
            lifecycle.transition(vote, step, staff, reason="投票期满前全体业主已投票")
        db.session.commit()


@pytest.mark.parametrize(("lang", "percent"), RUNS)
def test_owner_from_the_letter_to_the_result(lang, percent, live_server, live_app, open_tab, vote_seed, texts):
    """激活 → 通知 → 待我投票 → 投票 → 核对 → 回执 → 结果公告 → 回执在票箱中."""
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS, letters=(0,))
    owner, vote = place.people[0], place.vote
    tab = open_tab(f"journey-owner-{lang}-{percent}", text=percent)
    page = tab.page

    _activate_from_letter(tab, live_server, owner, lang, t)

    # The vote opened before the owner had an account: the notification waits in the inbox.
    header = page.locator(".site-header")
    header.get_by_role("link", name=re.compile(rf"^{re.escape(t('Notifications'))}")).click()
    expect(page.locator("main")).to_contain_text(t("Voting is open: please vote"))
    tab.check("inbox")

    page.goto(f"{live_server}/")
    page.get_by_role("link", name=place.name, exact=True).click()
    awaiting = page.get_by_role("region", name=t("Waiting for your vote"))
    expect(awaiting).to_contain_text(vote.title)
    first = page.locator("main section").first
    expect(first).to_have_attribute("aria-labelledby", "awaiting-h")  # the first thing on the compound home
    tab.check("compound")
    awaiting.get_by_role("button", name=t("Go and vote")).click()
    expect(page).to_have_url(f"{live_server}{vote.path}")
    expect(page.get_by_role("region", name=t("My vote"))).to_contain_text(
        t("You vote for: %(rooms)s", rooms=_room(owner.room))
    )
    tab.check("vote")

    code = _cast(tab, live_server, place, ("yes", "no"), t, tab.check)

    page.goto(f"{live_server}/c/{place.slug}/")
    expect(page.get_by_role("region", name=t("Waiting for your vote"))).to_have_count(0)  # nothing left to do
    tab.check("compound-voted")

    _count_and_post(live_app, place)
    page.reload()
    notices = page.get_by_role("region", name=t("Notices"))
    notices.get_by_role("link", name=t("Preliminary result posted: %(title)s", title=vote.title)).click()
    expect(page).to_have_url(f"{live_server}{vote.path}")
    tab.check("vote-counted")
    page.get_by_role("button", name=t("Results"), exact=True).click()
    expect(page.locator(".result-verdicts")).to_contain_text(t("Passed"))  # 3 of 3 took part; 2 agreed on each
    tab.check("results")

    page.goto(f"{live_server}{vote.path}")
    page.get_by_role("link", name=t("List of receipts: is my ballot in the box?")).click()
    expect(page.locator("main")).to_contain_text(code)  # the same code as on the receipt
    _field(page, t("Receipt code")).fill(code)
    _submit(page.locator("main form").filter(has=page.get_by_label(t("Receipt code"))), t("Check"))
    expect(page.locator("#receipt-check")).to_contain_text(t("Yes: a ballot with this receipt is in the box."))
    tab.check("receipt-found")


@pytest.mark.parametrize(("lang", "percent"), RUNS)
def test_staff_open_enter_paper_and_close(lang, percent, live_server, open_tab, vote_seed, texts):
    """Staff: the compound page → manage → 发布公告 (reason, confirmed; it opens by itself) → the desk: a paper
    ballot entered twice → 提前结束 (reason, confirmed) → 公布初步结果 (confirmed) → the result."""
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS, staff=2, open_now=False)
    first, second = place.staff_members
    vote, owner = place.vote, place.people[2]
    rooms = _room(owner.room)
    tab = open_tab(f"journey-staff-{lang}-{percent}", text=percent)
    page = tab.page
    manage = f"{live_server}{vote.path}edit"

    def step(name: str, reason: str | None = None) -> None:
        """Press a step on the manage page: first without the box (refused, nothing changes), then confirmed."""
        if reason:
            _field(page, t("Reason")).fill(reason)
        page.get_by_role("button", name=name, exact=True).click()
        expect(page.locator("#confirm-error")).to_have_text(t("Tick the box to confirm: nothing has changed yet."))
        tab.check(f"unconfirmed-{name}", status=400)
        page.locator("#confirm").check()
        page.get_by_role("button", name=name, exact=True).click()
        expect(page).to_have_url(f"{live_server}{vote.path}")

    _login(tab, live_server, first, t, lang)
    page.goto(f"{live_server}/staff/c/{place.slug}/")
    tab.check("staff-compound")
    page.get_by_role("link", name=t("Manage")).click()
    expect(page).to_have_url(manage)
    tab.check("manage-draft")
    step(t("Announce"), reason="电梯故障影响出行，需尽快表决")
    expect(page.locator("hgroup .badge")).to_have_text(t("voting open"))  # its time has come: open
    _expect_turnout(page, 0, len(OWNERS), t)  # frozen at opening: one head per unit
    tab.check("opened")

    def enter(who_tab, who) -> None:
        """One staff member's entry of the owner's paper ballot (书面表决票)."""
        desk = who_tab.page
        desk.goto(f"{live_server}{vote.path}desk")
        paper = desk.get_by_role("region", name=t("Paper ballots"))
        _field(paper, t("Voting right: number on the roll, or room")).fill(rooms)
        _mark(paper, vote.items, ("yes", "abstain"), t)
        paper.get_by_role("button", name=t("Save this entry"), exact=True).click()
        expect(desk).to_have_url(re.compile(rf"{re.escape(vote.path)}desk"))

    enter(tab, first)
    saved = t("Entry saved for %(rooms)s. It counts when a second staff member enters the same choices.", rooms=rooms)
    expect(page.locator("#paper-note")).to_have_text(saved)  # at the entry form, where the eyes are
    tab.check("desk-first")
    other = open_tab(f"journey-staff2-{lang}-{percent}", text=percent)
    _login(other, live_server, second, t, lang)
    enter(other, second)
    counted = t("The two entries match: the paper ballot of %(rooms)s is counted.", rooms=rooms)
    expect(other.page.locator("#paper-note")).to_have_text(counted)
    other.check("desk-second")

    page.goto(manage)
    step(t("Close voting"), reason="小区停水检修，提前结束投票")
    _flash(page, t("Voting is closed. The ballot box is sealed."))
    tab.check("closed")
    page.goto(manage)
    step(t("Post the preliminary result"))
    tab.check("posted")
    page.get_by_role("button", name=t("Results"), exact=True).click()
    summary = page.locator(".result-summary")
    expect(summary).to_contain_text("88.50 ㎡ / 265.50 ㎡")  # one paper ballot of three units
    tab.check("results")
