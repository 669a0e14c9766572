"""The service board (服务承诺公示栏) and a micro-wish (微心愿) in a phone-sized Chromium, as the people do it.

群众点单 → 社区受理 → 志愿者接单 → 办结 → 居民确认评价: a resident posts a public micro-wish with a photo, community
staff accept it and leave it open for volunteers, a volunteer claims it and marks it done, and the resident confirms
it with a rating; a visitor reads it without the resident's name or room. On the board, the property manager posts a
progress update with a photo on the property company's pledge, and a resident rates the pledge.
See conftest.py for the checks made on every page (axe, console and CSP, the 360 px layout).
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.steps import field as _field
from tests.browser.steps import flash as _flash
from tests.browser.steps import login as _login
from tests.browser.steps import property_company
from tests.browser.steps import submit as _submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

RESIDENT, VOLUNTEER = ("刘桂兰", "101"), ("周强", "102")
WISH_TITLE = "想请人帮忙修一下轮椅"
# Typed as Markdown, with what stretches a phone's page: a table wider than 360 px and a link with no place to break.
WISH_TEXT = (
    "老伴的轮椅**刹车松了**，推出门不安全，想请会修的志愿者这周帮忙看看。\n\n"
    "| 哪天 | 几点 | 在哪里等 | 型号 |\n|---|---|---|---|\n"
    "| 星期六或星期日 | 上午九点到十一点 | 3栋2单元楼下自行车棚旁边 | KY-809LJ-46 折叠款 |\n\n"
    "说明书：https://example.cn/manuals/wheelchair/ky-809lj-46/brake-adjustment-and-replacement-guide.pdf"
)
WISH_WORDS = "老伴的轮椅刹车松了"  # how the page reads the first words once the Markdown is formatted
DONE_NOTE = "周六上午上门把刹车拧紧了，还给轮子打了气。"
THANKS = "修得很好，谢谢小周！"
PLEDGE = "三个月内修好全部单元门禁"
PROGRESS = "1至4栋的门禁已经换好新读卡器，5至8栋下周施工。"


@pytest.fixture(scope="module")
def board_seed(live_app, seed):
    """A compound with a resident and a volunteer who can log in, community staff, and the property company with its
    manager (a member of it in the portal) and one pledge in progress."""
    from portal.accounts.models import Person
    from portal.accounts.services import activate
    from portal.boards import services as boards
    from portal.boards.models import Category
    from portal.boards.rules import today_in_shanghai
    from portal.compounds import services as compounds
    from portal.extensions import db
    from portal.roles import services as roles
    from portal.roles.models import Role

    place = seed.compound_with_owners([RESIDENT, VOLUNTEER], staff=True)
    with live_app.app_context():
        compound = compounds.get_compound(place.slug)
        for person in place.people:
            activate(person.code, PASSWORD, None)
        resident, volunteer = (db.session.get(Person, p.id) for p in place.people)
        roles.grant(volunteer, compound, Role.volunteer)
        staff = db.session.get(Person, place.staff.id)
        manager, company = property_company(compound, staff, "物业王经理")
        pledge = boards.pledge(
            compound, manager, organisation=company, title=PLEDGE, target="8个单元门禁全部更换为新读卡器并能刷卡开门。",
            category=Category.safety, due_on=today_in_shanghai() + timedelta(days=90),
        )  # fmt: skip
        place.manager = SimpleNamespace(id=manager.id, name=manager.name, account_no=manager.account_no)
        place.company = company.name
        place.pledge_path = f"/c/{place.slug}/board/{pledge.id}"
        db.session.commit()
    place.resident, place.volunteer = place.people
    return place


def _badge(page):
    return page.locator("hgroup .badge")


def _timeline(page, t):
    return page.get_by_role("region", name=t("Timeline"))


def _png() -> dict:
    from portal.boards.demo import tiny_png

    return {"name": "photo.png", "mimeType": "image/png", "buffer": tiny_png((200, 120, 40), 16)}


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_a_micro_wish_from_posting_to_the_residents_rating(lang, live_server, open_tab, board_seed, texts, tmp_path):
    """点单 → 受理 → 接单 → 办结 → 确认评价, each by its own person on their own phone; the resident's phone has no
    JavaScript in the Chinese run (every step is a plain form there)."""
    t = partial(texts, lang)
    place = board_seed
    slug = place.slug
    prefix = f"wish-{'zh' if lang == 'zh_Hans' else 'en'}"
    title = f"{WISH_TITLE}（{prefix}）"

    # 1. The resident finds the way from the compound home and posts a public micro-wish with a photo.
    resident_tab = open_tab(f"{prefix}-resident", javascript=lang != "zh_Hans")
    page = resident_tab.page
    _login(resident_tab, live_server, place.resident, t, lang)
    page.goto(f"{live_server}/c/{slug}/")
    board = page.get_by_role("region", name=t("Service board"))
    board.get_by_role("link", name=t("Ask for help or post a micro-wish")).click()
    expect(page).to_have_url(f"{live_server}/c/{slug}/needs/new")
    resident_tab.check("new")
    form = page.locator("main form")
    _submit(form, t("Send"))  # empty: shown again with the errors by the fields, nothing stored
    expect(form.locator(".field-error").first).to_be_visible()
    resident_tab.check("new-refused", status=400)
    form.get_by_label(t("A micro-wish (微心愿): something small a volunteer can help with")).check()
    _field(form, t("Category")).select_option(label=t("Services for older people"))
    _field(form, t("In a few words")).fill(title)
    _field(form, t("What exactly do you need? When and where?")).fill(WISH_TEXT)
    _field(form, t("Photos (JPEG or PNG, optional)")).set_input_files([_png()])
    form.get_by_label(t("It may be shown publicly on the compound's list of requests")).check()
    _submit(form, t("Send"))
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/c/{slug}/needs/\d+$"))
    wish_url = page.url
    _flash(page, t("Sent. The community will look at it soon; you will be told at each step."))
    expect(_badge(page)).to_have_text(t("Waiting for review"))
    expect(page.locator("main")).to_contain_text(place.resident.name)  # the requester sees their own name
    expect(page.get_by_role("img", name=t("Photo %(n)d", n=1))).to_have_count(1)
    resident_tab.check("posted")

    # 2. Community staff see it waiting on the list and accept it, leaving it open for volunteers (受理).
    staff_tab = open_tab(f"{prefix}-staff")
    staff_page = staff_tab.page
    _login(staff_tab, live_server, place.staff, t, lang)
    staff_page.goto(f"{live_server}/c/{slug}/needs/?view=all&status=submitted")
    staff_page.get_by_role("link", name=title, exact=True).click()
    expect(staff_page).to_have_url(wish_url)
    asked = staff_page.get_by_role("region", name=t("What is asked"))
    expect(asked).to_contain_text(re.compile(rf"{place.resident.name} \(.*{RESIDENT[1]}\)"))  # staff see who and where
    expect(asked.get_by_role("img", name=t("Photo %(n)d", n=1))).to_have_count(1)
    staff_tab.check("review")
    accept = staff_page.get_by_role("region", name=t("Accept it (受理)"))
    _field(accept, t("Who takes it on")).select_option(label=t("Nobody yet: leave it open for volunteers to claim"))
    _submit(accept, t("Accept"))
    _flash(staff_page, t("Accepted. It is now open for volunteers to claim."))
    expect(_badge(staff_page)).to_have_text(t("Waiting for a taker"))
    staff_tab.check("accepted")

    # 3. A visitor reads it on the public list: never the resident's name, room or photo.
    visitor_tab = open_tab(f"{prefix}-visitor")
    visitor = visitor_tab.page
    visitor.goto(f"{live_server}/c/{slug}/needs/")
    if lang == "en":
        visitor.locator(".site-header").get_by_role("button", name="English").click()
    card = visitor.locator("ul.cards > li").filter(has_text=title)
    expect(card).to_contain_text(t("A resident"))
    card.get_by_role("link", name=title, exact=True).click()
    expect(visitor).to_have_url(wish_url)
    main = visitor.locator("main")
    expect(main).to_contain_text(WISH_WORDS)
    expect(main.locator("strong", has_text="刹车松了")).to_have_count(1)  # shown as Markdown, not as typed
    expect(main.get_by_role("cell", name="3栋2单元楼下自行车棚旁边")).to_have_count(1)
    for secret in (place.resident.name, RESIDENT[1]):
        expect(main).not_to_contain_text(secret)
    expect(visitor.get_by_role("img", name=t("Photo %(n)d", n=1))).to_have_count(0)
    visitor_tab.check("public")

    # 4. The volunteer finds it under "To claim", takes it on (接单), helps, and marks it done (办结).
    volunteer_tab = open_tab(f"{prefix}-volunteer")
    helper = volunteer_tab.page
    _login(volunteer_tab, live_server, place.volunteer, t, lang)
    helper.goto(f"{live_server}/c/{slug}/needs/")
    helper.get_by_role("navigation", name=t("Lists of requests")).get_by_role("button", name=t("To claim")).click()
    expect(helper).to_have_url(re.compile(r"view=claim"))
    volunteer_tab.check("to-claim")
    helper.get_by_role("link", name=title, exact=True).click()
    take = helper.get_by_role("region", name=t("Take it on"))
    _field(take, t("A note for the resident (optional)")).fill("我周六上午来。")
    _submit(take, t("I will do it"))
    _flash(helper, t("It is yours. Mark it done here when you have helped."))
    expect(_badge(helper)).to_have_text(t("Being dealt with"))
    expect(helper.locator("main")).to_contain_text(t("Taken on by %(taker)s", taker=place.volunteer.name))
    volunteer_tab.check("claimed")
    done = helper.get_by_role("region", name=t("Mark it done"))
    _field(done, t("What did you do?")).fill(DONE_NOTE)
    _submit(done, t("Mark done"))
    _flash(helper, t("Marked done. The resident will be asked to confirm it."))
    expect(_badge(helper)).to_have_text(t("Done, waiting for the resident"))
    volunteer_tab.check("done")

    # 5. The resident follows the notification, confirms it and gives five stars (确认评价).
    page.goto(f"{live_server}/inbox/")
    expect(page.locator(".site-header .badge")).to_be_visible()  # unread notifications
    resident_tab.check("inbox")
    event = t("Your request is done: please confirm and rate it")
    page.get_by_role("button", name=f"{event}: {title}", exact=True).click()
    expect(page).to_have_url(wish_url)
    expect(page.locator("main")).to_contain_text(DONE_NOTE)
    answer = page.get_by_role("region", name=t("Is it done?"))
    _submit(answer, t("Confirm and rate"))  # no stars chosen: refused, nothing changes
    expect(answer.locator(".field-error")).to_have_text(t("Choose from 1 to 5 stars."))
    expect(_badge(page)).to_have_text(t("Done, waiting for the resident"))
    resident_tab.check("rate-refused", status=400)
    answer = page.get_by_role("region", name=t("Is it done?"))
    answer.get_by_label(t("%(n)d of 5 stars", n=5)).check()
    _field(answer, t("A word of thanks or a comment (optional)")).fill(THANKS)
    _submit(answer, t("Confirm and rate"))
    _flash(page, t("Thank you. Your request is closed."))
    expect(_badge(page)).to_have_text(t("Closed"))
    expect(page.locator("main")).to_contain_text(THANKS)
    steps = _timeline(page, t).locator("li strong")
    expect(steps).to_have_text(
        [
            t("Posted"),
            t("Accepted by the community"),
            t("Claimed by %(taker)s", taker=place.volunteer.name),
            t("Marked done"),
            t("Confirmed and rated by the resident"),
        ]
    )
    resident_tab.check("closed")

    # 6. The visitor sees the closed wish with its rating, still without the resident's name.
    visitor.reload()
    expect(visitor.locator("hgroup .badge")).to_have_text(t("Closed"))
    expect(visitor.get_by_role("img", name=t("%(n)d of 5 stars", n=5)).first).to_be_visible()
    expect(visitor.locator("main")).not_to_contain_text(place.resident.name)
    visitor_tab.check("public-closed")


def test_the_property_manager_posts_progress_and_a_resident_rates_the_pledge(live_server, open_tab, board_seed, texts):
    """亮承诺 → 晒进度 → 评价: the manager reports with a photo on the property company's pledge; a resident rates."""
    t = partial(texts, "zh_Hans")
    place = board_seed
    slug = place.slug

    manager_tab = open_tab("pledge-manager")
    page = manager_tab.page
    _login(manager_tab, live_server, place.manager, t, "zh_Hans")
    page.goto(f"{live_server}/c/{slug}/board/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Service board"))
    manager_tab.check("board")
    page.get_by_role("link", name=PLEDGE, exact=True).click()
    expect(page).to_have_url(f"{live_server}{place.pledge_path}")
    expect(page.locator("main")).to_contain_text(place.company)
    manager_tab.check("pledge")
    form = page.locator("form").filter(has=page.get_by_role("heading", name=t("Post progress")))
    _submit(form, t("Post progress"))  # nothing written: refused by the field
    expect(page.locator("main .field-error").first).to_be_visible()
    manager_tab.check("progress-refused", status=400)
    form = page.locator("form").filter(has=page.get_by_role("heading", name=t("Post progress")))
    _field(form, t("What has been done")).fill(PROGRESS)
    _field(form, t("Photos (JPEG or PNG, at most 6)")).set_input_files([_png()])
    _submit(form, t("Post progress"))
    _flash(page, t("Progress posted."))
    progress = page.get_by_role("region", name=t("Progress"))
    entry = progress.locator("ol.board-timeline > li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(PROGRESS)
    expect(entry).to_contain_text(place.manager.name)
    photo = entry.get_by_role("img", name=t("Photo %(n)d of this update", n=1))
    expect(photo).to_have_count(1)
    # served back as the real picture (decode() waits for it: a loaded machine may still be fetching it)
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 16
    manager_tab.check("progress-posted")

    # A resident (not logged in first: the page asks them to log in) rates the pledge; the board shows it.
    resident_tab = open_tab("pledge-resident")
    resident = resident_tab.page
    resident.goto(f"{live_server}{place.pledge_path}")
    expect(resident.get_by_role("region", name=t("Progress"))).to_contain_text(PROGRESS)
    resident.get_by_role("link", name=t("Log in to rate this pledge.")).click()
    _field(resident, t("Account number or phone")).fill(place.resident.account_no)
    _field(resident, t("Password")).fill(PASSWORD)
    _submit(resident.locator("main"), t("Log in"))
    expect(resident).to_have_url(f"{live_server}{place.pledge_path}")
    ratings = resident.get_by_role("region", name=t("Residents' ratings"))
    ratings.locator("input[name=stars][value='4']").check()
    _field(ratings, t("Comment (optional)")).fill("换得挺快，希望按时完成。")
    _submit(ratings, t("Save my rating"))
    _flash(resident, t("Thank you: your rating is saved."))
    ratings = resident.get_by_role("region", name=t("Residents' ratings"))
    expect(ratings.locator(".board-ratings > li")).to_have_count(1)
    expect(ratings).to_contain_text("换得挺快")
    resident_tab.check("rated")
