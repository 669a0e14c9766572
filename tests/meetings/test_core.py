"""Creating, posting, signing in, quorum, visibility, the .ics file, notifications."""

from __future__ import annotations

from datetime import timedelta

from portal.db import utcnow
from portal.extensions import db
from portal.inbox.models import Notification
from portal.meetings.models import Attendance, Meeting, MeetingEvent


def _url(meeting, tail=""):
    return f"/c/lvyuan/meetings/{meeting.id}/{tail}"


def _local(moment):
    from portal.i18n import to_local

    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def test_secretary_calls_a_committee_meeting_as_a_draft(client, hall, login):
    login(hall.secretary)
    start = utcnow() + timedelta(days=10)
    response = client.post(
        "/c/lvyuan/meetings/new",
        data={
            "kind": "committee",
            "title": "十一月业委会会议",
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(days=2)),
            "groups": ["committee", "property_manager"],
            "visibility": "members",
            "secretary": str(hall.secretary.id),
            "agenda": "物业费调整\n\n电梯维修\n",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.status == "draft" and [i.title for i in meeting.items] == ["物业费调整", "电梯维修"]
    assert meeting.convenor_id == hall.secretary.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "十一月业委会会议" in page and "电梯维修" in page


def test_window_must_end_after_it_starts(client, hall, login):
    login(hall.chair)
    start = utcnow() + timedelta(days=10)
    response = client.post(
        "/c/lvyuan/meetings/new",
        data={"kind": "council", "title": "议事会", "starts_at": _local(start), "ends_at": _local(start),
              "visibility": "members", "agenda": "一"},
    )  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_owner_cannot_call_a_meeting(client, hall, login):
    login(hall.owner)
    assert client.get("/c/lvyuan/meetings/new").status_code == 403


def test_committee_agenda_needs_seven_days_or_a_reason(client, hall, login, make_meeting):
    meeting = make_meeting(status="draft", starts_in=timedelta(days=3))
    login(hall.chair)
    refused = client.post(_url(meeting, "post"), data={}, headers={"Accept-Language": "en"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="urgent_reason-error" class="field-error"' in page
    assert "Give the reason why it is urgent." in page or "说明紧急的原因" in page
    assert db.session.get(Meeting, meeting.id).status == "draft"
    client.post(_url(meeting, "post"), data={"urgent_reason": "电梯停运，需尽快决定"})
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == "posted" and meeting.urgent_reason == "电梯停运，需尽快决定"
    invited = set(db.session.scalars(db.select(Notification.person_id)))
    assert invited == {p.id for p in hall.committee} - {hall.chair.id}


def test_posting_a_week_ahead_needs_no_reason_and_notifies(client, hall, login, make_meeting):
    meeting = make_meeting(status="draft", starts_in=timedelta(days=8), groups=["committee", "property_manager"])
    login(hall.chair)
    client.post(_url(meeting, "post"), data={})
    assert db.session.get(Meeting, meeting.id).status == "posted"
    assert hall.manager.id in set(db.session.scalars(db.select(Notification.person_id)))
    client.post("/logout")
    login(hall.manager)
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "测试会议" in inbox


def test_sign_in_and_committee_quorum(client, hall, login, make_meeting):
    meeting = make_meeting(signed_in=hall.committee[:3])
    login(hall.members[2])
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert "3" in page and "7" in page
    client.post(_url(meeting, "sign-in"))
    client.post(_url(meeting, "sign-in"))  # twice changes nothing
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 4
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert "Quorum met" in page or "已达法定人数" in page
    assert db.session.scalar(db.select(db.func.count()).where(MeetingEvent.action == "signed_in")) == 1


def test_sign_in_only_inside_the_window_and_only_invitees(client, hall, login, make_meeting):
    later = make_meeting(starts_in=timedelta(days=1))
    login(hall.members[0])
    client.post(_url(later, "sign-in"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0
    now = make_meeting()
    client.post("/logout")
    login(hall.owner)  # a member of the compound, not invited to a committee meeting
    assert client.post(_url(now, "sign-in")).status_code == 403


def test_visibility_of_the_record(client, hall, login, make_meeting):
    public = make_meeting(visibility="public", kind="council", groups=["owner"])
    members = make_meeting(visibility="members")
    invitees = make_meeting(visibility="invitees")
    draft = make_meeting(status="draft")
    assert client.get(_url(public)).status_code == 200  # visitors read public records
    assert client.get(_url(members)).status_code in (302, 401)
    login(hall.owner)
    assert client.get(_url(members)).status_code == 200
    assert client.get(_url(invitees)).status_code == 404
    assert client.get(_url(draft)).status_code == 404
    client.post("/logout")
    login(hall.stranger)
    assert client.get(_url(members)).status_code == 404
    assert client.get(_url(public)).status_code == 200
    client.post("/logout")
    login(hall.members[0])
    assert client.get(_url(invitees)).status_code == 200


def test_ics_file(client, hall, login, make_meeting):
    meeting = make_meeting()
    login(hall.members[0])
    response = client.get(_url(meeting, "meeting.ics"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in text and "SUMMARY:测试会议（committee）" in text and "DTSTART" in text


def test_an_ended_meeting_cannot_be_cancelled(client, hall, login, make_meeting):
    ended = make_meeting(starts_in=timedelta(days=-3), lasts=timedelta(days=1))
    login(hall.chair)
    assert "cancel-reason" not in client.get(_url(ended)).get_data(as_text=True)
    client.post(_url(ended, "cancel"), data={"cancel-reason": "改期"})
    assert db.session.get(Meeting, ended.id).status == "posted"
    running = make_meeting()
    assert "cancel-reason" in client.get(_url(running)).get_data(as_text=True)
    client.post(_url(running, "cancel"), data={"cancel-reason": "改期"})
    assert db.session.get(Meeting, running.id).status == "cancelled"


def test_a_meeting_whose_minutes_are_published_cannot_be_cancelled(client, hall, login, make_meeting):
    from portal.meetings.models import Minutes, MinutesStatus

    meeting = make_meeting(signed_in=[hall.chair])
    db.session.add(Minutes(meeting_id=meeting.id, body="纪要", status=MinutesStatus.published, published_at=utcnow()))
    db.session.commit()
    login(hall.chair)
    assert "cancel-reason" not in client.get(_url(meeting)).get_data(as_text=True)
    response = client.post(_url(meeting, "cancel"), data={"cancel-reason": "改期"})
    assert response.status_code == 409 and "纪要已公示，会议不能再取消。" in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).status == "posted"
