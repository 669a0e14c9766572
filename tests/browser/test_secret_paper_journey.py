"""A secret vote's paper ballot at the desk, on a 360 px phone, in Chinese and English: staff print a building's
envelope labels and sheets, follow the label's QR address to record the envelope, then two staff members each
follow the sheet's QR address and enter the sheet; it counts. Every page goes through `Tab.check`."""

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


def _make_secret(live_app, place) -> tuple[int, str]:
    """The seeded draft made secret and opened; (the owner's right id, its sheet code)."""
    from portal.accounts.models import Person
    from portal.extensions import db
    from portal.voting import electorate, lifecycle, sheets
    from portal.voting.models import Secrecy, Vote, VoteStatus

    with live_app.app_context():
        vote = db.session.get(Vote, place.vote.id)
        staff = db.session.get(Person, place.staff_members[0].id)
        vote.secrecy = Secrecy.secret
        lifecycle.transition(vote, VoteStatus.announced, staff, reason="测试")
        lifecycle.transition(vote, VoteStatus.open, staff)
        right = electorate.right_of(vote, db.session.get(Person, place.people[2].id))
        found = right.id, sheets.sheet_code(vote.id, right.id)
        db.session.commit()
    return found


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_staff_print_record_the_envelope_and_enter_the_sheet_twice(
    lang, live_server, live_app, open_tab, vote_seed, texts
):
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS, staff=2, open_now=False)
    right_id, code = _make_secret(live_app, place)
    first, second = place.staff_members
    vote, owner = place.vote, place.people[2]
    rooms = _room(owner.room)
    tab = open_tab(f"secret-paper-{lang}")
    page = tab.page
    _login(tab, live_server, first, t, lang)

    page.goto(f"{live_server}{vote.path}desk")
    tab.check("desk")
    page.get_by_role("link", name=t("Print envelope labels and sheets")).click()
    tab.check("print-index")
    page.get_by_role("link", name="1栋").click()
    labels, sheets_ = page.locator("[data-print=label]"), page.locator("[data-print=sheet]")
    expect(labels).to_have_count(len(OWNERS))
    expect(sheets_).to_have_count(len(OWNERS))
    expect(labels.nth(2)).to_contain_text(rooms)
    expect(sheets_.nth(2)).to_contain_text(code)
    expect(sheets_.nth(2)).not_to_contain_text(owner.room)
    tab.check("print-pack")

    # The label's QR code: the envelope step with the right filled in.
    page.goto(f"{live_server}{vote.path}desk/envelopes?right={right_id}")
    expect(page.locator("main")).to_contain_text(rooms)
    tab.check("envelope-scanned")
    page.get_by_role("button", name=t("Record the envelope"), exact=True).click()
    expect(page.locator("#envelopes-note")).to_have_text(t("Envelope recorded: %(rooms)s.", rooms=rooms))
    expect(page.locator("#received")).to_contain_text(rooms)
    tab.check("envelope-recorded")

    def enter(who_tab) -> None:
        """One staff member's entry of the sheet, from its QR code."""
        desk = who_tab.page
        desk.goto(f"{live_server}{vote.path}desk/sheets?code={code}")
        expect(_field(desk, t("Sheet code"))).to_have_value(code)
        _mark(desk.locator("#sheets"), vote.items, ("yes", "abstain"), t)
        desk.get_by_role("button", name=t("Save this entry"), exact=True).click()
        expect(desk).to_have_url(re.compile(r"desk/sheets#sheets-note$"))

    enter(tab)
    saved = t(
        "Entry saved for sheet %(code)s. It counts when a second staff member enters the same choices.", code=code
    )
    expect(page.locator("#sheets-note")).to_have_text(saved)
    expect(page.locator("main")).not_to_contain_text(rooms)  # the sheet step names no room
    tab.check("sheet-first")
    other = open_tab(f"secret-paper2-{lang}")
    _login(other, live_server, second, t, lang)
    enter(other)
    counted = t("The two entries match: sheet %(code)s is counted.", code=code)
    expect(other.page.locator("#sheets-note")).to_have_text(counted)
    expect(other.page.locator("main")).not_to_contain_text(rooms)
    other.check("sheet-second")
