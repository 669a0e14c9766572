"""Quick votes: the committee rule (more than half of ALL members), no proxies, who may answer, the answered rule."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.meetings.models import MeetingEvent, Motion, MotionAnswer, MotionRule
from portal.meetings.motions import passes


def _url(meeting, tail=""):
    return f"/c/lvyuan/meetings/{meeting.id}/{tail}"


@pytest.fixture
def vote(client, login):
    """Helpers that act through the real routes, each logged in as the person acting."""

    def as_(person):
        client.post("/logout")
        login(person)

    def open_(meeting, chair, text="同意更换电梯"):
        as_(chair)
        response = client.post(_url(meeting, f"items/{meeting.items[0].id}/motions"), data={"text": text})
        assert response.status_code == 303
        return db.session.scalar(db.select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id.desc()))

    def answer(meeting, motion, person, value, **extra):
        as_(person)
        return client.post(_url(meeting, f"motions/{motion.id}/answer"), data={"answer": value, **extra})

    def close(meeting, motion, chair):
        as_(chair)
        response = client.post(_url(meeting, f"motions/{motion.id}/close"))
        assert response.status_code == 303
        db.session.expire_all()
        return db.session.get(Motion, motion.id)

    return type("Vote", (), {"as_": staticmethod(as_), "open": staticmethod(open_), "answer": staticmethod(answer),
                             "close": staticmethod(close)})  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "yes", "no", "abstain", "total", "expected"),
    [
        (MotionRule.all_members, 4, 0, 0, 7, True),
        (MotionRule.all_members, 3, 1, 0, 7, False),  # 3 of 4 present is a majority of those present, not of all
        (MotionRule.all_members, 3, 0, 0, 6, False),  # exactly half is not more than half
        (MotionRule.answered, 2, 1, 0, None, True),
        (MotionRule.answered, 1, 1, 1, None, False),  # abstaining counts as answering
        (MotionRule.answered, 0, 0, 0, None, False),
    ],
)
def test_rule(rule, yes, no, abstain, total, expected):
    assert passes(rule, yes, no, abstain, total) is expected


def test_committee_four_yes_of_seven_passes(hall, make_meeting, vote):
    meeting = make_meeting(signed_in=hall.committee)
    motion = vote.open(meeting, hall.chair)
    assert motion.rule == MotionRule.all_members and motion.members_total == 7
    for person in hall.committee[:4]:
        assert vote.answer(meeting, motion, person, "yes").status_code == 303
    vote.answer(meeting, motion, hall.members[3], "no")
    motion = vote.close(meeting, motion, hall.chair)
    assert (motion.yes, motion.no, motion.abstain, motion.passed) == (4, 1, 0, True)
    actions = list(db.session.scalars(db.select(MeetingEvent.action).where(MeetingEvent.meeting_id == meeting.id)))
    assert "motion_opened" in actions and "motion_closed" in actions


def test_committee_three_yes_of_four_present_fails(hall, make_meeting, vote):
    present = [hall.chair, hall.secretary, hall.members[0], hall.members[1]]
    meeting = make_meeting(signed_in=present)
    motion = vote.open(meeting, hall.chair)
    for person in present[:3]:
        assert vote.answer(meeting, motion, person, "yes").status_code == 303
    assert vote.answer(meeting, motion, present[3], "no").status_code == 303
    motion = vote.close(meeting, motion, hall.chair)
    assert (motion.yes, motion.no, motion.passed) == (3, 1, False)


@pytest.mark.parametrize("field", ["for", "proxy", "on_behalf"])
def test_proxies_are_refused_and_nothing_is_recorded(hall, make_meeting, vote, field):
    meeting = make_meeting(signed_in=hall.committee)
    motion = vote.open(meeting, hall.chair)
    response = vote.answer(meeting, motion, hall.members[0], "yes", **{field: str(hall.members[1].id)})
    assert response.status_code == 400
    assert "proxies" in response.get_data(as_text=True) or "代" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(MotionAnswer)) == 0


def test_non_committee_attendee_cannot_answer_in_a_committee_meeting(hall, make_meeting, vote):
    meeting = make_meeting(groups=["committee", "property_manager"], signed_in=[*hall.committee, hall.manager])
    motion = vote.open(meeting, hall.chair)
    assert vote.answer(meeting, motion, hall.manager, "yes").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(MotionAnswer)) == 0


def test_member_who_did_not_sign_in_cannot_answer(hall, make_meeting, vote):
    meeting = make_meeting(signed_in=[hall.chair])
    motion = vote.open(meeting, hall.chair)
    assert vote.answer(meeting, motion, hall.members[0], "yes").status_code == 403


def test_answer_can_change_until_closed_then_not(hall, make_meeting, vote):
    meeting = make_meeting(signed_in=hall.committee)
    motion = vote.open(meeting, hall.chair)
    vote.answer(meeting, motion, hall.members[0], "yes")
    vote.answer(meeting, motion, hall.members[0], "no")
    rows = list(db.session.scalars(db.select(MotionAnswer).where(MotionAnswer.motion_id == motion.id)))
    assert [r.answer for r in rows] == ["no"]
    vote.close(meeting, motion, hall.chair)
    assert vote.answer(meeting, motion, hall.members[0], "yes").status_code == 409
    assert db.session.scalar(db.select(MotionAnswer.answer).where(MotionAnswer.motion_id == motion.id)) == "no"


def test_only_the_chair_opens_and_closes(client, hall, make_meeting, vote):
    meeting = make_meeting(signed_in=hall.committee)
    vote.as_(hall.members[0])
    response = client.post(_url(meeting, f"items/{meeting.items[0].id}/motions"), data={"text": "x"})
    assert response.status_code == 403
    motion = vote.open(meeting, hall.chair)
    vote.as_(hall.secretary)
    assert client.post(_url(meeting, f"motions/{motion.id}/close")).status_code == 403
    assert db.session.get(Motion, motion.id).closed_at is None


@pytest.mark.parametrize(("text", "message"), [("  ", "请填写表决事项。"), ("议" * 1001, "内容太长：最多 1000 个字。")])
def test_motion_needs_text_of_at_most_1000_characters(client, hall, make_meeting, vote, text, message):
    meeting = make_meeting(signed_in=hall.committee)
    vote.as_(hall.chair)
    item = meeting.items[0]
    for headers in ({}, {"HX-Request": "true"}):  # the same page with its error at the field, htmx or not
        refused = client.post(_url(meeting, f"items/{item.id}/motions"), data={"text": text}, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert f'<small id="motion-text-{item.id}-error" class="field-error"' in page and message in page
        assert page.count('aria-invalid="true"') == 1 and f">{text}</textarea>" in page  # kept as typed
    assert db.session.scalar(db.select(db.func.count()).select_from(Motion)) == 0


@pytest.mark.parametrize("value", ["maybe", ""])
def test_an_answer_other_than_yes_no_or_abstain_is_refused_at_the_vote(client, hall, make_meeting, vote, value):
    meeting = make_meeting(signed_in=hall.committee)
    motion = vote.open(meeting, hall.chair)
    for headers in ({}, {"HX-Request": "true"}):
        vote.as_(hall.members[0])
        refused = client.post(_url(meeting, f"motions/{motion.id}/answer"), data={"answer": value}, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and page.count('class="field-error"') == 1
        assert (
            f'<small id="answer-{motion.id}-error" class="field-error"' in page and "请选择同意、反对或弃权。" in page
        )
        assert f'aria-describedby="answer-{motion.id}-error"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(MotionAnswer)) == 0


def test_council_meeting_uses_the_answered_rule(hall, make_meeting, vote):
    meeting = make_meeting(kind="council", groups=["committee"], signed_in=hall.committee)
    first = vote.open(meeting, hall.chair, "议题一")
    assert first.rule == MotionRule.answered and first.members_total is None
    for person, value in zip(hall.members[:3], ["yes", "yes", "no"], strict=True):
        assert vote.answer(meeting, first, person, value).status_code == 303
    assert vote.close(meeting, first, hall.chair).passed is True
    second = vote.open(meeting, hall.chair, "议题二")
    for person, value in zip(hall.members[:3], ["yes", "no", "abstain"], strict=True):
        assert vote.answer(meeting, second, person, value).status_code == 303
    second = vote.close(meeting, second, hall.chair)
    assert (second.yes, second.no, second.abstain, second.passed) == (1, 1, 1, False)


def test_page_shows_open_vote_with_buttons_and_closed_vote_with_counts(client, hall, make_meeting, vote):
    meeting = make_meeting(signed_in=hall.committee)
    motion = vote.open(meeting, hall.chair, "同意更换电梯")
    vote.as_(hall.members[0])
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert "同意更换电梯" in page and f"motions/{motion.id}/answer" in page and 'value="abstain"' in page
    vote.answer(meeting, motion, hall.members[0], "yes")
    vote.close(meeting, motion, hall.chair)
    vote.as_(hall.members[0])
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert f"motions/{motion.id}/answer" not in page and "同意更换电梯" in page
