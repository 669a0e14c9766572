"""The request flow end to end through the pages: post, accept, claim or dispatch, done, confirm and rate; decline;
reopen; the timeline; notifications at each step."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.inbox.models import Notification
from portal.needs.models import Need, NeedEvent, NeedStatus
from tests.needs.conftest import photo

BASE = "/c/lvyuan/needs"


def _need() -> Need:
    return db.session.scalar(db.select(Need).order_by(Need.id.desc()))


def _steps(need) -> list[str]:
    return [
        e.step.value
        for e in db.session.scalars(db.select(NeedEvent).where(NeedEvent.need_id == need.id).order_by(NeedEvent.id))
    ]


def _told(person, event) -> int:
    return db.session.scalar(
        db.select(db.func.count()).where(Notification.person_id == person.id, Notification.event == event)
    )


def test_micro_wish_claimed_by_a_volunteer_done_and_rated(client, town, relogin):
    relogin(town.requester)
    response = client.post(
        BASE + "/new",
        data={"kind": "wish", "category": "elderly", "title": "帮忙买药", "description": "想请人帮忙去药店买降压药。",
              "is_public": "y", "photos": photo()},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    need = _need()
    assert need.status == NeedStatus.submitted and need.is_public and len(need.photos) == 1
    assert _told(town.staff, "need.submitted") == 1

    relogin(town.staff)
    assert client.post(f"{BASE}/{need.id}/accept", data={"taker": ""}).status_code == 303
    assert db.session.get(Need, need.id).status == NeedStatus.open
    assert _told(town.requester, "need.accepted") == 1

    relogin(town.volunteer)
    assert f"{BASE}/{need.id}" in client.get(BASE + "/?view=claim").get_data(as_text=True)
    assert client.post(f"{BASE}/{need.id}/claim", data={"as": "self", "note": "我下午去"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.taken and need.taker_person_id == town.volunteer.id
    assert _told(town.requester, "need.claimed") == 1

    response = client.post(f"{BASE}/{need.id}/done", data={"note": "已送药上门", "photos": photo("药.png")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.done and need.done_note == "已送药上门" and len(need.photos) == 2
    assert _told(town.requester, "need.done") == 1

    relogin(town.requester)
    assert client.post(f"{BASE}/{need.id}/confirm", data={"stars": "5", "comment": "谢谢小张"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.closed and need.stars == 5 and need.closed_at is not None
    assert _told(town.volunteer, "need.confirmed") == 1
    assert _steps(need) == ["submitted", "accepted", "claimed", "done", "confirmed"]

    page = client.get(f"{BASE}/{need.id}").get_data(as_text=True)
    for text in ("志愿者张", "我下午去", "已送药上门", "谢谢小张", "★★★★★"):
        assert text in page


def test_staff_decline_needs_a_reason_and_the_requester_is_told(client, town, relogin, need_at):
    need = need_at("submitted")
    relogin(town.staff)
    response = client.post(f"{BASE}/{need.id}/decline", data={"reason": "  "})
    assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)
    assert db.session.get(Need, need.id).status == NeedStatus.submitted
    assert client.post(f"{BASE}/{need.id}/decline", data={"reason": "请联系物业报修"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.declined and need.declined_reason == "请联系物业报修"
    assert _told(town.requester, "need.declined") == 1
    relogin(town.requester)
    assert "请联系物业报修" in client.get(f"{BASE}/{need.id}").get_data(as_text=True)


def test_staff_accept_and_dispatch_to_an_organisation_at_once(client, town, relogin, need_at):
    need = need_at("submitted", public=False)
    relogin(town.staff)
    assert (
        client.post(f"{BASE}/{need.id}/accept", data={"taker": f"org-{town.org.id}", "note": "请物业处理"}).status_code
        == 303
    )
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.taken and need.taker_org_id == town.org.id
    assert _steps(need) == ["submitted", "accepted", "dispatched"]
    assert _told(town.requester, "need.dispatched") == 1
    assert _told(town.manager, "need.assigned") == 1  # every member of the organisation
    relogin(town.manager)  # a member of the taking organisation sees it and marks it done
    assert client.get(f"{BASE}/{need.id}").status_code == 200
    assert client.post(f"{BASE}/{need.id}/done", data={"note": "已修好"}).status_code == 303
    assert db.session.get(Need, need.id).status == NeedStatus.done


def test_dispatch_to_someone_who_cannot_take_requests_is_refused(client, town, relogin, need_at):
    need = need_at("open")
    relogin(town.staff)
    response = client.post(f"{BASE}/{need.id}/dispatch", data={"taker": f"person-{town.neighbour.id}"})
    assert response.status_code == 400
    assert db.session.get(Need, need.id).status == NeedStatus.open


def test_reopen_needs_a_reason_and_goes_back_to_the_same_taker(client, town, relogin, need_at):
    need = need_at("done")
    relogin(town.requester)
    assert client.post(f"{BASE}/{need.id}/reopen", data={"reason": ""}).status_code == 400
    assert client.post(f"{BASE}/{need.id}/reopen", data={"reason": "药买错了"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.taken and need.taker_person_id == town.volunteer.id and need.done_note is None
    assert _told(town.volunteer, "need.reopened") == 1
    relogin(town.volunteer)
    assert client.post(f"{BASE}/{need.id}/done", data={"note": "已换成对的药"}).status_code == 303
    relogin(town.requester)
    assert client.post(f"{BASE}/{need.id}/confirm", data={"stars": "4"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.status == NeedStatus.closed and need.stars == 4
    assert _steps(need) == ["submitted", "accepted", "dispatched", "done", "reopened", "done", "confirmed"]
    assert "药买错了" in client.get(f"{BASE}/{need.id}").get_data(as_text=True)


def test_only_the_requester_confirms_or_reopens(client, town, relogin, need_at):
    need = need_at("done")
    for person in (town.volunteer, town.staff, town.neighbour):
        relogin(person)
        assert client.post(f"{BASE}/{need.id}/confirm", data={"stars": "5"}).status_code == 403
        assert client.post(f"{BASE}/{need.id}/reopen", data={"reason": "不行"}).status_code == 403
    assert db.session.get(Need, need.id).status == NeedStatus.done


def test_only_the_taker_marks_it_done(client, town, relogin, need_at):
    need = need_at("taken")
    for person in (town.volunteer2, town.requester, town.staff):
        relogin(person)
        assert client.post(f"{BASE}/{need.id}/done", data={"note": "好了"}).status_code == 403


def test_an_organisation_member_claims_for_the_organisation(client, town, relogin, need_at):
    need = need_at("open")
    relogin(town.manager)
    page = client.get(f"{BASE}/{need.id}").get_data(as_text=True)
    assert "绿园物业" in page and 'value="self"' in page
    assert client.post(f"{BASE}/{need.id}/claim", data={"as": f"org-{town.org.id}"}).status_code == 303
    need = db.session.get(Need, need.id)
    assert need.taker_org_id == town.org.id and need.taker_person_id is None
    assert _steps(need)[-1] == "claimed"


def test_a_second_claim_finds_it_taken(client, town, relogin, need_at):
    need = need_at("open")
    relogin(town.volunteer)
    assert client.post(f"{BASE}/{need.id}/claim", data={"as": "self"}).status_code == 303
    relogin(town.volunteer2)
    assert client.post(f"{BASE}/{need.id}/claim", data={"as": "self"}).status_code == 403  # no longer open
    assert db.session.get(Need, need.id).taker_person_id == town.volunteer.id


def test_the_requester_cannot_claim_their_own(client, town, relogin, make, need_at):
    make.member(town.requester, town.compound, "volunteer")
    need = need_at("open")
    relogin(town.requester)
    assert client.post(f"{BASE}/{need.id}/claim", data={"as": "self"}).status_code == 403


def test_a_refused_photo_writes_nothing(client, town, relogin):
    relogin(town.requester)
    response = client.post(
        BASE + "/new",
        data={"kind": "request", "category": "repair", "title": "楼道灯坏了", "description": "2单元楼道灯不亮",
              "photos": photo("灯.png", b"<html><script>alert(1)</script></html>")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="photos-error"' in page and "楼道灯坏了" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Need)) == 0


def test_a_resident_without_a_title_sees_the_error_beside_the_field(client, town, relogin):
    relogin(town.neighbour)
    response = client.post(BASE + "/new", data={"kind": "wish", "category": "other", "title": "", "description": "x"})
    assert response.status_code == 400 and 'id="title-error"' in response.get_data(as_text=True)


def test_staff_cannot_post_a_request_but_residents_can_open_the_form(client, town, relogin):
    relogin(town.staff)
    assert client.get(BASE + "/new").status_code == 403
    relogin(town.neighbour)
    assert client.get(BASE + "/new").status_code == 200


def test_the_filters_swap_only_the_list_for_htmx(client, town, need_at):
    need_at("open", title="帮忙买菜", kind="wish")
    need_at("open", title="楼道灯坏了", kind="request")
    response = client.get(BASE + "/?kind=request", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and "HX-Request" in response.headers["Vary"]
    assert "楼道灯坏了" in page and "帮忙买菜" not in page
    assert "<html" in client.get(BASE + "/?kind=request").get_data(as_text=True)


# A refused step comes back at its field, as typed, the same with and without htmx

HTMX = [{}, {"HX-Request": "true"}]


@pytest.mark.parametrize("headers", HTMX)
def test_a_refused_acceptance_or_decline_is_shown_at_its_field_as_typed(client, town, relogin, need_at, headers):
    need = need_at("submitted")
    relogin(town.staff)
    response = client.post(f"{BASE}/{need.id}/decline", data={"reason": "  "}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and '<small id="decline-reason-error" class="field-error">' in page
    assert 'aria-describedby="decline-reason-error"' in page
    long_note = "请物业今天处理。" * 700  # 5,600 characters
    data = {"taker": f"org-{town.org.id}", "note": long_note}
    page = client.post(f"{BASE}/{need.id}/accept", data=data, headers=headers).get_data(as_text=True)
    assert 'id="accept-note-error"' in page and f'value="{long_note}"' in page
    assert f'value="org-{town.org.id}" selected' in page  # the choice kept too
    response = client.post(f"{BASE}/{need.id}/accept", data={"taker": "org-99999", "note": "请处理"}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="accept-taker-error"' in page and 'value="请处理"' in page
    assert 'aria-describedby="accept-taker-error"' in page
    assert db.session.get(Need, need.id).status == NeedStatus.submitted


@pytest.mark.parametrize("headers", HTMX)
def test_refused_claim_done_and_confirm_keep_what_was_typed(client, town, relogin, need_at, headers):
    need = need_at("open")
    relogin(town.volunteer)
    response = client.post(f"{BASE}/{need.id}/claim", data={"as": "org-99999", "note": "我下午去"}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="claim-as-error"' in page and 'value="我下午去"' in page
    assert db.session.get(Need, need.id).status == NeedStatus.open
    need = need_at("taken")
    response = client.post(f"{BASE}/{need.id}/done", data={"note": ""}, headers=headers)
    assert response.status_code == 400 and 'id="done-note-error"' in response.get_data(as_text=True)
    need = need_at("done")
    relogin(town.requester)
    response = client.post(f"{BASE}/{need.id}/confirm", data={"comment": "谢谢小张"}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="confirm-stars-error"' in page and "\n谢谢小张</textarea>" in page
    assert db.session.get(Need, need.id).status == NeedStatus.done


def test_no_category_is_chosen_for_the_resident(client, town, relogin):
    """The form starts with no category (none is a default); leaving it unchosen is refused at the field."""
    relogin(town.neighbour)
    form = client.get(BASE + "/new").get_data(as_text=True)
    select = re.search(r'<select id="category"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert select.startswith('<option value="">请选择类别</option>') and "selected" not in select
    data = {"kind": "wish", "category": "", "title": "帮忙买药", "description": "想请人帮忙去药店买降压药。"}
    response = client.post(BASE + "/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="category-error"' in page and "请选择类别。" in page
    assert "帮忙买药" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Need)) == 0
