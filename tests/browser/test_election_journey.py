"""An owner votes in a committee election on a 360 px phone, in Chinese and English, at 100 % and 200 % text (issue 13):
opens the ballot, ticks candidates and watches 已选 x/3 change, ticks one too many and is told at once, sends it anyway
and reads the numbers from the server, fixes it, reviews and casts, and gets a receipt. Each candidate shows their
building and a summary of their statement, the whole statement one tap away."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import login as _login
from tests.browser.steps import submit as _submit

pytestmark = pytest.mark.browser

VOTERS = [("欧阳秀英", "1301"), ("司马建国", "1302"), ("诸葛文华", "1303"), ("上官海燕", "1304"), ("东方明", "1305")]
CANDIDATES = [("陈思远", "1401"), ("林晓梅", "1402"), ("黄志强", "1403"), ("吴丽华", "1404")]
LONG = (
    "我在小区住了十二年，做过三年楼栋长，熟悉电梯、消防和停车的情况。当选后每月公开一次业委会的账目和会议纪要，"
    "先解决地下车库漏水的问题。"
)
SHORT = "愿意为大家服务，做事公开透明。"
RECEIPT = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")
SEATS = 3
TOO_MANY = {"zh_Hans": "您选了 4 人，最多可选 3 人。", "en": "You chose 4 candidates; you can choose at most 3."}


@pytest.fixture(scope="module")
def election(live_app, seed):
    """A compound whose voters can log in and an open secret election for three seats with four candidates."""
    from portal.accounts.models import Person
    from portal.accounts.services import activate
    from portal.compounds import services as compounds
    from portal.db import utcnow
    from portal.extensions import db
    from portal.voting import candidates, lifecycle, services
    from portal.voting.models import Secrecy, VoteKind, VoteStatus
    from tests.conftest import PASSWORD

    place = seed.compound_with_owners(VOTERS + CANDIDATES, staff=True)
    with live_app.test_request_context():
        for owner in place.people:  # candidates too: standing is for owners with an account
            activate(owner.code, PASSWORD, None)
        compound = compounds.get_compound(place.slug)
        staff = db.session.get(Person, place.staff.id)
        now = utcnow()
        settings = services.Settings(
            kind=VoteKind.election, title="第三届业主委员会选举", description="请选出三名委员。",
            secrecy=Secrecy.secret, opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=7),
            seats=SEATS, objection_days=7,
        )  # fmt: skip
        vote = services.create_vote(compound, settings, staff)
        for i, owner in enumerate(place.people[len(VOTERS) :]):
            person = db.session.get(Person, owner.id)
            candidates.check(candidates.self_nominate(vote, person, LONG if i == 0 else SHORT), staff, True)
        lifecycle.transition(vote, VoteStatus.announced, staff, reason="测试")
        lifecycle.transition(vote, VoteStatus.open, staff)
        db.session.commit()
        place.path = f"/c/{place.slug}/votes/{vote.id}/"
    return place


@pytest.mark.parametrize(
    ("lang", "percent", "javascript", "voter"),
    [("zh_Hans", 100, True, 0), ("en", 100, True, 1), ("zh_Hans", 200, True, 2), ("en", 200, True, 3)]
    + [("zh_Hans", 100, False, 4)],  # without JavaScript: no counter, the legend says the most, the server checks
    ids=["zh-100", "en-100", "zh-200", "en-200", "zh-nojs"],
)
def test_owner_votes_in_an_election_with_the_counter(
    lang, percent, javascript, voter, live_server, open_tab, election, texts
):
    t = partial(texts, lang)
    tab = open_tab(f"election-{lang}-{percent}{'' if javascript else '-nojs'}", javascript=javascript, text=percent)
    page = tab.page
    _login(tab, live_server, election.people[voter], t, lang)

    page.goto(f"{live_server}{election.path}")
    page.get_by_role("region", name=t("My vote")).get_by_role("button", name=t("Vote now"), exact=True).click()
    expect(page).to_have_url(f"{live_server}{election.path}ballot")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Ballot"))
    ballot = page.get_by_role("group", name=t("Choose at most %(n)d candidates", n=SEATS))
    counter = ballot.locator("[data-ballot-counter]")
    expect(counter).to_have_attribute("aria-live", "polite")

    def counted(n: int) -> None:
        if not javascript:
            expect(counter).to_be_hidden()
            return
        expect(counter).to_be_visible()
        if n > SEATS:
            expect(counter).to_have_text(t("%(num)s chosen, at most %(most)d", num=str(n), most=SEATS))
            expect(counter).to_have_class(re.compile(r"\bover\b"))
        else:
            expect(counter).to_have_text(t("%(num)s of %(most)d chosen", num=str(n), most=SEATS))
            expect(counter).not_to_have_class(re.compile(r"\bover\b"))

    # Who stands: name, building, and the long statement summarised with the whole one tap away.
    boxes = [ballot.get_by_role("checkbox", name=re.compile(re.escape(name))) for name, _room in CANDIDATES]
    for name, _room in CANDIDATES:
        expect(ballot.locator(".ballot-candidate").filter(has_text=name).locator(".ballot-place")).to_have_text("1栋")
    first = ballot.locator(".ballot-candidate").first
    expect(first.locator(".ballot-summary")).to_have_text(LONG[:60] + "…")
    expect(first.get_by_text("先解决地下车库漏水的问题。")).to_be_hidden()
    first.locator("summary").click()
    expect(first.get_by_text("先解决地下车库漏水的问题。")).to_be_visible()
    counted(0)
    tab.check("ballot")

    for n, box in enumerate(boxes, start=1):
        box.check()
        counted(n)
    tab.check("too-many")

    # Sent anyway: the server says the numbers at the list, keeps the ticks, and the counter agrees at once.
    _submit(page, t("Next: check my choices"))
    expect(page.locator("#picks-error")).to_have_text(TOO_MANY[lang])
    ballot = page.get_by_role("group", name=t("Choose at most %(n)d candidates", n=SEATS))
    counter = ballot.locator("[data-ballot-counter]")
    counted(4)
    tab.check("refused", status=400)

    ballot.get_by_role("checkbox", name=re.compile(re.escape(CANDIDATES[2][0]))).uncheck()
    counted(3)
    _submit(page, t("Next: check my choices"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your choices"))
    review = page.locator("main ul.review > li")
    expect(review).to_have_count(len(CANDIDATES))
    for i, (name, _room) in enumerate(CANDIDATES):
        expect(review.nth(i)).to_have_text(f"{'☐' if i == 2 else '☑'} {name}")
    tab.check("review")

    _submit(page, t("Submit my ballot"))
    expect(page).to_have_url(f"{live_server}{election.path}receipt")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your vote is cast"))
    assert RECEIPT.match(page.locator("main .receipt-code").inner_text().strip())
    tab.check("receipt")
    page.wait_for_load_state("load")
