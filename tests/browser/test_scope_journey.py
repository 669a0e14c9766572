"""A vote of one building (issue 15) on a 360 px phone: staff limit a draft to 1栋 with the boxes of the vote form
(with JavaScript and without), the vote opens, and an owner of 2栋 reads it with the plain sentence and no ballot,
while an owner of 1栋 gets the ballot. Every page goes through `Tab.check`."""

from __future__ import annotations

from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import flash as _flash
from tests.browser.steps import login as _login
from tests.browser.steps import submit as _submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

OWNERS = [("孙丽", "301"), ("钱伟", "302")]


def _owner_in_building_two(live_app, place) -> object:
    """An owner of 2栋 1单元 201 with a password: a member of the compound outside the scope."""
    from types import SimpleNamespace

    from portal.accounts.models import Person
    from portal.accounts.services import new_account_no
    from portal.compounds.models import Building, Entrance, Unit
    from portal.compounds.services import get_compound
    from portal.extensions import db
    from portal.register.models import Ownership
    from portal.roles import services as roles
    from portal.roles.models import Role
    from portal.security import hash_password

    with live_app.app_context():
        compound = get_compound(place.slug)
        building = Building(compound_id=compound.id, name="2栋")
        db.session.add(building)
        db.session.flush()
        entrance = Entrance(building_id=building.id, name="1单元")
        db.session.add(entrance)
        db.session.flush()
        unit = Unit(
            compound_id=compound.id,
            building_id=building.id,
            entrance_id=entrance.id,
            room="201",
            unit_key="2栋|1单元|201",
            area_m2=90,
        )
        person = Person(name="李娜", account_no=new_account_no(), password_hash=hash_password(PASSWORD))
        db.session.add_all([unit, person])
        db.session.flush()
        db.session.add(Ownership(unit_id=unit.id, person_id=person.id, is_designated_voter=True))
        roles.grant(person, compound, Role.owner)
        db.session.commit()
        return SimpleNamespace(id=person.id, account_no=person.account_no, building=building.id)


def _open(live_app, place) -> None:
    """Staff announce the draft (short notice, with a reason) and it opens: its opening time has passed."""
    from portal.accounts.models import Person
    from portal.extensions import db
    from portal.voting import lifecycle
    from portal.voting.models import Vote, VoteStatus

    with live_app.app_context():
        vote = db.session.get(Vote, place.vote.id)
        staff = db.session.get(Person, place.staff_members[0].id)
        lifecycle.transition(vote, VoteStatus.announced, staff, reason="电梯故障，需尽快表决")
        lifecycle.transition(vote, VoteStatus.open, staff)
        db.session.commit()


@pytest.mark.parametrize(
    ("lang", "javascript"),
    [pytest.param("zh_Hans", True, id="zh"), pytest.param("en", False, id="en-nojs")],
)
def test_a_vote_of_one_building(lang, javascript, live_server, live_app, open_tab, vote_seed, texts):
    """表决范围: 1栋 chosen in the form → 1栋全体业主; 2栋's owner reads the vote without a ballot."""
    t = partial(texts, lang)
    place = vote_seed.voting_compound(OWNERS, open_now=False)
    outsider = _owner_in_building_two(live_app, place)
    tab = open_tab(f"scope-{lang}-{'js' if javascript else 'nojs'}", javascript=javascript)
    page = tab.page

    _login(tab, live_server, place.staff_members[0], t, lang)
    page.goto(f"{live_server}/c/{place.slug}/votes/{place.vote.id}/edit")
    settings = page.locator("main form").filter(has=page.locator("fieldset.scope-choice"))
    settings.locator("summary").filter(has_text=t("Choose buildings and entrances")).click()
    settings.get_by_label(t("%(building)s, the whole building", building="2栋")).check()
    tab.check("scope-chosen")
    settings.get_by_label(t("%(building)s, the whole building", building="2栋")).uncheck()
    settings.get_by_label(t("%(building)s, the whole building", building="1栋")).check()
    _submit(settings, t("Save"))
    _flash(page, t("Saved."))
    _open(live_app, place)

    page.goto(f"{live_server}{place.vote.path}")
    scope_line = t("All owners of %(places)s", places="1栋")
    expect(page.locator(".scope-line")).to_contain_text(scope_line)
    tab.check("vote-staff")
    page.context.clear_cookies()

    _login(tab, live_server, outsider, t, lang)
    page.goto(f"{live_server}{place.vote.path}")
    outside = t("Only owners of %(places)s take part in this vote; you are not within its scope.", places="1栋")
    expect(page.locator("main")).to_contain_text(outside)
    expect(page.get_by_role("button", name=t("Vote now"))).to_have_count(0)
    tab.check("vote-outside")
    page.context.clear_cookies()

    _login(tab, live_server, place.people[0], t, lang)
    page.goto(f"{live_server}{place.vote.path}")
    expect(page.get_by_role("button", name=t("Vote now"))).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(outside)
    tab.check("vote-inside")
