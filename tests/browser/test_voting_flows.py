"""Owners' e-voting in a phone-sized Chromium: ballot with review and receipt (JavaScript on and off), a proxy's
ballot, a paper ballot entered by two staff members, and the live turnout (see conftest.py for the page checks)."""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import expect

from tests.browser.steps import colon as _colon
from tests.browser.steps import field as _field
from tests.browser.steps import login as _login
from tests.browser.steps import submit as _submit

pytestmark = pytest.mark.browser

OWNERS = [("王芳", "101"), ("李明", "102"), ("张伟", "201")]
RECEIPT = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")
MATTER = {"ordinary": ("ordinary matter", "more than 1/2"), "major": ("major matter", "at least 3/4")}
ANSWER = {"yes": "Agree", "no": "Disagree", "abstain": "Abstain", None: "left blank (counts as abstain)"}


def _room(room: str) -> str:
    """The room as the roll and the pages write it (the seed puts every unit in 1栋 1单元)."""
    return f"1栋 1单元 {room}"


def _expect_turnout(page, heads: int, whole: int, t) -> None:
    """投票进度: "x / y = %" by heads, and by area (every seeded unit has 88.50 ㎡), no results."""
    turnout = page.locator("#turnout")
    percent = f"{heads * 100 / whole:.1f}"  # 0, 1/3, 2/3, 1: never on a rounding boundary
    line = partial(_line, turnout)
    c = _colon(t)
    expect(line(t("Owners (heads)"))).to_have_text(f"{t('Owners (heads)')}{c}{heads} / {whole} = {percent}%")
    expect(line(t("Area"))).to_have_text(f"{t('Area')}{c}{88.5 * heads:.2f} ㎡ / {88.5 * whole:.2f} ㎡ = {percent}%")
    expect(turnout.get_by_role("progressbar", name=t("Turnout by heads"))).to_have_attribute(
        "value", str(heads * 1000 // whole)
    )


def _line(scope, label: str):
    """The paragraph that starts with "label:"."""
    return scope.locator("p").filter(has_text=re.compile(rf"^\s*{re.escape(label)}[:：]"))


def _mark(page, items, answers, t) -> None:
    """Tick each item's answer in its fieldset (named by its legend); None leaves the item blank."""
    for item, answer in zip(items, answers, strict=True):
        group = page.get_by_role("group", name=re.compile(re.escape(item.title)))
        matter, needed = MATTER[item.matter]
        expect(group).to_contain_text(t("%(matter)s: %(needed)s", matter=t(matter), needed=t(needed)))
        if answer is not None:
            group.get_by_role("radio", name=t(ANSWER[answer]), exact=True).check()
    for item, answer in zip(items, answers, strict=True):
        group = page.get_by_role("group", name=re.compile(re.escape(item.title)))
        for value in ("yes", "no", "abstain"):
            radio = group.get_by_role("radio", name=t(ANSWER[value]), exact=True)
            (expect(radio).to_be_checked if value == answer else expect(radio).not_to_be_checked)()


def _expect_voting_for(page, rooms: str, t) -> None:
    """The ballot, the review step and the receipt say which rooms the ballot is for, with the area (88.50 ㎡ each)."""
    block = page.locator("main .voting-for")
    expect(block).to_contain_text(t("This ballot is for"))
    expect(block.get_by_role("listitem")).to_have_text([t("%(rooms)s, %(area)s", rooms=rooms, area="88.50 ㎡")])


def _cast(tab, live_server, place, answers, t, check, on_behalf=None, rooms=None) -> str:
    """From the vote page: Vote now (or Vote as proxy) → ballot → review → submit → receipt; returns the code."""
    page, vote = tab.page, place.vote
    rooms = on_behalf or rooms
    if on_behalf is None:
        _my_vote(page, t).get_by_role("button", name=t("Vote now"), exact=True).click()
        expect(page).to_have_url(f"{live_server}{vote.path}ballot")
    else:
        proxied = page.get_by_role("region", name=t("Votes I cast as a proxy")).get_by_role("listitem")
        row = proxied.filter(has_text=t("Proxy for %(rooms)s", rooms=on_behalf))
        row.get_by_role("button", name=t("Vote as proxy"), exact=True).click()
        expect(page).to_have_url(re.compile(rf"{re.escape(vote.path)}ballot\?for=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Ballot"))
    if on_behalf:
        expect(page.locator("main .flash")).to_have_text(t("You are voting as a proxy for %(rooms)s.", rooms=on_behalf))
    expect(page.get_by_text(t("An item you leave blank counts as abstain."))).to_be_visible()
    if rooms:
        _expect_voting_for(page, rooms, t)
    _mark(page, vote.items, answers, t)
    check("ballot")

    with page.expect_request(lambda r: r.method == "POST" and r.url.split("?")[0].endswith("/ballot")) as sent:
        _submit(page, t("Next: check my choices"))
    _expect_fixed_length_body(sent.value.post_data, vote.items, answers, tab.javascript)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your choices"))
    review = page.locator("main ul.review > li")
    expect(review).to_have_count(len(vote.items))
    for i, (item, answer) in enumerate(zip(vote.items, answers, strict=True)):
        expect(review.nth(i)).to_have_text(f"{i + 1}. {item.title}{_colon(t)}{_boxes(answer, t)}")
        expect(review.nth(i).locator('[data-picked="1"]')).to_have_text(f"☑ {t(ANSWER[answer or 'abstain'])}")
    expect(page.get_by_text(t("Once submitted, the ballot cannot be changed."))).to_be_visible()
    if on_behalf:
        expect(page.locator("main .flash")).to_have_text(t("You are voting as a proxy for %(rooms)s.", rooms=on_behalf))
    if rooms:
        _expect_voting_for(page, rooms, t)
    check("review")

    _submit(page, t("Submit my ballot"))
    expect(page).to_have_url(re.compile(rf"{re.escape(vote.path)}receipt(\?for=\d+)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your vote is cast"))
    code = page.locator("main .receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    if rooms:
        _expect_voting_for(page, rooms, t)
    check("receipt")
    page.get_by_role("button", name=t("Back to the vote"), exact=True).click()
    expect(page).to_have_url(f"{live_server}{vote.path}")
    return code


def _boxes(answer, t) -> str:
    """An item on the review page: every answer, the chosen one ☑ (a blank item is reviewed as the abstention it is)."""
    shown = answer or "abstain"
    return " ".join(f"{'☑' if value == shown else '☐'} {t(ANSWER[value])}" for value in ("yes", "no", "abstain"))


def _expect_fixed_length_body(body: str, items, answers, javascript: bool) -> None:
    """The fill-in form's request: with JavaScript every item is sent once as one character ("-" when blank), so its
    length is the same whatever was chosen; without, a blank item is simply not sent."""
    sent = parse_qsl(body, keep_blank_values=True)
    for item, answer in zip(items, answers, strict=True):
        values = [v for k, v in sent if k == f"item_{item.id}"]
        if answer is None and not javascript:
            assert values == [], body
        else:
            assert values == [{"yes": "y", "no": "n", "abstain": "a", None: "-"}[answer]], body


def _my_vote(page, t):
    return page.get_by_role("region", name=t("My vote"))


@pytest.mark.parametrize(
    ("lang", "javascript", "answers"),
    [
        ("zh_Hans", True, ("yes", "no")),
        ("zh_Hans", True, ("no", None)),  # the major item left blank: counts as abstain
        ("en", True, ("yes", "abstain")),
        ("zh_Hans", False, ("yes", None)),
    ],
    ids=["zh-all-answered", "zh-one-blank", "en", "zh-nojs-one-blank"],
)
def test_owner_votes_with_review_and_receipt(lang, javascript, answers, live_server, open_tab, vote_seed, texts):
    """Vote list → vote page with turnout → Vote now → ballot → review → submit → receipt → "You have voted"."""
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS)
    owner, vote = place.people[0], place.vote
    prefix = f"vote-{lang}-{'js' if javascript else 'nojs'}-{'blank' if None in answers else 'full'}"
    tab = open_tab(prefix, javascript=javascript)
    page = tab.page
    check = partial(tab.check, axe=javascript)  # axe needs JavaScript; the JS-on variants run it on the same pages

    _login(tab, live_server, owner, t, lang)
    if not javascript:
        assert page.evaluate("typeof window.htmx") == "undefined"  # htmx really did not run
    page.goto(f"{live_server}/c/{place.slug}/votes/")
    check("votes")
    page.get_by_role("link", name=vote.title, exact=True).click()
    expect(page).to_have_url(f"{live_server}{vote.path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(vote.title)
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-Hans")
    _expect_turnout(page, 0, vote.heads, t)
    mine = _my_vote(page, t)
    expect(mine).to_contain_text(t("You vote for: %(rooms)s", rooms=_room(owner.room)))
    check("vote")

    code = _cast(tab, live_server, place, answers, t, check, rooms=_room(owner.room))

    mine = _my_vote(page, t)
    expect(mine.locator("strong").first).to_have_text(t("You have voted."))
    expect(mine.get_by_role("button", name=t("Vote now"))).to_have_count(0)
    chosen = mine.locator("ul.my-choices > li")
    for i, (item, answer) in enumerate(zip(vote.items, answers, strict=True)):
        expect(chosen.nth(i)).to_have_text(
            f"{item.title}{_colon(t)}{t(ANSWER[answer or 'abstain'])}"
        )  # stored: blank is 弃权
    expect(mine.locator(".code")).to_have_text(code)  # the receipt, derived again by the server
    _expect_turnout(page, 1, vote.heads, t)
    check("voted")

    # The ballot page now only says so: one ballot per voting right.
    page.goto(f"{live_server}{vote.path}ballot")
    expect(page).to_have_url(f"{live_server}{vote.path}")
    expect(page.locator(".flashes")).to_have_text(t("This ballot has been cast already."))
    _expect_turnout(page, 1, vote.heads, t)
    check("refused")


def test_review_step_lets_the_owner_change_choices_without_javascript(live_server, open_tab, vote_seed, texts):
    """The review's "Change my choices" goes back to the ballot with the choices kept (no JavaScript)."""
    t = partial(texts, "zh_Hans")
    place = vote_seed.voting_compound(OWNERS)
    owner, vote = place.people[1], place.vote
    tab = open_tab("vote-nojs-change", javascript=False)
    page = tab.page
    _login(tab, live_server, owner, t)
    page.goto(f"{live_server}{vote.path}ballot")
    _mark(page, vote.items, ("yes", "yes"), t)
    _submit(page, t("Next: check my choices"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your choices"))
    _submit(page, t("Change my choices"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Ballot"))
    _mark(page, vote.items, ("yes", "yes"), t)  # still ticked: the server carried them through the review
    tab.check("ballot-again", axe=False)
    _mark(page, vote.items, ("yes", "no"), t)
    _submit(page, t("Next: check my choices"))
    expect(page.locator("main ul.review > li").nth(1)).to_have_text(
        f"2. {vote.items[1].title}{_colon(t)}{_boxes('no', t)}"
    )
    _submit(page, t("Submit my ballot"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your vote is cast"))
    tab.check("receipt", axe=False)


def test_proxy_votes_for_an_owner_who_then_cannot_vote_again(live_server, open_tab, vote_seed, texts):
    """李明 holds 王芳's written authorisation: he votes for her from his login; she sees it and cannot vote again."""
    t = partial(texts, "zh_Hans")
    place = vote_seed.voting_compound(OWNERS, proxy=(0, 1))
    owner, proxy, vote = place.people[0], place.people[1], place.vote
    rooms = _room(owner.room)

    # Before: she is told who holds her right, and could still vote herself.
    mine = open_tab("proxy-owner")
    _login(mine, live_server, owner, t)
    mine.page.goto(f"{live_server}{vote.path}")
    held = mine.page.locator("main > p.flash")
    expect(held).to_contain_text(proxy.name)
    expect(held).to_contain_text(vote.proxy_reference)
    expect(_my_vote(mine.page, t).get_by_role("button", name=t("Vote now"))).to_be_visible()
    mine.check("held")

    tab = open_tab("proxy")
    page = tab.page
    _login(tab, live_server, proxy, t)
    page.goto(f"{live_server}{vote.path}")
    proxied = page.get_by_role("region", name=t("Votes I cast as a proxy"))
    expect(proxied.get_by_role("listitem")).to_have_count(1)
    expect(proxied.get_by_role("listitem")).to_contain_text(t("Proxy for %(rooms)s", rooms=rooms))
    expect(proxied.get_by_role("button", name=t("Vote as proxy"))).to_be_visible()
    expect(_my_vote(page, t).get_by_role("button", name=t("Vote now"))).to_be_visible()  # his own right, apart
    tab.check("vote")

    code = _cast(tab, live_server, place, ("yes", "yes"), t, tab.check, on_behalf=rooms)
    proxied = page.get_by_role("region", name=t("Votes I cast as a proxy"))
    voted = f"{t('Proxy for %(rooms)s', rooms=rooms)}{_colon(t)}{t('voted')} · {t('Receipt')}"
    expect(proxied.get_by_role("listitem")).to_have_text(voted)
    expect(proxied.get_by_role("button", name=t("Vote as proxy"))).to_have_count(0)
    # The receipt of the ballot he cast for her is there to see again, from the server.
    receipt = proxied.get_by_role("link", name=t("Receipt"))
    expect(receipt).to_have_attribute("href", re.compile(r"/receipt\?for=\d+$"))
    # His own right is still unused: voting for her did not use it.
    expect(_my_vote(page, t).get_by_role("button", name=t("Vote now"))).to_be_visible()
    _expect_turnout(page, 1, vote.heads, t)
    tab.check("voted")

    # After: her vote page says she has voted through her proxy, and offers no ballot.
    page = mine.page
    page.reload()
    section = _my_vote(page, t)
    expect(section.locator("p").first).to_have_text(f"{t('You have voted.')} {t('(through your proxy)')}")
    expect(section.get_by_role("listitem")).to_have_count(len(vote.items))  # named: she sees the choices
    expect(section.get_by_role("button", name=t("Vote now"))).to_have_count(0)
    expect(page.locator("main > p.flash")).to_have_count(0)  # "your proxy can still vote" is over
    expect(section.locator(".code")).to_have_text(code)  # her right's ballot: she can check it is in the box too
    mine.check("voted-by-proxy")

    page.goto(f"{live_server}{vote.path}ballot")
    expect(page).to_have_url(f"{live_server}{vote.path}")
    expect(page.locator(".flashes")).to_have_text(t("This ballot has been cast already."))
    _expect_turnout(page, 1, vote.heads, t)
    mine.check("ballot-refused")


def test_two_staff_enter_a_paper_ballot_on_the_desk(live_server, open_tab, vote_seed, texts):
    """书面表决票: the first entry waits, the second by another staff member with the same choices counts it."""
    t = partial(texts, "zh_Hans")
    place = vote_seed.voting_compound(OWNERS, staff=2)
    first, second = place.staff_members
    vote, owner = place.vote, place.people[2]
    rooms = _room(owner.room)
    desk = f"{live_server}{vote.path}desk"

    def enter(tab, staff_member, step: str):
        page = tab.page
        _login(tab, live_server, staff_member, t)
        if step == "first":  # the way staff find the desk; the second goes straight there
            page.goto(f"{live_server}{vote.path}")
            page.get_by_role("button", name=t("Voting desk: proxies, paper ballots, conflicts")).click()
            expect(page).to_have_url(desk)
        else:
            page.goto(desk)
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Voting desk"))
        tab.check(f"{step}-desk")
        paper = page.get_by_role("region", name=t("Paper ballots"))
        _field(paper, t("Voting right: number on the roll, or room")).fill(rooms)
        _mark(paper, vote.items, ("yes", "abstain"), t)
        paper.get_by_role("button", name=t("Save this entry"), exact=True).click()
        return page, paper

    def expect_note(page, text: str) -> None:
        """The answer stands at the entry form, on screen and focused (htmx swapped the section in place)."""
        note = page.locator("#paper-note")
        expect(note).to_have_text(text)
        expect(note).to_be_focused()
        expect(note).to_be_in_viewport()
        expect(page.locator(".flashes")).to_have_count(0)  # not at the top of the page, off-screen

    one = open_tab("desk-first")
    page, paper = enter(one, first, "first")
    expect_note(
        page, t("Entry saved for %(rooms)s. It counts when a second staff member enters the same choices.", rooms=rooms)
    )
    waiting = paper.get_by_role("table").filter(has=page.get_by_role("cell", name=first.name))
    expect(waiting.get_by_role("row")).to_have_count(2)  # header + the pending entry
    expect(waiting).to_contain_text(rooms)
    expect(waiting.get_by_role("button", name=t("Void"))).to_be_visible()
    one.check("first-saved")
    page.goto(f"{live_server}{vote.path}")
    _expect_turnout(page, 0, vote.heads, t)  # a pending entry does not count
    one.check("vote-pending")

    two = open_tab("desk-second")
    page, paper = enter(two, second, "second")
    expect_note(page, t("The two entries match: the paper ballot of %(rooms)s is counted.", rooms=rooms))
    counted = paper.get_by_role("heading", name=re.compile(rf"^{re.escape(t('Counted'))}"))
    expect(counted.locator(".badge")).to_have_text("1")
    expect(paper.get_by_role("button", name=t("Void"), exact=True)).to_have_count(0)  # nothing is waiting
    table = paper.get_by_role("table").last
    expect(table.get_by_role("row")).to_have_count(3)  # header + both entries
    expect(table).to_contain_text(first.name)
    expect(table).to_contain_text(second.name)
    two.check("second-counted")

    # Two entries that differ: the answer at the form links to the flagged ballot, whose differing line says so.
    other = _room(place.people[1].room)
    for tab, answer in ((one, "yes"), (two, "no")):
        page = tab.page
        page.goto(desk)
        paper = page.get_by_role("region", name=t("Paper ballots"))
        _field(paper, t("Voting right: number on the roll, or room")).fill(other)
        _mark(paper, vote.items, (answer, "abstain"), t)
        paper.get_by_role("button", name=t("Save this entry"), exact=True).click()
    note = page.locator("#paper-note")
    expect(note).to_contain_text(
        t("The two entries for %(rooms)s differ. Nothing was counted; a supervisor must check them.", rooms=other)
    )
    expect(note).to_be_in_viewport()
    note.get_by_role("link", name=t("See the entries that differ")).click()
    flagged = page.locator("article.flagged-ballot")
    expect(flagged).to_have_count(1)
    lines = flagged.locator("tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0).locator(".badge-differs")).to_have_text(t("Differs"))
    expect(lines.nth(0).locator("strong")).to_have_text([t("Agree"), t("Disagree")])
    expect(lines.nth(1).locator(".badge-differs")).to_have_count(0)
    two.check("mismatch-flagged")  # at 360 px: the comparison reads as stacked cards, nothing scrolls sideways

    page.goto(f"{live_server}{vote.path}")
    _expect_turnout(page, 1, vote.heads, t)
    two.check("vote-after-paper")

    # The owner sees the paper ballot as theirs, and cannot vote online any more.
    owner_tab = open_tab("desk-owner")
    _login(owner_tab, live_server, owner, t)
    owner_tab.page.goto(f"{live_server}{vote.path}")
    expect(_my_vote(owner_tab.page, t).locator("p").first).to_have_text(f"{t('You have voted.')} {t('(on paper)')}")
    expect(_my_vote(owner_tab.page, t).get_by_role("button", name=t("Vote now"))).to_have_count(0)
    owner_tab.check("owner-on-paper")


def test_turnout_polls_every_10_seconds_and_is_refreshed_in_place(live_server, open_tab, vote_seed, texts):
    """投票进度 polls itself (hx-trigger "every 10s", driven here by Playwright's clock): unchanged, the browser
    revalidates with the ETag and the server answers 304; after another owner's ballot the new numbers are swapped
    in without reloading the page."""
    t = partial(texts, "zh_Hans")
    place = vote_seed.voting_compound(OWNERS)
    vote = place.vote
    url = f"/c/{place.slug}/votes/{vote.id}/turnout"

    watcher = open_tab("turnout")
    page = watcher.page
    _login(watcher, live_server, place.people[0], t)
    page.clock.install()  # timers run only when the test says so: ten seconds pass in no time
    page.goto(f"{live_server}{vote.path}")
    turnout = page.locator("#turnout")
    expect(turnout).to_have_attribute("hx-get", url)
    expect(turnout).to_have_attribute("hx-trigger", "every 10s")
    expect(turnout).to_have_attribute("hx-swap", "outerHTML")
    _expect_turnout(page, 0, vote.heads, t)
    watcher.check("before")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    def poll():
        page.evaluate("document.querySelector('#turnout').dataset.polled = 'waiting'")
        with page.expect_response(lambda r: r.url == f"{live_server}{url}") as polled:
            page.clock.run_for(10_000)
        # Wait until htmx has swapped the answer in (the new element has no mark): its timer of the next 10 s starts
        # then, and on a loaded machine the swap can come after the response, when the next clock run already began.
        expect(page.locator("#turnout")).not_to_have_attribute("data-polled", "waiting")
        assert polled.value.request.all_headers().get("hx-request") == "true"
        return polled.value

    first = poll()
    assert first.status == 200
    assert "HX-Request" in first.headers.get("vary", "")
    etag = first.headers["etag"]
    _expect_turnout(page, 0, vote.heads, t)
    second = poll()  # nothing changed: Chromium revalidates, the server's 304 reaches htmx as the cached 200
    assert second.request.all_headers().get("if-none-match") == etag
    assert second.headers["etag"] == etag
    assert "content-type" not in second.all_headers()  # what came over the wire was the empty 304
    _expect_turnout(page, 0, vote.heads, t)

    voter = open_tab("turnout-voter")
    _login(voter, live_server, place.people[1], t)
    voter.page.goto(f"{live_server}{vote.path}")
    _cast(voter, live_server, place, ("yes", "no"), t, voter.check)

    third = poll()
    assert third.status == 200
    assert third.headers["etag"] != etag
    _expect_turnout(page, 1, vote.heads, t)
    expect(page.locator("#turnout")).to_have_count(1)  # swapped, not nested
    expect(page.locator("#turnout")).to_have_attribute("hx-trigger", "every 10s")  # and it keeps polling
    assert page.evaluate("window.__sameDocument") is True
    watcher.check("after")

    # The same exchange by hand: a second identical request with the ETag gets 304 and no body.
    fresh = page.request.get(f"{live_server}{url}", headers={"HX-Request": "true"})
    assert fresh.status == 200
    assert fresh.headers["cache-control"] == "no-cache, private"
    again = page.request.get(
        f"{live_server}{url}", headers={"HX-Request": "true", "If-None-Match": fresh.headers["etag"]}
    )
    assert again.status == 304
    assert again.body() == b""
    assert again.headers["etag"] == fresh.headers["etag"]


def test_staff_find_the_vote_and_close_it_early_only_once_confirmed(live_server, open_tab, vote_seed, texts):
    """Issue 13, JavaScript off: the staff compound page leads to the vote; closing early without the box ticked
    answers 400 with the error at the box and the reason kept; ticked, the vote closes."""
    t = partial(texts, "zh_Hans")
    place = vote_seed.voting_compound(OWNERS)
    staff, vote = place.staff_members[0], place.vote
    tab = open_tab("close-early", javascript=False)
    page = tab.page
    _login(tab, live_server, staff, t)
    page.goto(f"{live_server}/staff/c/{place.slug}/")
    expect(page.get_by_role("link", name=t("Voting desk"))).to_have_attribute("href", f"{vote.path}desk")
    tab.check("staff-compound")
    page.get_by_role("link", name=t("Manage")).click()
    expect(page).to_have_url(f"{live_server}{vote.path}edit")
    tab.check("manage")

    reason = "小区封闭管理，无法继续投票"
    _field(page, t("Reason")).fill(reason)
    page.get_by_role("button", name=t("Close voting")).click()
    box = page.get_by_role("checkbox")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#confirm-error")).to_have_text(t("Tick the box to confirm: nothing has changed yet."))
    expect(_field(page, t("Reason"))).to_have_value(reason)
    tab.check("close-unconfirmed", status=400)

    box.check()
    page.get_by_role("button", name=t("Close voting")).click()
    expect(page).to_have_url(f"{live_server}{vote.path}")
    expect(page.locator(".flashes")).to_contain_text(t("Voting is closed. The ballot box is sealed."))
    tab.check("closed")


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_results_read_on_a_phone_outcome_first(lang, live_server, live_app, open_tab, vote_seed, texts):
    """表决结果 at 360 px: the outcome before the numbers, counts with units, no sideways scrolling (Tab.check)."""
    from portal.accounts.models import Person
    from portal.extensions import db
    from portal.voting import box, electorate, lifecycle
    from portal.voting.models import Vote, VoteStatus

    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS)
    with live_app.app_context():
        vote = db.session.get(Vote, place.vote.id)
        staff = db.session.get(Person, place.staff_members[0].id)
        for owner in place.people[:2]:
            right = electorate.right_of(vote, db.session.get(Person, owner.id))
            box.cast(vote, right, box.Choices({i.key: "yes" for i in vote.items}))
        for step in (VoteStatus.closed, VoteStatus.preliminary):
            lifecycle.transition(vote, step, staff, reason="测试")
        db.session.commit()
    tab = open_tab(f"results-{lang}")
    page = tab.page
    _login(tab, live_server, place.people[2], t, lang)
    for tail in ("results", "notice"):
        page.goto(f"{live_server}{place.vote.path}{tail}")
        tab.check(tail)  # 360 px: nothing wider than the screen, axe, CSP
        verdict = page.locator(".result-verdicts")
        expect(verdict).to_contain_text(t("Passed"))  # 2 of 3 owners took part (2/3 is enough), both agreed
        html = page.content()
        assert html.index('id="verdict-h"') < html.index('class="result-table"')
        assert not re.search(r"\(\d+/\d+\)", html)
        expect(page.locator(".result-summary")).to_contain_text("177.00 ㎡ / 265.50 ㎡")
