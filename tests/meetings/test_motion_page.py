"""A quick vote as the meeting page shows it (issue 13): the member sees the answer they chose ("您已选择：同意") and
may change it while the vote is open; the chair's 结束表决 stands apart from the answers, in its own row, styled
unlike them and saying what closing does."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from portal.extensions import db
from portal.meetings.models import Motion


def _url(meeting, tail=""):
    return f"/c/lvyuan/meetings/{meeting.id}/{tail}"


@pytest.fixture
def as_(client, login):
    def _as(person, lang="zh_Hans"):
        client.post("/logout")
        login(person)
        if lang == "en":
            client.set_cookie("lang", "en")
        else:
            client.delete_cookie("lang")

    return _as


@pytest.fixture
def motion(client, hall, make_meeting, as_):
    """An open quick vote on the first item of a committee meeting everyone on the committee signed in to."""
    meeting = make_meeting(signed_in=hall.committee)
    as_(hall.chair)
    assert (
        client.post(_url(meeting, f"items/{meeting.items[0].id}/motions"), data={"text": "同意更换电梯"}).status_code
        == 303
    )
    found = db.session.scalar(db.select(Motion).where(Motion.meeting_id == meeting.id))
    return SimpleNamespace(id=found.id, meeting=meeting)


def _motion_html(client, motion) -> str:
    page = client.get(_url(motion.meeting)).get_data(as_text=True)
    return page.split(f'id="motion-{motion.id}"', 1)[1].split('<div class="motion"', 1)[0]


def _buttons(html: str) -> dict[str, str]:
    """Each answer button's tag by its value."""
    return {
        m.group(1): m.group(0) for m in re.finditer(r'<button type="submit" name="answer" value="(\w+)"[^>]*>', html)
    }


@pytest.mark.parametrize(
    ("lang", "first", "then"),
    [("zh_Hans", "您已选择：同意", "您已选择：反对"), ("en", "You chose: Agree", "You chose: Disagree")],
)
def test_the_member_sees_the_answer_they_chose_and_may_change_it(client, hall, motion, as_, lang, first, then):
    member = hall.members[0]
    as_(member, lang)
    before = _motion_html(client, motion)
    assert "You chose" not in before and "您已选择" not in before
    assert all('aria-pressed="false"' in tag for tag in _buttons(before).values())

    assert client.post(_url(motion.meeting, f"motions/{motion.id}/answer"), data={"answer": "yes"}).status_code == 303
    html = _motion_html(client, motion)
    assert re.sub(r"<[^>]+>", "", html).count(first) == 1
    buttons = _buttons(html)
    assert 'aria-pressed="true"' in buttons["yes"]
    assert 'aria-pressed="false"' in buttons["no"] and 'aria-pressed="false"' in buttons["abstain"]

    assert client.post(_url(motion.meeting, f"motions/{motion.id}/answer"), data={"answer": "no"}).status_code == 303
    html = _motion_html(client, motion)
    assert then in re.sub(r"<[^>]+>", "", html) and first not in re.sub(r"<[^>]+>", "", html)
    assert 'aria-pressed="true"' in _buttons(html)["no"]


def test_the_answer_buttons_look_alike_until_one_is_chosen(client, hall, motion, as_):
    """No answer is the highlighted default: 同意 is not styled as the expected one."""
    as_(hall.members[0])
    classes = {
        value: re.search(r'class="([^"]*)"', tag) for value, tag in _buttons(_motion_html(client, motion)).items()
    }
    assert len({m.group(1) if m else "" for m in classes.values()}) == 1, classes


@pytest.mark.parametrize(("lang", "label"), [("zh_Hans", "结束表决"), ("en", "Close the vote")])
def test_the_chairs_close_button_stands_apart_from_the_answers(client, hall, motion, as_, lang, label):
    as_(hall.chair, lang)
    html = _motion_html(client, motion)
    answer_form = html.split('class="motion-answer"', 1)[1].split("</form>", 1)[0]
    assert label not in answer_form and "/close" not in answer_form
    chair = re.search(r'<div class="motion-chair">(.*?)</div>', html, re.S)
    assert chair, html
    part = chair.group(1)
    assert html.index('class="motion-answer"') < html.index('class="motion-chair"')  # under the answers, on its own
    close = re.search(r"<button[^>]*>([^<]*)</button>", part)
    assert close.group(1).strip() == label and 'class="outline"' in close.group(0)
    hint = re.search(r"<small[^>]*>([^<]*)</small>", part).group(1)
    assert ("不能再" in hint) if lang == "zh_Hans" else ("nobody can answer" in hint)


def test_members_see_no_close_button(client, hall, motion, as_):
    as_(hall.members[0])
    assert "motion-chair" not in _motion_html(client, motion)
