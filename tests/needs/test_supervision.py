"""督办: a request untouched for more than PORTAL_SUPERVISION_DAYS is flagged on the staff pages; pressing it
notifies the taker and the requester and restarts the clock. `now` is injected; the rule runs in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.config import load
from portal.db import utcnow
from portal.extensions import db
from portal.inbox.models import Notification
from portal.needs import services
from portal.needs.models import Need, NeedStatus

BASE = "/c/lvyuan/needs"


def _age(need, days, hours=0):
    """Pretend the last step was `days` ago."""
    row = db.session.get(Need, need.id)
    row.last_step_at = utcnow() - timedelta(days=days, hours=hours)
    db.session.commit()
    return row


def test_the_default_is_three_days_and_the_environment_changes_it(tmp_path):
    assert load(str(tmp_path), environ={})["PORTAL_SUPERVISION_DAYS"] == 3
    assert load(str(tmp_path), environ={"PORTAL_SUPERVISION_DAYS": "5"})["PORTAL_SUPERVISION_DAYS"] == 5


@pytest.mark.parametrize("stage", ["submitted", "open", "taken", "done"])
def test_flagged_after_the_configured_days_with_now_injected(town, need_at, stage):
    need = need_at(stage)
    start = db.session.get(Need, need.id).last_step_at
    for days, flagged in ((0, False), (2, False), (3, False), (3.01, True), (10, True)):
        now = start + timedelta(days=days)
        assert ([n.id for n in services.supervision(town.compound, now=now)[0]] == [need.id]) is flagged, days
        assert services.is_flagged(db.session.get(Need, need.id), now=now) is flagged


@pytest.mark.parametrize("stage", ["closed", "declined"])
def test_finished_requests_are_never_flagged(town, need_at, stage):
    need = need_at(stage)
    assert services.supervision(town.compound, now=utcnow() + timedelta(days=100)) == ([], 0)
    assert not services.is_flagged(db.session.get(Need, need.id), now=utcnow() + timedelta(days=100))


def test_the_configured_number_of_days_is_used(app, town, need_at):
    need = _age(need_at("taken"), 2)
    assert services.supervision(town.compound)[1] == 0
    app.config["PORTAL_SUPERVISION_DAYS"] = 1
    try:
        assert services.supervision(town.compound)[0] == [db.session.get(Need, need.id)]
    finally:
        app.config["PORTAL_SUPERVISION_DAYS"] = 3


def test_staff_page_and_staff_list_show_the_flag(client, town, relogin, need_at):
    stale = _age(need_at("taken", title="三天没人管"), 4)
    fresh = need_at("taken", title="刚派的单")
    relogin(town.staff)
    page = client.get("/staff/c/lvyuan/").get_data(as_text=True)
    assert "三天没人管" in page and "刚派的单" not in page
    listing = client.get(BASE + "/?view=all&flagged=1").get_data(as_text=True)
    assert f"{BASE}/{stale.id}" in listing and f"{BASE}/{fresh.id}" not in listing
    assert "督办" in client.get(f"{BASE}/{stale.id}").get_data(as_text=True)


def test_pressing_notifies_the_taker_and_requester_and_restarts_the_clock(client, town, relogin, need_at):
    need = _age(need_at("taken"), 5)
    relogin(town.staff)
    assert client.post(f"{BASE}/{need.id}/supervise", data={"note": "请今天内处理"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.taken and not services.is_flagged(need)
    assert need.events[-1].step == "supervised" and need.events[-1].note == "请今天内处理"
    told = dict(
        db.session.execute(
            db.select(Notification.person_id, Notification.event).where(
                Notification.event.in_(["need.supervised", "need.followed_up"])
            )
        ).all()
    )
    assert told[town.volunteer.id] == "need.supervised" and told[town.requester.id] == "need.followed_up"


def test_only_staff_press(client, town, relogin, need_at):
    need = _age(need_at("taken"), 5)
    for person in (town.volunteer, town.requester):
        relogin(person)
        assert client.post(f"{BASE}/{need.id}/supervise", data={}).status_code == 403
    relogin(town.staff)
    for stage in ("closed", "declined", "submitted", "open"):  # finished, or waiting for staff's own move
        assert client.post(f"{BASE}/{need_at(stage).id}/supervise", data={}).status_code == 403
