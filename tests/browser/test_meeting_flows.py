"""A micro-meeting (微会议) from start to end in a phone-sized Chromium, as the people in it do it.

The chair calls an owners' committee meeting through the form and posts its agenda at short notice (with the reason
the 7-day rule asks for); members sign in until there is a quorum, discuss an item, and answer the chair's quick
vote; the secretary writes the minutes from the portal's draft; the attendees sign off, the minutes are published,
and the compound's public archive finds them by a Chinese word, also for a visitor who is not logged in.
See conftest.py for the checks made on every page (axe, console and CSP, the 360 px layout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from portal.i18n import SHANGHAI
from tests.browser.steps import field as _field
from tests.browser.steps import flash as _flash
from tests.browser.steps import login as _login
from tests.browser.steps import submit as _submit

pytestmark = pytest.mark.browser

# (name, room, post): five committee members, so three present are a quorum and three "agree" carry a motion.
COMMITTEE = [
    ("王芳", "301", "chair"),
    ("李明", "302", "secretary"),
    ("张伟", "401", "member"),
    ("赵丽", "402", "member"),
    ("陈刚", "501", "member"),
]
AGENDA = ("1号楼电梯维修方案", "地面停车位管理")
URGENT = "1号楼电梯故障，需尽快决定维修方案"
COMMENTS = ("建议先请第三方检测，再决定是否整体更换。", "同意检测，费用从公共收益中支出。")
MOTION = "委托第三方机构检测1号楼电梯"
DECIDED = "会议决定：委托第三方机构检测电梯，检测报告下周在公告栏公示。"
# Words only the secretary wrote (not in the title, agenda or motion): one long enough for SQLite's trigram index,
# one too short for it (answered by LIKE), and one that is nowhere.
FOUND_LONG, FOUND_SHORT, NOWHERE = "检测报告", "公示", "游泳池"
ANSWER = {"yes": "Agree", "no": "Disagree", "abstain": "Abstain"}


@dataclass(frozen=True)
class Run:
    """One walk through the meeting: language, whether 张伟's phone runs JavaScript, the three answers (chair,
    secretary, 张伟), whether 张伟 objects to the minutes (then the chair publishes them with a reason) and the
    phones' text size in percent (200: WeChat's largest font)."""

    lang: str
    member_js: bool
    answers: tuple[str, str, str]
    member_objects: bool
    text: int = 100

    @property
    def counts(self) -> tuple[int, int, int]:
        """(agree, disagree, abstain) among the three answers."""
        return tuple(self.answers.count(a) for a in ("yes", "no", "abstain"))

    @property
    def passed(self) -> bool:
        """The committee rule: more than half of ALL members agree, not only of those present."""
        return 2 * self.counts[0] > len(COMMITTEE)


RUNS = [
    # All agree: 3 of 5 carry it. 张伟 takes part without JavaScript (plain forms, 303s).
    pytest.param(Run("zh_Hans", False, ("yes", "yes", "yes"), False), id="zh-member-nojs"),
    # 2 agree of the 3 who answered is not more than half of all 5: not passed. 张伟 objects; the chair publishes.
    pytest.param(Run("en", True, ("yes", "yes", "abstain"), True), id="en-chair-publishes"),
    # Everyone reads at 200 % text: two agree, one disagrees (not passed); the minutes go out without objection.
    pytest.param(Run("zh_Hans", True, ("yes", "no", "yes"), False, text=200), id="zh-200"),
]


def _item(page, number: int):
    """The agenda item `number` (1-based) with its quick votes and discussion."""
    heading = page.get_by_role("heading", level=3, name=f"{number}. {AGENDA[number - 1]}", exact=True)
    return page.locator("article.agenda-item").filter(has=heading)


def _attendance(page, t):
    return page.get_by_role("region", name=t("Attendance"))


def _expect_quorum(page, t, here: int) -> None:
    """签到 and 法定人数: "members signed in: x of 5", met with more than half of all members."""
    attendance = _attendance(page, t)
    expect(attendance).to_contain_text(t("Committee members signed in: %(here)d of %(all)d.", here=here, all=5))
    met = 2 * here > len(COMMITTEE)
    expect(attendance.locator("strong.ok" if met else "strong.warn")).to_have_text(
        t("Quorum met (more than half of the members).")
        if met
        else t("No quorum yet (more than half of the members must attend).")
    )


def _minutes(page):
    return page.locator("section#minutes")


def _motion_line(t, run: Run) -> str:
    """The quick vote's line as the portal writes it into the draft minutes."""
    yes, no, abstain = run.counts
    return t(
        "%(text)s — Agree %(yes)d, Disagree %(no)d, Abstain %(abstain)d: %(outcome)s (%(rule)s).",
        text=MOTION,
        yes=yes,
        no=no,
        abstain=abstain,
        outcome=t("Passed") if run.passed else t("Not passed"),
        rule=t("more than half of all %(total)d committee members needed", total=len(COMMITTEE)),
    )


def _call_meeting(tab, live_server, slug: str, secretary, t) -> tuple[str, str]:
    """The chair calls the meeting through the form (召集会议), starting a few minutes ago so that it is under way
    once posted, and posts the agenda: refused without a reason for the short notice, accepted with one.
    Returns (title, the meeting page's URL)."""
    page = tab.page
    title = f"业委会{slug}电梯专题会议"
    page.goto(f"{live_server}/c/{slug}/meetings/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Meetings"))
    expect(page.locator("main")).to_contain_text(t("No meetings yet."))
    tab.check("meetings-empty")
    page.get_by_role("button", name=t("Call a meeting"), exact=True).click()  # a link styled as a button
    expect(page).to_have_url(f"{live_server}/c/{slug}/meetings/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Call a meeting"))
    tab.check("new")

    start = datetime.now(SHANGHAI).replace(second=0, microsecond=0) - timedelta(minutes=10)
    form = page.locator("main form")
    _field(form, t("Kind of meeting")).select_option(label=t("Owners' committee meeting"))
    _field(form, t("Title")).fill(title)
    _field(form, t("What the meeting is about")).fill("讨论1号楼电梯维修，请各位委员签到、发言和表决。")
    _field(form, t("Starts (Beijing time)")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    _field(form, t("Ends (Beijing time)")).fill((start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    invite = form.get_by_role("group", name=t("Invite"))
    expect(invite.get_by_role("checkbox", name=t("Owners' committee members"))).to_be_checked()  # the default
    _field(form, t("Who may read the record")).select_option(label=t("public record"))
    _field(form, t("Secretary (writes the minutes)")).select_option(label=secretary.name)
    _field(form, t("Agenda: one item per line")).fill("\n".join(AGENDA))
    _submit(form, t("Save as draft"))

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/c/{slug}/meetings/\d+/$"))
    url = page.url
    _flash(page, t("The meeting is saved as a draft. Check it, then post the agenda to invite people."))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("hgroup .badge")).to_have_text(t("draft"))
    expect(page.locator("hgroup")).to_contain_text(t("public record"))
    colon = "：" if t.args[0] == "zh_Hans" else ": "  # after a label: full-width in Chinese (t is partial(texts, lang))
    expect(page.locator("main")).to_contain_text(f"{t('Secretary')}{colon}{secretary.name}")
    for number in (1, 2):
        expect(_item(page, number)).to_have_count(1)
    tab.check("draft")

    # Starting now is less than 7 days' notice: refused without the reason, posted with it.
    post = page.get_by_role("region", name=t("Post the agenda"))
    _submit(post, t("Post and invite"))
    expect(page).to_have_url(url + "post")  # the page again, with 400 and the sentence at the reason's field
    reason = _field(post, t("Reason for short notice (only if needed)"))
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(post.locator(".field-error")).to_have_text(
        t("A committee meeting's agenda must be posted at least 7 days ahead. Give the reason why it is urgent.")
    )
    expect(page.locator("hgroup .badge")).to_have_text(t("draft"))
    tab.check("too-soon", status=400)
    post = page.get_by_role("region", name=t("Post the agenda"))
    _field(post, t("Reason for short notice (only if needed)")).fill(URGENT)
    _submit(post, t("Post and invite"))
    _flash(page, t("The agenda is posted; %(count)d invitees were notified.", count=len(COMMITTEE) - 1))
    expect(page.locator("hgroup .badge")).to_have_text(t("in progress"))
    expect(page.locator("main")).to_contain_text(t("Posted at short notice because: %(reason)s", reason=URGENT))
    expect(page.get_by_role("region", name=t("Post the agenda"))).to_have_count(0)
    return title, url


def _sign_in(tab, t, here: int) -> None:
    """签到 on the meeting page; `here` committee members are then signed in."""
    page = tab.page
    _expect_quorum(page, t, here - 1)
    _submit(_attendance(page, t), t("Sign in to the meeting"))
    _flash(page, t("You are signed in."))
    _expect_quorum(page, t, here)
    expect(_attendance(page, t).get_by_role("button", name=t("Sign in to the meeting"))).to_have_count(0)


def _comment(tab, t, who, text: str, step: str, blank_first: bool = False) -> None:
    """A comment on the first item: with JavaScript htmx swaps the item's discussion, without it the form posts.
    blank_first: first send only spaces, which comes back as a 400 whose fragment shows the error by the field."""
    page = tab.page
    item = _item(page, 1)
    if blank_first:
        _field(item, t("Your comment")).fill("   ")
        _submit(item, t("Send comment"))
        expect(_item(page, 1)).to_contain_text(t("Write something before sending."))
        tab.check(f"{step}-blank", status=400)
    _field(item, t("Your comment")).fill(text)
    _submit(item, t("Send comment"))
    mine = _item(page, 1).locator("li.comment").filter(has_text=text)
    expect(mine).to_have_count(1)
    expect(mine.locator(".comment-meta strong")).to_have_text(who.name)
    expect(_field(_item(page, 1), t("Your comment"))).to_have_value("")  # the form came back empty
    tab.check(step)


def _answer(tab, t, answer: str) -> None:
    """表决: the attendee's own answer to the open quick vote on the first item."""
    page = tab.page
    page.reload()
    motion = _item(page, 1).locator(".motion")
    _submit(motion, t(ANSWER[answer]))
    _flash(page, t("Your answer is recorded. You can change it until the vote closes."))
    colon = "：" if t.args[0] == "zh_Hans" else ": "  # after a label: full-width in Chinese (t is partial(texts, lang))
    expect(_item(page, 1).locator(".motion")).to_contain_text(f"{t('You chose')}{colon}{t(ANSWER[answer])}")
    tab.check("answered")


def _sign_off(tab, t, confirm: bool) -> None:
    """签字确认: confirm the minutes, or object with a comment."""
    page = tab.page
    page.reload()
    box = _minutes(page)
    expect(box.locator("h2 .badge")).to_have_text(t("awaiting sign-off"))
    expect(box.locator(".minutes-body")).to_contain_text(DECIDED)
    signoff = box.get_by_role("group", name=t("Your sign-off"))
    if confirm:
        _submit(signoff, t("I confirm the minutes"))
        _flash(page, t("Your sign-off is recorded."))
    else:
        _field(signoff, t("Comment (required if you object)")).fill("停车位议题的讨论没有记录。")
        _submit(signoff, t("I object"))
        _flash(page, t("Your objection is recorded."))
    tab.check("signed-off" if confirm else "objected")


def _search(tab, t, term: str, found: bool, javascript: bool) -> None:
    """Search the archive: with JavaScript htmx answers as one types, without it the Search button submits."""
    page = tab.page
    box = page.get_by_role("searchbox", name=t("Search the minutes"))
    box.fill(term)
    if not javascript:
        _submit(page.locator("main form.filters"), t("Search"))
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote(term))}(&|$)"))  # htmx pushes the URL too
    results = page.locator("#archive-results")
    if found:
        expect(results.locator("ul.cards > li")).to_have_count(1)
    else:
        expect(results).to_contain_text(t("No published minutes match this search."))
        expect(results.locator("ul.cards > li")).to_have_count(0)


@pytest.mark.parametrize("run", RUNS)
def test_committee_meeting_from_call_to_published_minutes(run, live_server, open_tab, meeting_seed, texts):
    """召集 → 发布议程 → 签到 (quorum) → 发言 → 表决 → 纪要 (portal's draft) → 签字 → 公布 → 纪要公示, searched."""
    lang = run.lang
    t = partial(texts, lang)
    place = meeting_seed.committee_compound(COMMITTEE)
    slug = place.slug
    chair, secretary, member = place.people[:3]
    prefix = f"meeting-{'zh' if lang == 'zh_Hans' else 'en'}-{run.text}"

    # 1. The chair calls the meeting through the form and posts it; it is under way at once.
    chair_tab = open_tab(f"{prefix}-chair", text=run.text)
    _login(chair_tab, live_server, chair, t, lang)
    title, url = _call_meeting(chair_tab, live_server, slug, secretary, t)
    chair_tab.check("posted")
    chair_page = chair_tab.page

    # 2. Sign-in: the chair, then the secretary (finding it in the list), then 张伟: 3 of 5 is a quorum.
    _sign_in(chair_tab, t, 1)
    chair_tab.check("chair-signed-in")

    secretary_tab = open_tab(f"{prefix}-secretary", text=run.text)
    secretary_page = secretary_tab.page
    _login(secretary_tab, live_server, secretary, t, lang)
    secretary_page.goto(f"{live_server}/c/{slug}/meetings/")
    card = secretary_page.locator("ul.cards > li").filter(has_text=title)
    expect(card.locator(".badge")).to_have_text(t("in progress"))
    secretary_tab.check("meetings")
    card.get_by_role("link", name=title, exact=True).click()
    expect(secretary_page).to_have_url(url)
    _sign_in(secretary_tab, t, 2)

    member_tab = open_tab(
        f"{prefix}-member-{'js' if run.member_js else 'nojs'}", javascript=run.member_js, text=run.text
    )
    member_page = member_tab.page
    _login(member_tab, live_server, member, t, lang)
    if not run.member_js:
        assert member_page.evaluate("typeof window.htmx") == "undefined"  # htmx really did not run
    member_page.goto(url)
    _sign_in(member_tab, t, 3)
    present = _attendance(member_page, t).locator("ul.attendance > li")
    expect(present).to_have_count(3)
    for i, who in enumerate((chair, secretary, member)):
        expect(present.nth(i)).to_contain_text(who.name)
    member_tab.check("quorum")

    # 3. Two comments by two people under the first item; the chair sees both, in order.
    secretary_page.reload()
    _comment(secretary_tab, t, secretary, COMMENTS[0], "commented", blank_first=True)
    _comment(member_tab, t, member, COMMENTS[1], "commented")
    chair_page.reload()
    comments = _item(chair_page, 1).locator("li.comment")
    expect(comments).to_have_count(2)
    for i, (who, text) in enumerate(zip((secretary, member), COMMENTS, strict=True)):
        expect(comments.nth(i).locator(".comment-meta strong")).to_have_text(who.name)
        expect(comments.nth(i).locator(".comment-body")).to_have_text(text)
    expect(_item(chair_page, 2)).to_contain_text(t("No comments yet."))
    chair_tab.check("discussion")

    # 4. The chair opens a quick vote on the item; the three attendees answer; the chair closes it.
    item = _item(chair_page, 1)
    item.get_by_text(t("Open a quick vote on this item"), exact=True).click()  # the <summary>
    _field(item, t("Motion")).fill(MOTION)
    _submit(item, t("Open the vote"))
    _flash(chair_page, t("The quick vote is open."))
    motion = _item(chair_page, 1).locator(".motion")
    colon = "：" if lang == "zh_Hans" else ": "  # after a label on the page: full-width in Chinese
    expect(motion).to_contain_text(f"{t('Quick vote')}{colon}{MOTION}")
    expect(motion).to_contain_text(
        t("Passes with more than half of ALL %(total)d committee members (no proxies).", total=len(COMMITTEE))
    )
    expect(motion).to_contain_text(t("Open · %(count)d answered so far", count=0))
    chair_tab.check("motion-open")

    for tab, answer in zip((chair_tab, secretary_tab, member_tab), run.answers, strict=True):
        _answer(tab, t, answer)

    chair_page.reload()
    motion = _item(chair_page, 1).locator(".motion")
    expect(motion).to_contain_text(t("Open · %(count)d answered so far", count=3))
    _submit(motion, t("Close the vote"))
    _flash(chair_page, t("The quick vote is closed."))
    yes, no, abstain = run.counts
    outcome = t("Passed") if run.passed else t("Not passed")
    result = _item(chair_page, 1).locator(".motion p").filter(has_text=f"{t('Agree')} {yes} ·")
    expect(result).to_contain_text(f"{t('Agree')} {yes} · {t('Disagree')} {no} · {t('Abstain')} {abstain} — {outcome}")
    expect(result.locator("strong.ok" if run.passed else "strong.warn")).to_have_text(outcome)
    expect(_item(chair_page, 1).get_by_role("button", name=t("Close the vote"))).to_have_count(0)
    chair_tab.check("motion-closed")

    # 5. The secretary opens the minutes: the portal's draft has the attendance, the agenda and the vote's counts.
    secretary_page.reload()
    _minutes(secretary_page).get_by_role("link", name=t("Write the minutes"), exact=True).click()
    expect(secretary_page).to_have_url(f"{url}minutes/edit")
    expect(secretary_page.get_by_role("heading", level=1)).to_have_text(t("Write the minutes"))
    editor = _field(secretary_page, t("Text of the minutes"))
    draft = editor.input_value()
    chinese = t.args[0] == "zh_Hans"
    colon, paren, gap = ("：", "（", "") if chinese else (": ", " (", " ")  # the draft's punctuation is the language's
    expected = [
        f"# {title}",
        f"- {t('Convenor')}{colon}{chair.name}",
        f"- {t('Secretary')}{colon}{secretary.name}",
        f"## {t('Attendance')}",
        *(f"- {who.name}{paren}" for who in (chair, secretary, member)),
        t("Committee members present: %(here)d of %(all)d.", here=3, all=len(COMMITTEE)) + gap + t("Quorum met."),
        f"## {t('Agenda')}",
        f"1. {AGENDA[0]}",
        f"   - {t('Quick vote')}{colon}{_motion_line(t, run)}",
        f"2. {AGENDA[1]}",
    ]
    missing = [line for line in expected if line not in draft]
    assert not missing, f"the draft minutes lack {missing}:\n{draft}"
    secretary_tab.check("minutes-draft")
    editor.fill(draft.rstrip() + "\n\n" + DECIDED + "\n")
    _submit(secretary_page.locator("main form"), t("Save"))
    expect(secretary_page).to_have_url(f"{url}#minutes")
    _flash(secretary_page, t("The minutes are saved."))
    box = _minutes(secretary_page)
    expect(box.locator("h2 .badge")).to_have_text(t("draft"))
    expect(box.locator(".minutes-body")).to_contain_text(DECIDED)
    expect(box.locator(".minutes-body").get_by_role("heading", name=title, exact=True)).to_be_visible()  # demoted
    secretary_tab.check("minutes-saved")

    # ... and sends them for sign-off from the editor.
    box.get_by_role("link", name=t("Edit the minutes"), exact=True).click()
    expect(_field(secretary_page, t("Text of the minutes"))).to_have_value(re.compile(re.escape(DECIDED)))
    _submit(secretary_page.locator("main form"), t("Save and send for sign-off"))
    _flash(secretary_page, t("The minutes are sent to the attendees for sign-off."))
    box = _minutes(secretary_page)
    expect(box.locator("h2 .badge")).to_have_text(t("awaiting sign-off"))
    lines = box.locator("ul.signoffs > li")
    expect(lines).to_have_count(3)
    for i in range(3):
        expect(lines.nth(i)).to_contain_text(t("not yet"))
    secretary_tab.check("minutes-signing")

    # 6. The attendees sign off; then the minutes are published.
    _sign_off(chair_tab, t, True)
    _sign_off(secretary_tab, t, True)
    _sign_off(member_tab, t, not run.member_objects)

    if run.member_objects:
        # Not every attendee confirmed: the secretary may not publish, only the chair with a reason.
        secretary_page.reload()
        box = _minutes(secretary_page)
        expect(box).to_contain_text(t("The minutes can be published when every attendee has confirmed them."))
        expect(box.get_by_role("button", name=t("Publish the minutes"))).to_have_count(0)
        expect(box.locator("ul.signoffs > li").nth(2)).to_contain_text(t("objected"))
        reason = "停车位议题另行开会讨论，检测决定需尽快公示。"
        chair_page.reload()
        box = _minutes(chair_page)
        _field(box, t("Not every attendee has confirmed. Reason for publishing now")).fill(reason)
        _submit(box, t("Publish the minutes"))
        publisher, publisher_tab = chair_page, chair_tab
    else:
        secretary_page.reload()
        box = _minutes(secretary_page)
        expect(box).to_contain_text(t("Every attendee has confirmed the minutes."))
        _submit(box, t("Publish the minutes"))
        publisher, publisher_tab = secretary_page, secretary_tab
    _flash(publisher, t("The minutes are published and the decisions are posted to the notices."))
    box = _minutes(publisher)
    expect(box.locator("h2 .badge")).to_have_text(t("published"))
    if run.member_objects:
        expect(box).to_contain_text(
            t("Published by the chair before every sign-off was in, because: %(reason)s", reason=reason)
        )
    expect(box.get_by_role("button", name=t("Publish the minutes"))).to_have_count(0)
    publisher_tab.check("published")

    # 7. The archive (纪要公示): a visitor who is not logged in finds the minutes, also by a Chinese word in them.
    visitor = open_tab(f"{prefix}-visitor", text=run.text)
    page = visitor.page
    archive = f"{live_server}/c/{slug}/meetings/minutes/"
    page.goto(archive)
    if lang == "en":
        page.locator(".site-header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(archive)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Published minutes"))
    entry = page.locator("#archive-results ul.cards > li")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("heading", level=2)).to_have_text(title)
    decision = entry.locator("ul.decisions > li")
    expect(decision).to_have_count(1)
    expect(decision).to_contain_text(f"{MOTION} — {outcome}")
    expect(decision).to_contain_text(t("yes %(yes)d, no %(no)d, abstain %(abstain)d", yes=yes, no=no, abstain=abstain))
    visitor.check("archive")
    _search(visitor, t, FOUND_LONG, True, javascript=True)
    visitor.check("archive-found")
    _search(visitor, t, FOUND_SHORT, True, javascript=True)
    _search(visitor, t, NOWHERE, False, javascript=True)
    visitor.check("archive-nothing")
    _search(visitor, t, FOUND_LONG, True, javascript=True)
    page.locator("#archive-results").get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_url(f"{url}#minutes")
    box = _minutes(page)
    expect(box.locator("h2 .badge")).to_have_text(t("published"))
    expect(box.locator(".minutes-body")).to_contain_text(DECIDED)
    expect(page.locator(".site-header")).to_contain_text(t("Log in"))  # still a visitor
    expect(page.get_by_role("button", name=t("Sign in to the meeting"))).to_have_count(0)
    visitor.check("public-minutes")

    # The member searches the archive too (in the zh run without JavaScript: the form's own GET).
    member_page.goto(archive)
    _search(member_tab, t, FOUND_SHORT, True, javascript=run.member_js)
    expect(member_page.locator("#archive-results")).to_contain_text(title)
    member_tab.check("archive")
