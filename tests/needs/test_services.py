"""The rules that hold whoever calls the services: stars 1–5, reasons, who may be a taker, one taker at a time, the
audit trail, and the numbers other parts read (counts)."""

from __future__ import annotations

import json

import pytest

from portal.audit import AuditEvent
from portal.boards.models import Organisation, OrgKind
from portal.extensions import db
from portal.needs import services
from portal.needs.models import Need, NeedStatus
from portal.refusals import Refused

BASE = "/c/lvyuan/needs"


@pytest.fixture
def ctx(app):
    """A request context: notifications carry links built with url_for."""
    with app.test_request_context():
        yield


@pytest.mark.parametrize("stars", [0, 6, -1, 3.5, "5", None, True])
def test_a_rating_outside_1_to_5_is_refused(town, need_at, ctx, stars):
    need = need_at("done")
    with pytest.raises(Refused) as refused:
        services.confirm(need, town.requester, stars)
    assert refused.value.code == "stars"
    assert db.session.get(Need, need.id).status == NeedStatus.done


@pytest.mark.parametrize("stars", ["0", "6", "abc", ""])
def test_the_page_refuses_a_rating_outside_1_to_5(client, town, relogin, need_at, stars):
    need = need_at("done")
    relogin(town.requester)
    response = client.post(f"{BASE}/{need.id}/confirm", data={"stars": stars})
    assert response.status_code == 400 and 'id="confirm-stars-error"' in response.get_data(as_text=True)
    assert db.session.get(Need, need.id).status == NeedStatus.done


def test_the_database_refuses_stars_outside_1_to_5(town, need_at):
    from sqlalchemy.exc import IntegrityError

    need = need_at("done")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(db.update(Need).where(Need.id == need.id).values(stars=6))


def test_rating_again_is_not_possible_once_closed(town, need_at, ctx):
    need = need_at("closed")
    with pytest.raises(Refused) as refused:
        services.confirm(need, town.requester, 1)
    assert refused.value.code == "changed" and db.session.get(Need, need.id).stars == 5


def test_only_the_requester_confirms(town, need_at, ctx):
    need = need_at("done")
    with pytest.raises(Refused):
        services.confirm(need, town.volunteer, 5)


def test_take_records_claimed_for_oneself_and_dispatched_for_someone_else(town, need_at, ctx):
    mine = need_at("open")
    event = services.take(mine, town.volunteer, person=town.volunteer, note="我来")
    assert event.step == "claimed" and event.taker_person_id == town.volunteer.id and event.note == "我来"
    theirs = need_at("open")
    event = services.take(theirs, town.staff, org=town.org)
    assert event.step == "dispatched" and event.taker_org_id == town.org.id
    assert theirs.status == NeedStatus.taken and theirs.taker_org == town.org


def test_take_from_submitted_by_staff_and_redispatch(town, need_at, ctx):
    need = need_at("submitted")
    services.take(need, town.staff, person=town.volunteer)
    assert need.status == NeedStatus.taken
    services.take(need, town.staff, person=town.volunteer2)  # the first taker did not act
    assert db.session.get(Need, need.id).taker_person_id == town.volunteer2.id


def test_a_volunteer_claims_only_open_requests_and_not_for_others(town, need_at, ctx):
    with pytest.raises(Refused) as refused:
        services.take(need_at("submitted"), town.volunteer, person=town.volunteer)
    assert refused.value.code == "changed"
    with pytest.raises(Refused) as refused:
        services.take(need_at("open"), town.volunteer, person=town.volunteer2)
    assert refused.value.code == "not_allowed"


def test_who_may_be_a_taker(town, need_at, ctx, make):
    with pytest.raises(Refused) as refused:
        services.take(need_at("open"), town.staff, person=town.neighbour)  # not a volunteer
    assert refused.value.code == "not_taker"
    with pytest.raises(Refused) as refused:
        services.take(need_at("open"), town.staff, person=town.requester)
    assert refused.value.code == "own"
    elsewhere = Organisation(
        community_id=town.community.id, compound_id=town.other.id, kind=OrgKind.committee, name="桂花苑业委会"
    )
    db.session.add(elsewhere)
    db.session.flush()
    with pytest.raises(Refused) as refused:
        services.take(need_at("open"), town.staff, org=elsewhere)
    assert refused.value.code == "not_serving"


def test_a_stale_object_cannot_take_a_request_twice(town, need_at, ctx):
    """Two volunteers press "claim" at once: the conditional update lets only the first through."""
    need = need_at("open")
    stale = db.session.get(Need, need.id)
    db.session.execute(
        db.update(Need).where(Need.id == need.id).values(status=NeedStatus.taken, taker_person_id=town.volunteer.id)
    )
    db.session.expire_all()
    stale.__dict__["status"] = NeedStatus.open  # what the second request read before the first committed
    with pytest.raises(Refused) as refused:
        services.take(stale, town.volunteer2, person=town.volunteer2)
    assert refused.value.code == "changed"
    assert db.session.get(Need, need.id).taker_person_id == town.volunteer.id


def test_reasons_and_notes_are_required(town, need_at, ctx):
    with pytest.raises(Refused) as refused:
        services.decline(need_at("submitted"), town.staff, " ")
    assert refused.value.code == "reason"
    with pytest.raises(Refused) as refused:
        services.mark_done(need_at("taken"), town.volunteer, "")
    assert refused.value.code == "note"
    with pytest.raises(Refused) as refused:
        services.reopen(need_at("done"), town.requester, "")
    assert refused.value.code == "reason"


def test_every_step_is_audited(town, need_at):
    need = need_at("closed")
    rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.like("need.%")).order_by(AuditEvent.id))
    actions = [(r.action, json.loads(r.detail)["need_id"]) for r in rows]
    assert [a for a, n in actions if n == need.id] == [
        "need.submitted", "need.accepted", "need.dispatched", "need.done", "need.confirmed", "need.rated"
    ]  # fmt: skip


def test_counts_count_requests_by_status(town, need_at):
    assert services.counts(town.compound)["open"] == 0
    need_at("open")
    need_at("open", public=False)
    need_at("submitted")
    need_at("taken")
    assert services.counts(town.other)["open"] == 0
    counts = services.counts(town.compound)
    assert counts["open"] == 2 and counts["submitted"] == 1 and counts["taken"] == 1 and counts["flagged"] == 0
