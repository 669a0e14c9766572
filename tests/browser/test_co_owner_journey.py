"""共有人指定投票人 in a browser, at 360 px, in Chinese and English, at 100 % and 200 % text: co-owner A sees on the
vote page that B votes for their unit (and why A has no ballot), proposes themselves; B confirms in the portal; the next
vote that opens gives A the ballot. The vote already open keeps B's right: the page says so.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.steps import flash, login, submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
NO_BALLOT = "The owners of one unit name one of them to vote for it, so you have no ballot for it in this vote."
CHANGED = (
    "%(name)s now votes for this unit: the change applies to votes that open after it. In this vote the unit's vote "
    "stays with the owner who held it when the vote opened."
)


def _open_vote(compound, staff, title: str):
    """A named resolution, announced and opened now (its electorate frozen now)."""
    from portal.db import utcnow
    from portal.voting import lifecycle, services
    from portal.voting.models import Secrecy, VoteKind, VoteStatus

    now = utcnow()
    settings = services.Settings(
        kind=VoteKind.resolution, title=title, description="", secrecy=Secrecy.named,
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=7), objection_days=7,
    )  # fmt: skip
    vote = services.create_vote(compound, settings, staff)
    services.add_item(vote, "续聘物业服务企业", "", "property_manager", staff)
    lifecycle.transition(vote, VoteStatus.announced, staff, reason="测试")
    lifecycle.transition(vote, VoteStatus.open, staff)
    return vote


@pytest.fixture
def household(live_app, seed):
    """A compound whose unit 1栋1单元1201 two owners share (B votes for it), both able to log in, and an open vote;
    `next_vote()` opens another one."""
    from portal.accounts.models import Person
    from portal.accounts.services import activate, issue_code
    from portal.compounds import services as compounds
    from portal.extensions import db
    from portal.register import importer
    from portal.register import services as register

    n = next(_numbers)
    place = seed.compound_with_owners([(f"邻居{n}", "1202")], staff=True)
    with live_app.app_context():
        compound = compounds.get_compound(place.slug)
        rows = [",".join(importer.COLUMNS), f"1栋,1单元,1202,88.50,registered,邻居{n},K{n}-n,,0,"]
        rows += [
            f"1栋,1单元,1201,96.20,registered,欧阳{n},J{n}-a,,0,0",
            f"1栋,1单元,1201,96.20,registered,司马{n},J{n}-b,,0,1",
        ]
        parsed = importer.parse(("\n".join(rows) + "\n").encode())
        assert not parsed.errors, parsed.errors
        register.apply(compound, parsed, actor=None)
        owners = []
        for key in (f"J{n}-a", f"J{n}-b"):
            person = db.session.scalar(db.select(Person).filter_by(key_compound_id=compound.id, owner_key=key))
            activate(issue_code(person, compound, actor=None).code, PASSWORD, None)
            owners.append(SimpleNamespace(id=person.id, name=person.name, account_no=person.account_no))
        staff = db.session.get(Person, place.staff.id)
        vote = _open_vote(compound, staff, "关于更换电梯的表决")
        db.session.commit()
        first = f"/c/{place.slug}/votes/{vote.id}/"

    def next_vote() -> str:
        with live_app.app_context():
            later = _open_vote(
                compounds.get_compound(place.slug), db.session.get(Person, place.staff.id), "关于绿化的表决"
            )
            db.session.commit()
            return f"/c/{place.slug}/votes/{later.id}/"

    return SimpleNamespace(a=owners[0], b=owners[1], vote_path=first, next_vote=next_vote)


@pytest.mark.parametrize("percent", [100, 200])
@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_a_co_owner_names_themselves_and_gets_the_next_ballot(lang, percent, live_server, open_tab, household, texts):
    t = lambda msgid, **kw: texts(lang, msgid, **kw)  # noqa: E731
    a, b = household.a, household.b
    tab = open_tab(f"coowner-{lang}-{percent}", text=percent)
    page = tab.page
    login(tab, live_server, a, t, lang)

    # The vote page says who votes for the unit and why A has no ballot.
    page.goto(live_server + household.vote_path)
    section = page.locator("section.unit-voters")
    expect(section).to_contain_text(t("%(name)s votes for this unit.", name=b.name))
    expect(section).to_contain_text(t(NO_BALLOT))
    expect(page.get_by_role("button", name=t("Vote now"))).to_have_count(0)
    tab.check("vote-without-ballot")
    section.get_by_role("link", name=t("Who votes for this unit: change it")).click()

    # A proposes themselves.
    expect(page.locator("h1")).to_have_text(t("Who votes for this unit"))
    tab.check("unit")
    page.locator("main form").filter(has=page.get_by_role("radio")).get_by_label(a.name).check()
    submit(page, t("Propose"))
    flash(page, t("Proposal sent. The other owners of the unit are asked to confirm it."))
    tab.check("proposed")

    # B confirms in the portal (another phone).
    other = open_tab(f"coowner-{lang}-{percent}-b", text=percent)
    login(other, live_server, b, t, lang)
    other.page.goto(f"{live_server}/account")
    expect(other.page.locator("main")).to_contain_text(t("waiting for your confirmation"))
    other.check("account")
    other.page.get_by_role("link", name=t("Who votes for this unit: change it")).click()
    expect(other.page.locator(".proposal")).to_contain_text(b.name)
    submit(other.page, t("Confirm"))
    flash(other.page, t("Confirmed. The new voter votes in votes that open from now on."))
    expect(other.page.locator("main")).to_contain_text(t("%(name)s votes for this unit.", name=a.name))
    other.check("confirmed")

    # The vote already open keeps B's right; the next vote gives A the ballot.
    page.goto(live_server + household.vote_path)
    expect(page.locator("section.unit-voters")).to_contain_text(t(CHANGED, name=a.name))
    next_path = household.next_vote()
    page.goto(live_server + next_path)
    page.get_by_role("button", name=t("Vote now")).click()
    expect(page).to_have_url(f"{live_server}{next_path}ballot")
    tab.check("ballot")
