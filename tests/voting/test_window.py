"""The law's window: a vote opens at `opens_at` and closes at `closes_at` by itself (on the next request that touches
it, and by `flask portal tick`); nobody opens it early; only community staff close it early, with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.audit import AuditEvent
from portal.compounds.models import Notice
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import lifecycle
from portal.voting.models import Vote, VoteEvent, VoteStatus
from portal.voting.models.vote import Art278Category, Matter, VoteItem


def _events(vote):
    return db.session.scalars(sa.select(VoteEvent).where(VoteEvent.vote_id == vote.id).order_by(VoteEvent.id)).all()


def _fresh(vote) -> Vote:
    db.session.expire_all()
    return db.session.get(Vote, vote.id)


def _tick(app):
    result = app.test_cli_runner().invoke(args=["portal", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


# --- nobody opens a vote early -------------------------------------------------------------------------------


def test_opening_before_opens_at_is_refused(estate, make_vote):
    vote = make_vote(status="announced")
    with pytest.raises(Refused, match="too_early"):
        lifecycle.transition(vote, VoteStatus.open, estate.people.staff, reason="想早点开始")
    assert vote.status == VoteStatus.announced and vote.opened_at is None and vote.electorate_heads is None


def test_the_manage_page_refuses_an_early_opening_with_a_sentence(client, estate, make_vote, login):
    vote = make_vote(status="announced")
    login(estate.people.staff)
    client.post("/lang", data={"lang": "en"})
    page = client.get(f"/c/lvyuan/votes/{vote.id}/edit").get_data(as_text=True)
    assert 'value="open"' not in page and "Voting opens by itself at" in page
    response = client.post(f"/c/lvyuan/votes/{vote.id}/step", data={"target": "open", "confirm": "y"})
    assert response.status_code == 400
    assert "The vote cannot open before the announced time" in response.get_data(as_text=True)
    assert _fresh(vote).status == VoteStatus.announced


# --- it opens and closes by itself ---------------------------------------------------------------------------


def test_tick_opens_and_closes_on_time(app, estate, make_vote):
    announced = make_vote(status="announced")
    running = make_vote(status="open")
    assert "vote" not in _tick(app)  # nothing is due yet
    assert _fresh(announced).status == VoteStatus.announced and _fresh(running).status == VoteStatus.open

    announced.opens_at = utcnow() - timedelta(seconds=1)
    running.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    output = _tick(app)
    assert f"vote {announced.id}: open" in output and f"vote {running.id}: closed" in output
    opened, closed = _fresh(announced), _fresh(running)
    assert opened.status == VoteStatus.open and opened.opened_at is not None and opened.electorate_heads == 5
    assert closed.status == VoteStatus.closed and closed.digest is not None and closed.close_reason is None
    # done by the window, not by a person: no actor on the event or the audit line
    assert _events(opened)[-1].actor_id is None and _events(closed)[-1].actor_id is None
    audited = db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.id)).all()
    assert ("vote.open", None) in audited and ("vote.closed", None) in audited
    assert "vote" not in _tick(app)  # run again: nothing more to do


def test_tick_opens_and_closes_a_vote_whose_whole_window_passed(app, estate, make_vote):
    vote = make_vote(status="announced")
    vote.opens_at, vote.closes_at = utcnow() - timedelta(days=8), utcnow() - timedelta(days=1)
    db.session.commit()
    assert f"vote {vote.id}: open, closed" in _tick(app)
    assert [e.to_status for e in _events(vote)][-2:] == ["open", "closed"]
    assert _fresh(vote).ballot_count == 0


def test_the_next_request_closes_an_expired_vote(client, estate, make_vote, login):
    vote = make_vote(status="open")
    vote.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(estate.people.one)
    response = client.get(f"/c/lvyuan/votes/{vote.id}/")
    assert response.status_code == 200
    closed = _fresh(vote)
    assert closed.status == VoteStatus.closed and closed.closed_at >= closed.closes_at and closed.digest is not None
    assert _events(closed)[-1].actor_id is None


def test_the_next_request_opens_a_vote_whose_time_has_come(client, estate, make_vote, login):
    vote = make_vote(status="announced")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(estate.people.one)
    # the owner goes straight to the ballot: the vote opens on the way and the ballot is there
    response = client.get(f"/c/lvyuan/votes/{vote.id}/ballot")
    assert response.status_code == 200
    assert _fresh(vote).status == VoteStatus.open


def test_a_ballot_after_the_close_is_refused_and_closes_the_vote(client, estate, make_vote, login):
    vote = make_vote(status="open")
    vote.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login(estate.people.one)
    response = client.post(f"/c/lvyuan/votes/{vote.id}/ballot", data={"step": "confirm"})
    assert response.status_code == 303 and "/receipt" not in response.headers["Location"]
    closed = _fresh(vote)
    assert closed.status == VoteStatus.closed and closed.ballot_count == 0


# --- the closing notice, once --------------------------------------------------------------------------------


def _closing_notices(vote) -> int:
    query = sa.select(sa.func.count()).select_from(Notice)
    return db.session.scalar(query.where(Notice.vote_id == vote.id, Notice.event == "vote.closing"))


def test_the_closing_notice_is_posted_once_by_tick_and_requests(app, client, estate, make_vote, login):
    vote = make_vote(status="open")
    vote.closes_at = utcnow() + timedelta(hours=5)
    db.session.commit()
    assert f"vote {vote.id}: closing" in _tick(app)
    login(estate.people.one)
    client.get("/c/lvyuan/votes/")
    client.get(f"/c/lvyuan/votes/{vote.id}/")
    assert "vote" not in _tick(app)
    assert _closing_notices(vote) == 1


def test_a_page_within_the_last_day_posts_no_notice_and_tick_posts_it_once(app, client, estate, make_vote, login):
    vote = make_vote(status="open")
    vote.closes_at = utcnow() + timedelta(hours=23)
    db.session.commit()
    login(estate.people.one)
    for page in ("/c/lvyuan/votes/", f"/c/lvyuan/votes/{vote.id}/", f"/c/lvyuan/votes/{vote.id}/ballot"):
        assert client.get(page).status_code == 200
    assert _closing_notices(vote) == 0 and not _fresh(vote).closing_notice_sent  # a GET writes nothing
    assert f"vote {vote.id}: closing" in _tick(app)
    client.get(f"/c/lvyuan/votes/{vote.id}/")
    assert "vote" not in _tick(app)
    assert _closing_notices(vote) == 1


def test_pages_that_only_read_post_no_notice_outside_the_last_day(client, estate, make_vote, login):
    vote = make_vote(status="open")  # closes in 27 days
    login(estate.people.one)
    client.get(f"/c/lvyuan/votes/{vote.id}/")
    assert _closing_notices(vote) == 0 and _fresh(vote).status == VoteStatus.open


# --- closing early: community staff, with a reason -----------------------------------------------------------


def _step(client, vote, **data):
    return client.post(f"/c/lvyuan/votes/{vote.id}/step", data={"confirm": "y", **data})


def test_the_committee_cannot_close_early(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.chair)
    assert _step(client, vote, target="closed", reason="人数够了").status_code == 403
    page = client.get(f"/c/lvyuan/votes/{vote.id}/edit").get_data(as_text=True)
    assert 'value="closed"' not in page
    assert _fresh(vote).status == VoteStatus.open


def test_staff_close_early_only_with_a_reason(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.staff)
    client.post("/lang", data={"lang": "en"})
    refused = _step(client, vote, target="closed", reason="  ")
    assert refused.status_code == 400
    assert "give the reason for closing the vote early" in refused.get_data(as_text=True)
    assert _fresh(vote).status == VoteStatus.open
    with pytest.raises(Refused, match="close_reason_required"):
        lifecycle.transition(_fresh(vote), VoteStatus.closed, estate.people.staff)

    accepted = _step(client, vote, target="closed", reason="小区封闭管理，无法继续投票")
    assert accepted.status_code == 303
    closed = _fresh(vote)
    assert closed.status == VoteStatus.closed and closed.close_reason == "小区封闭管理，无法继续投票"
    assert _events(closed)[-1].actor_id == estate.people.staff.id
    shown = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    assert "Closed before the announced time by community staff: 小区封闭管理，无法继续投票" in shown
    assert "As it happened, voting ran from" in shown  # closed days before the announced time


def test_the_notice_prints_the_reason_and_the_times_that_happened(client, estate, make_vote, login):
    vote = make_vote(status="open")
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="台风停电")
    lifecycle.transition(vote, VoteStatus.preliminary, estate.people.staff)
    db.session.commit()
    login(estate.people.one)
    client.post("/lang", data={"lang": "en"})
    notice = client.get(f"/c/lvyuan/votes/{vote.id}/notice").get_data(as_text=True)
    assert "Closed early by community staff because" in notice and "台风停电" in notice
    # the announced window, and when voting really opened (make_vote opens it 20 days early) and closed
    assert "Voting time" in notice and "Voting opened" in notice and "Voting closed" in notice


def test_closing_on_time_needs_no_reason(estate, make_vote):
    vote = make_vote(status="open")
    vote.closes_at = utcnow() - timedelta(seconds=1)
    lifecycle.transition(vote, VoteStatus.closed, estate.people.chair)
    assert vote.status == VoteStatus.closed and vote.close_reason is None


# --- Art. 278 categories decide the threshold ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "matter"),
    [
        ("rules_of_procedure", "ordinary"),  # (1) 议事规则
        ("management_rules", "ordinary"),  # (2) 管理规约
        ("committee", "ordinary"),  # (3) 选举业委会或者更换业委会成员
        ("property_manager", "ordinary"),  # (4) 选聘和解聘物业服务企业
        ("use_fund", "ordinary"),  # (5) 使用维修资金
        ("raise_fund", "major"),  # (6) 筹集维修资金
        ("rebuild", "major"),  # (7) 改建、重建
        ("change_use", "major"),  # (8) 改变共有部分用途或者利用共有部分从事经营活动
        ("other", "ordinary"),  # (9) 其他重大事项
    ],
)
def test_the_category_decides_the_matter(app, category, matter):
    assert Art278Category(category).matter == Matter(matter)
    item = VoteItem(position=1, title="事项", category=category)
    assert item.matter == Matter(matter)  # set with the category, never chosen apart from it
    with app.test_request_context(), force_locale("en"):
        from portal.labels import label

        assert label(category, "Art278Category").startswith(f"({list(Art278Category).index(category) + 1})")


def test_all_nine_categories_are_tested():
    assert len(Art278Category) == 9
