"""Minutes: the draft, sign-off, publication (by sign-offs or by the chair with a reason), immutability, addenda,
the decisions notice and the printable view."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.compounds.models import Notice
from portal.extensions import db
from portal.inbox.models import Notification
from portal.meetings import minutes as minutes_service
from portal.meetings import motions
from portal.meetings.models import Addendum, Attendance, MeetingEvent, Minutes, SignOff
from portal.refusals import Refused

BODY = "## 讨论\n\n决定更换 1 号楼电梯。"
HTMX = {"HX-Request": "true"}


def _url(meeting, tail=""):
    return f"/c/lvyuan/meetings/{meeting.id}/{tail}"


def _minutes(meeting) -> Minutes:
    db.session.expire_all()
    return db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == meeting.id))


@pytest.fixture
def as_(client, login):
    """Log in as someone else."""

    def _as(person):
        client.post("/logout")
        login(person)

    return _as


@pytest.fixture
def decided(app, hall, make_meeting):
    """A committee meeting with four members present and one closed motion (3 yes, 1 no: fails under the rule)."""
    present = [hall.chair, hall.secretary, hall.members[0], hall.members[1]]
    meeting = make_meeting(signed_in=present)
    with app.test_request_context():
        motion = motions.open_motion(meeting, meeting.items[0], hall.chair, "同意更换电梯")
        for person, value in zip(present, ["yes", "yes", "yes", "no"], strict=True):
            motions.answer(motion, meeting, person, value)
        motions.close(motion, meeting, hall.chair)
        db.session.commit()
    return meeting


@pytest.fixture
def signing(client, hall, decided, as_):
    """The decided meeting's minutes, saved and sent for sign-off by the secretary through the routes."""
    as_(hall.secretary)
    assert client.post(_url(decided, "minutes"), data={"body": BODY}).status_code == 303
    assert client.post(_url(decided, "minutes/submit")).status_code == 303
    assert _minutes(decided).status == "signing"
    return decided


def test_draft_has_attendance_agenda_and_motion_results(app, hall, decided):
    with app.test_request_context(), force_locale("en"):
        text = minutes_service.draft_text(decided)
    for person in (hall.chair, hall.secretary, hall.members[0], hall.members[1]):
        assert person.name in text
    assert "物业费调整" in text and "电梯维修" in text
    assert "同意更换电梯" in text and "Agree 3, Disagree 1, Abstain 0: Not passed" in text
    assert "more than half of all 7 committee members" in text
    assert "Committee members present: 4 of 7." in text
    assert f"/c/lvyuan/meetings/{decided.id}/#item-{decided.items[0].id}" in text


def test_the_chinese_draft_uses_full_width_punctuation(app, hall, decided):
    """Chinese minutes read as Chinese: "类型：委员会会议", "主任（… 签到）", no half-width ": " or "(" in the text
    the portal writes (links keep their "https://")."""
    with app.test_request_context(), force_locale("zh_Hans"):
        text = minutes_service.draft_text(decided)
    assert ": " not in text and " (" not in text, text
    assert "- 类型：" in text and "- 召集人：主任" in text and "- 表决：同意更换电梯" in text
    assert f"- {hall.secretary.name}（" in text
    assert "出席委员：4 / 7 人。未达到法定人数。" in text or "出席委员：4 / 7 人。已达到法定人数。" in text
    with app.test_request_context(), force_locale("en"):
        english = minutes_service.draft_text(decided)
    assert "- Kind: " in english and "- Quick vote: 同意更换电梯" in english
    assert f"- {hall.secretary.name} (signed in " in english and "Committee members present: 4 of 7. " in english


def test_secretary_edit_page_starts_from_the_draft(client, hall, decided, as_):
    as_(hall.secretary)
    page = client.get(_url(decided, "minutes/edit")).get_data(as_text=True)
    assert "同意更换电梯" in page and hall.members[1].name in page
    as_(hall.owner)
    assert client.get(_url(decided, "minutes/edit")).status_code == 403
    assert client.post(_url(decided, "minutes"), data={"body": "x"}).status_code == 403
    assert _minutes(decided) is None


@pytest.mark.parametrize("tail", ["minutes", "minutes/submit"])
@pytest.mark.parametrize(
    ("body", "message"), [("   ", "请先撰写纪要。"), ("纪" * 50001, "内容太长：最多 50000 个字。")]
)
def test_empty_or_too_long_minutes_are_shown_again_at_the_field(client, hall, decided, as_, tail, body, message):
    as_(hall.secretary)
    for headers in ({}, HTMX):  # the editor again, with the error at the text and the text as typed
        refused = client.post(_url(decided, tail), data={"body": body}, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert '<small id="minutes-body-error" class="field-error">' in page and message in page
        assert 'aria-invalid="true"' in page and 'aria-describedby="minutes-body-hint minutes-body-error"' in page
        assert f"{body}</textarea>" in page
    assert _minutes(decided) is None


def test_a_sign_off_needs_a_decision_and_an_objection_needs_a_comment(client, hall, signing, as_):
    as_(hall.members[0])
    for headers in ({}, HTMX):  # the meeting page again, the error at the field, the comment as typed
        data = {"decision": "maybe", "comment": "再看看"}
        refused = client.post(_url(signing, "minutes/sign-off"), data=data, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert '<small id="signoff-decision-error" class="field-error">' in page and "请选择确认或提出异议。" in page
        assert "再看看</textarea>" in page
        refused = client.post(
            _url(signing, "minutes/sign-off"), data={"decision": "object", "comment": " "}, headers=headers
        )
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert '<small id="signoff-comment-error" class="field-error">' in page
        assert "请说明异议内容：必须填写意见。" in page and 'aria-invalid="true"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(SignOff)) == 0


@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", "尚有出席人员未确认。请填写现在公布的理由。"), ("因" * 1001, "内容太长：最多 1000 个字。")],
)
def test_the_chairs_reason_for_publishing_early_is_asked_for_at_its_field(client, hall, signing, as_, reason, message):
    as_(hall.chair)
    for headers in ({}, HTMX):
        refused = client.post(_url(signing, "minutes/publish"), data={"reason": reason}, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert '<small id="publish-reason-error" class="field-error">' in page and message in page
        assert f'value="{reason}"' in page
    assert _minutes(signing).status == "signing"


@pytest.mark.parametrize(
    ("body", "message"), [(" ", "请先写下内容再发表。"), ("补" * 5001, "内容太长：最多 5000 个字。")]
)
def test_an_empty_or_too_long_addendum_is_refused_at_its_field(client, hall, signing, as_, body, message):
    as_(hall.chair)
    assert client.post(_url(signing, "minutes/publish"), data={"reason": "急需公示"}).status_code == 303
    as_(hall.secretary)
    for headers in ({}, HTMX):
        refused = client.post(_url(signing, "minutes/addenda"), data={"body": body}, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert '<small id="addendum-body-error" class="field-error">' in page and message in page
        assert f"{body}</textarea>" in page and '<details class="manage" open>' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Addendum)) == 0


def test_submit_notifies_attendees(hall, signing):
    notified = set(db.session.scalars(db.select(Notification.person_id).where(Notification.event == "minutes.signoff")))
    assert notified == {hall.chair.id, hall.members[0].id, hall.members[1].id}


def test_sign_off_flow_then_publish_by_the_secretary(client, hall, signing, as_):
    meeting = signing
    as_(hall.secretary)
    assert client.post(_url(meeting, "minutes/publish")).status_code == 403  # not every attendee has confirmed
    assert _minutes(meeting).status == "signing"

    as_(hall.members[0])
    client.post(_url(meeting, "minutes/sign-off"), data={"decision": "object", "comment": ""})
    assert db.session.scalar(db.select(db.func.count()).select_from(SignOff)) == 0  # an objection needs a comment
    client.post(_url(meeting, "minutes/sign-off"), data={"decision": "object", "comment": "漏记了我的意见"})
    row = db.session.scalar(db.select(SignOff).where(SignOff.person_id == hall.members[0].id))
    assert row.confirmed is False and row.comment == "漏记了我的意见" and row.at is not None
    client.post(_url(meeting, "minutes/sign-off"), data={"decision": "confirm"})  # the latest word counts

    for person in (hall.chair, hall.secretary):
        as_(person)
        client.post(_url(meeting, "minutes/sign-off"), data={"decision": "confirm"})
    as_(hall.secretary)
    assert client.post(_url(meeting, "minutes/publish")).status_code == 403  # members[1] has not confirmed yet

    as_(hall.owner)  # not an attendee
    assert client.post(_url(meeting, "minutes/sign-off"), data={"decision": "confirm"}).status_code in (403, 404)
    as_(hall.members[1])
    client.post(_url(meeting, "minutes/sign-off"), data={"decision": "confirm"})
    assert db.session.scalar(db.select(db.func.count()).where(SignOff.confirmed.is_(True))) == 4

    as_(hall.secretary)
    assert client.post(_url(meeting, "minutes/publish")).status_code == 303
    published = _minutes(meeting)
    assert published.status == "published" and published.published_by_id == hall.secretary.id
    assert published.publish_reason is None and published.published_at is not None
    actions = list(db.session.scalars(db.select(MeetingEvent.action).where(MeetingEvent.meeting_id == meeting.id)))
    for action in ("minutes_saved", "minutes_submitted", "minutes_objected", "minutes_confirmed", "minutes_published"):
        assert action in actions


def test_changing_the_text_while_signing_voids_earlier_confirmations(client, hall, signing, as_):
    meeting = signing
    for person in (hall.chair, hall.secretary, hall.members[0], hall.members[1]):
        as_(person)
        client.post(_url(meeting, "minutes/sign-off"), data={"decision": "confirm"})
    as_(hall.secretary)
    client.post(_url(meeting, "minutes"), data={"body": BODY + "\n\n补充一句。"})
    assert not minutes_service.all_confirmed(meeting, _minutes(meeting))
    assert client.post(_url(meeting, "minutes/publish")).status_code == 403


def test_chair_publishes_without_every_sign_off_only_with_a_reason(client, hall, signing, as_):
    meeting = signing
    as_(hall.secretary)  # not the chair: refused even with a reason
    assert client.post(_url(meeting, "minutes/publish"), data={"reason": "赶时间"}).status_code == 403
    as_(hall.chair)
    client.post(_url(meeting, "minutes/publish"), data={"reason": "  "})
    assert _minutes(meeting).status == "signing"
    assert client.post(_url(meeting, "minutes/publish"), data={"reason": "两位委员出差，无法签字"}).status_code == 303
    published = _minutes(meeting)
    assert published.status == "published" and published.publish_reason == "两位委员出差，无法签字"
    assert published.published_by_id == hall.chair.id
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert "两位委员出差，无法签字" in page


def test_publishing_posts_the_decisions_and_notifies_invitees(client, hall, signing, as_):
    as_(hall.chair)
    client.post(_url(signing, "minutes/publish"), data={"reason": "急需公示"})
    notice = db.session.scalar(db.select(Notice).where(Notice.compound_id == hall.compound.id))
    assert notice is not None and signing.title in notice.title
    assert "同意更换电梯" in notice.body and "3" in notice.body and "未通过" in notice.body
    notified = set(
        db.session.scalars(db.select(Notification.person_id).where(Notification.event == "minutes.published"))
    )
    assert notified == {p.id for p in hall.committee} - {hall.chair.id}
    assert "电梯" in _minutes(signing).search_text  # archive.index ran


def test_published_minutes_never_change_through_any_route(client, hall, signing, as_):
    meeting = signing
    as_(hall.chair)
    client.post(_url(meeting, "minutes/publish"), data={"reason": "急需公示"})
    before = _minutes(meeting)
    frozen = (before.body, before.body_html, before.status, before.published_at, before.publish_reason)

    attempts = [
        (hall.secretary, "minutes", {"body": "篡改后的纪要"}),
        (hall.secretary, "minutes/submit", {"body": "篡改后的纪要"}),
        (hall.secretary, "minutes/submit", {}),
        (hall.chair, "minutes", {"body": "篡改后的纪要"}),
        (hall.members[0], "minutes/sign-off", {"decision": "object", "comment": "改"}),
        (hall.members[0], "minutes/sign-off", {"decision": "confirm"}),
        (hall.chair, "minutes/publish", {"reason": "再发一次"}),
        (hall.secretary, "minutes/publish", {}),
    ]
    for person, tail, data in attempts:
        as_(person)
        response = client.post(_url(meeting, tail), data=data)
        assert response.status_code in (403, 409), (tail, response.status_code)
    as_(hall.secretary)
    assert client.get(_url(meeting, "minutes/edit")).status_code in (403, 409)

    after = _minutes(meeting)
    assert (after.body, after.body_html, after.status, after.published_at, after.publish_reason) == frozen
    assert db.session.scalar(db.select(db.func.count()).select_from(SignOff)) == 0

    with pytest.raises(Refused):
        minutes_service.save(meeting, hall.secretary, "篡改")
    assert _minutes(meeting).body == BODY


def test_addendum_is_added_and_shown_under_the_minutes(client, hall, signing, as_):
    meeting = signing
    as_(hall.chair)
    client.post(_url(meeting, "minutes/publish"), data={"reason": "急需公示"})
    as_(hall.members[0])
    assert client.post(_url(meeting, "minutes/addenda"), data={"body": "不该能加"}).status_code == 403
    as_(hall.secretary)
    response = client.post(_url(meeting, "minutes/addenda"), data={"body": "更正：电梯为 **2 号楼**。"})
    assert response.status_code == 303
    addendum = db.session.scalar(db.select(Addendum))
    assert addendum.author_id == hall.secretary.id and "<strong>2 号楼</strong>" in addendum.body_html
    assert _minutes(meeting).body == BODY and "2 号楼" in _minutes(meeting).search_text
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert page.index("决定更换 1 号楼电梯") < page.index("更正：电梯为")
    printed = client.get(_url(meeting, "minutes/print")).get_data(as_text=True)
    assert "更正：电梯为" in printed


def test_addendum_needs_published_minutes(client, hall, signing, as_):
    as_(hall.secretary)
    assert client.post(_url(signing, "minutes/addenda"), data={"body": "太早"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Addendum)) == 0


def test_print_view_has_attendance_body_decisions_and_sign_offs(client, hall, signing, as_):
    as_(hall.members[0])
    client.post(_url(signing, "minutes/sign-off"), data={"decision": "confirm"})
    response = client.get(_url(signing, "minutes/print"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (signing.title, hall.members[1].name, "决定更换 1 号楼电梯", "同意更换电梯", "minutes-sheet"):
        assert text in page
    signatures = page[page.index('class="signature-lines"') :]  # the paper copy is signed by hand and sealed
    assert "主持人（签字）：" in signatures and "记录人（签字）：" in signatures and "业主委员会（盖章）" in signatures
    assert f"{hall.members[0].name}：" in page  # full-width colons in Chinese
    as_(hall.owner)  # unpublished minutes are for the attendees and those who run the meeting
    assert client.get(_url(signing, "minutes/print")).status_code == 404


def test_open_votes_block_sending_for_sign_off(app, client, hall, make_meeting, as_):
    meeting = make_meeting(signed_in=[hall.chair, hall.secretary])
    with app.test_request_context():
        motions.open_motion(meeting, meeting.items[0], hall.chair, "未结束的表决")
        db.session.commit()
    as_(hall.secretary)
    client.post(_url(meeting, "minutes/submit"), data={"body": BODY})
    assert _minutes(meeting).status == "draft"


def test_minutes_text_is_shown_to_readers_only_once_published(app, client, hall, make_meeting, as_):
    meeting = make_meeting(visibility="public", signed_in=[hall.chair, hall.secretary])
    with app.test_request_context():
        minutes_service.save(meeting, hall.secretary, BODY)
        db.session.commit()
    assert "决定更换 1 号楼电梯" not in client.get(_url(meeting)).get_data(as_text=True)  # a visitor
    assert client.get(_url(meeting, "minutes/print")).status_code == 404
    as_(hall.chair)
    client.post(_url(meeting, "minutes/publish"), data={"reason": "测试"})
    client.post("/logout")
    assert "决定更换 1 号楼电梯" in client.get(_url(meeting)).get_data(as_text=True)
    assert client.get(_url(meeting, "minutes/print")).status_code == 200
    notice = db.session.scalar(db.select(Notice))
    assert notice.is_public is True  # a public meeting's decisions are a public notice


# --- the record is frozen at publication (issue 12) ----------------------------------------------------------------


def _publish_by_the_chair(client, meeting, as_, hall):
    as_(hall.chair)
    assert client.post(_url(meeting, "minutes/publish"), data={"reason": "急需公示"}).status_code == 303


def test_after_publication_nobody_signs_in_and_no_quick_vote_opens_or_is_answered(
    app, client, hall, signing, as_, make_meeting
):
    meeting = signing
    with app.test_request_context():  # a quick vote left open cannot exist (publishing refuses), so open one first
        late = motions.open_motion(meeting, meeting.items[1], hall.chair, "迟到的表决")
        motions.close(late, meeting, hall.chair)
        db.session.commit()
    _publish_by_the_chair(client, meeting, as_, hall)
    as_(hall.members[2])  # invited, inside the window, not signed in
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert "sign-in" not in page
    assert client.post(_url(meeting, "sign-in")).status_code in (403, 409)
    as_(hall.chair)
    response = client.post(_url(meeting, f"items/{meeting.items[1].id}/motions"), data={"text": "再表决一次"})
    assert response.status_code in (403, 409)
    with app.test_request_context():
        with pytest.raises(Refused) as refused:
            motions.open_motion(meeting, meeting.items[1], hall.chair, "再表决一次")
        assert refused.value.code == "record_closed"
        with pytest.raises(Refused) as refused:
            motions.answer(late, meeting, hall.chair, "yes")
        assert refused.value.code == "record_closed"
    assert db.session.scalar(db.select(db.func.count()).where(Attendance.meeting_id == meeting.id)) == 4
    assert len(motions.of_meeting(meeting)) == 2


def test_published_attendance_and_quorum_stay_as_published_when_the_committee_changes(
    app, client, hall, signing, as_, make
):
    meeting = signing
    _publish_by_the_chair(client, meeting, as_, hall)
    with app.test_request_context(), force_locale("zh_Hans"):
        from flask_babel import gettext

        four_of_seven = gettext("Committee members signed in: %(here)d of %(all)d.", here=4, all=7)
        met = gettext("Quorum met (more than half of the members).")
    as_(hall.owner)
    printed = client.get(_url(meeting, "minutes/print")).get_data(as_text=True)
    assert four_of_seven in printed and met in printed
    for number in range(3):  # the committee grows to ten after the meeting: 4 of 10 would be no quorum
        make.member(make.person(f"新委员{number}"), hall.compound, "committee", "member")
    db.session.commit()
    assert client.get(_url(meeting, "minutes/print")).get_data(as_text=True) == printed
    shown = client.get(_url(meeting)).get_data(as_text=True)
    assert four_of_seven in shown and met in shown
