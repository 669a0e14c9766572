"""异议: owners with a voting right object to a preliminary result until the deadline; staff answer each one."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.voting import objections
from portal.voting.models import Objection, VoteStatus
from tests.voting.test_results_pages import FOUR_VOTERS, cast, post, url


@pytest.fixture
def english(client):
    """Read the pages in English (the msgids)."""
    client.set_cookie("lang", "en")


@pytest.fixture
def posted(estate, make_vote):
    """A resolution whose preliminary result was just posted."""
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    return vote


def file(client, vote, text):
    return client.post(url(vote, "objections"), data={"text": text})


def audit_actions(vote):
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("vote.objection%")))
    return [(row.action, row.actor_id) for row in rows if json.loads(row.detail).get("vote_id") == vote.id]


def test_owner_files_and_staff_answer_and_everyone_reads_without_the_name(client, estate, posted, login, english):
    vote, people = posted, estate.people
    login(people.two)  # an owner who did not vote may still object: they hold a voting right
    response = file(client, vote, "  第3项的面积统计有误,请复核。\n谢谢  ")
    assert response.status_code == 303 and response.headers["Location"].endswith("/objections#objections")
    objection = db.session.scalar(sa.select(Objection))
    assert objection.person_id == people.two.id and objection.text == "第3项的面积统计有误,请复核。\n谢谢"
    html = client.get(url(vote, "objections")).get_data(as_text=True)
    assert "第3项的面积统计有误" in html and "your objection" in html and "单套业主乙" not in html

    client.post("/logout")
    login(people.staff)
    html = client.get(url(vote, "objections")).get_data(as_text=True)
    assert "单套业主乙" in html and "Publish the answer" in html  # staff see who objected
    answered = client.post(url(vote, f"objections/{objection.id}/answer"), data={"answer": "已复核,统计无误。"})
    assert answered.status_code == 303
    assert objection.answer == "已复核,统计无误。" and objection.answered_by_id == people.staff.id
    again = client.post(url(vote, f"objections/{objection.id}/answer"), data={"answer": "改口"})
    assert again.status_code == 409 and objection.answer == "已复核,统计无误。"  # an answer stands

    client.post("/logout")
    login(people.buyer)
    html = client.get(url(vote, "objections")).get_data(as_text=True)
    assert "第3项的面积统计有误" in html and "已复核,统计无误。" in html
    assert "单套业主乙" not in html and "社区工作人员" not in html and "Publish the answer" not in html
    assert audit_actions(vote) == [("vote.objection", people.two.id), ("vote.objection_answered", people.staff.id)]


def test_owners_cannot_answer(client, estate, posted, login):
    login(estate.people.one)
    file(client, posted, "异议")
    objection = db.session.scalar(sa.select(Objection))
    assert client.post(url(posted, f"objections/{objection.id}/answer"), data={"answer": "x"}).status_code == 403
    assert objection.answer is None


def test_after_the_deadline_new_objections_are_refused(client, estate, posted, login, english):
    posted.preliminary_at = utcnow() - timedelta(days=posted.objection_days, minutes=1)
    db.session.commit()
    login(estate.people.one)
    page = client.get(url(posted, "objections")).get_data(as_text=True)
    assert "The objection period ended on" in page and "File the objection" not in page
    response = file(client, posted, "迟到的异议")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The objection period has ended. New objections can no longer be filed." in html
    assert "迟到的异议" in html  # what was typed is shown again, not lost
    assert db.session.scalar(sa.select(sa.func.count(Objection.id))) == 0 and audit_actions(posted) == []


def test_the_deadline_is_preliminary_plus_objection_days(estate, posted):
    assert objections.deadline(posted) == posted.preliminary_at + timedelta(days=7)
    assert objections.period_open(posted)
    assert not objections.period_open(posted, now=objections.deadline(posted) + timedelta(seconds=1))


def test_objections_only_while_preliminary(client, estate, posted, login, english):
    lifecycle_final(estate, posted)
    login(estate.people.one)
    response = file(client, posted, "太晚了")
    assert response.status_code == 409 and "only while the preliminary result is posted" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(Objection.id))) == 0


def lifecycle_final(estate, vote):
    from portal.voting import lifecycle

    lifecycle.transition(vote, VoteStatus.final, estate.people.staff, reason="测试")
    db.session.commit()


@pytest.mark.parametrize("who", ["resident", "husband", "chair"])
def test_people_without_a_voting_right_cannot_object(client, estate, posted, login, who):
    login(getattr(estate.people, who))  # a tenant, a co-owner who is not the designated voter, a committee chair
    assert client.get(url(posted, "objections")).status_code == 200  # they may read them
    assert file(client, posted, "异议").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Objection.id))) == 0


def test_other_compounds_see_nothing(client, estate, make, posted, login):
    outsider = make.person()
    make.member(outsider, make.compound())
    login(outsider)
    assert client.get(url(posted, "objections")).status_code == 404
    assert file(client, posted, "异议").status_code == 404


@pytest.mark.parametrize(
    ("text", "message"), [("   ", "Write something before sending."), ("长" * 2001, "at most 2000 characters")]
)
@pytest.mark.parametrize("htmx", [False, True])
def test_invalid_text_is_shown_again_with_the_error(client, estate, posted, login, english, text, message, htmx):
    login(estate.people.one)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url(posted, "objections"), data={"text": text}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'aria-invalid="true"' in html
    assert re.search(r'<small id="objection-error" class="field-error">[^<]*' + re.escape(message), html)
    assert f">{text}</textarea>" in html  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count(Objection.id))) == 0


def test_an_empty_answer_is_shown_again_at_its_objection(client, estate, posted, login, english):
    login(estate.people.one)
    file(client, posted, "统计有误")
    objection = db.session.scalar(sa.select(Objection))
    client.post("/logout")
    login(estate.people.staff)
    response = client.post(url(posted, f"objections/{objection.id}/answer"), data={"answer": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and objection.answer is None
    error = f'<small id="answer-{objection.id}-error" class="field-error">Write something before sending.</small>'
    assert error in html
    assert f'aria-invalid="true" aria-describedby="answer-{objection.id}-error">  </textarea>' in html


def test_objections_are_not_open_before_the_preliminary_result(client, estate, make_vote, login):
    vote = make_vote(status="closed")
    login(estate.people.staff)  # staff see the closed count, but nobody can object yet
    assert client.get(url(vote, "objections")).status_code == 200
    client.post("/logout")
    login(estate.people.one)
    assert client.get(url(vote, "objections")).status_code == 404
