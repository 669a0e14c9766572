"""What asks an owner to vote: an inbox notification to every voter and proxy when a vote opens, a reminder a day
before it closes to those who have not voted only (once), and the "待我投票" card first on the compound home."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.compounds.models import Notice
from portal.db import utcnow
from portal.extensions import db
from portal.inbox.models import Notification
from portal.refusals import Refused
from portal.voting import box, lifecycle, proxies, reminders
from portal.voting.models import BallotChannel, VotingRight


@pytest.fixture
def en(client):
    """Pages in English."""
    client.set_cookie("lang", "en")
    return client


def _told(event: str) -> dict[int, list[Notification]]:
    rows = db.session.scalars(sa.select(Notification).where(Notification.event == event)).all()
    told: dict[int, list[Notification]] = {}
    for row in rows:
        told.setdefault(row.person_id, []).append(row)
    return told


def _right(vote, person) -> VotingRight:
    return db.session.scalar(
        sa.select(VotingRight).where(VotingRight.vote_id == vote.id, VotingRight.person_id == person.id)
    )


def _tick(app) -> str:
    result = app.test_cli_runner().invoke(args=["portal", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def _yes(vote) -> box.Choices:
    return box.Choices({str(item.id): "yes" for item in vote.items})


def test_opening_tells_every_designated_voter_once_and_nobody_else(estate, make_vote):
    vote = make_vote(status="open")
    people = estate.people
    told = _told("vote.open")
    voters = {people.buyer.id, people.developer.id, people.wife.id, people.one.id, people.two.id}
    assert set(told) == voters  # not the co-owner who is not the voter, not residents, staff or the chair
    assert all(len(rows) == 1 for rows in told.values())
    row = told[people.one.id][0]
    assert (row.link, row.subject, row.compound_id) == (f"/c/lvyuan/votes/{vote.id}/", vote.title, vote.compound_id)


def test_an_active_proxy_is_told_and_a_revoked_one_is_not(estate, make_vote):
    people = estate.people
    vote = make_vote(status="announced")
    refs = {ref.person_id: ref for ref in proxies.electorate_refs(vote)}
    proxies.authorise(vote, refs[people.one.id], people.resident, "WT-1", people.staff)
    gone = proxies.authorise(vote, refs[people.two.id], people.chair, "WT-2", people.staff)
    proxies.revoke(vote, gone, people.staff)
    vote.opens_at = utcnow() - timedelta(minutes=1)
    lifecycle.transition(vote, lifecycle.VoteStatus.open, people.staff)
    told = _told("vote.open")
    assert people.resident.id in told and people.chair.id not in told
    assert people.one.id in told and people.two.id in told


def test_opening_by_tick_links_to_the_same_page_without_a_request(app, estate, make_vote):
    vote = make_vote(status="announced")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert f"vote {vote.id}: open" in _tick(app)
    links = {row.link for rows in _told("vote.open").values() for row in rows}
    assert links == {f"/c/lvyuan/votes/{vote.id}/"}


def test_the_reminder_reaches_only_those_who_have_not_voted_and_only_once(app, estate, make_vote):
    people = estate.people
    vote = make_vote(status="open")
    box.cast(vote, _right(vote, people.one), _yes(vote))
    refs = {ref.person_id: ref for ref in proxies.electorate_refs(vote)}
    proxies.authorise(vote, refs[people.two.id], people.resident, "WT-3", people.staff)
    box.cast(vote, _right(vote, people.two), _yes(vote), BallotChannel.proxy, proxy=people.resident)
    vote.closes_at = utcnow() + timedelta(hours=5)
    db.session.commit()
    assert f"vote {vote.id}: closing" in _tick(app)
    reminded = _told("vote.closing")
    assert set(reminded) == {people.buyer.id, people.developer.id, people.wife.id}
    assert all(row.link == f"/c/lvyuan/votes/{vote.id}/" for rows in reminded.values() for row in rows)
    _tick(app)
    assert sum(len(rows) for rows in _told("vote.closing").values()) == 3  # a second tick reminds nobody again


def test_the_reminder_counts_a_right_used_on_paper_as_voted(estate, make_vote):
    people = estate.people
    vote = make_vote(status="open")
    box.cast(vote, _right(vote, people.buyer), _yes(vote), BallotChannel.paper, actor=people.staff)
    reminders.remind(vote)
    assert set(_told("vote.closing")) == {people.developer.id, people.wife.id, people.one.id, people.two.id}


def test_the_reminder_counts_a_secret_votes_envelope_as_voted(estate, make_vote):
    from portal.voting import sheets

    people = estate.people
    vote = make_vote(status="open", secrecy="secret")
    sheets.receive_envelope(vote, _right(vote, people.buyer), people.staff)  # its sheet is not entered yet
    reminders.remind(vote)
    assert set(_told("vote.closing")) == {people.developer.id, people.wife.id, people.one.id, people.two.id}
    assert reminders.awaiting(estate.compound, people.buyer) == []  # nor does 待我投票 ask the owner again
    assert [a.vote.id for a in reminders.awaiting(estate.compound, people.one)] == [vote.id]


def test_awaiting_lists_what_the_person_can_still_cast(estate, make_vote, make):
    people = estate.people
    vote = make_vote(status="open")
    refs = {ref.person_id: ref for ref in proxies.electorate_refs(vote)}
    proxies.authorise(vote, refs[people.two.id], people.one, "WT-4", people.staff)
    [mine] = reminders.awaiting(estate.compound, people.one)
    assert (mine.vote.id, mine.rights) == (vote.id, 2)  # their own and the one held as a proxy
    assert mine.days_left() == 27
    assert mine.days_left(vote.closes_at - timedelta(hours=1)) == 1 and mine.days_left(vote.closes_at) == 0
    box.cast(vote, _right(vote, people.one), _yes(vote))
    assert [a.rights for a in reminders.awaiting(estate.compound, people.one)] == [1]
    assert reminders.awaiting(estate.compound, people.husband) == []  # the unit votes through his wife
    assert reminders.awaiting(estate.compound, people.resident) == []
    other = make.compound("other", "别的小区", estate.community)
    assert reminders.awaiting(other, people.buyer) == []


def test_closed_and_announced_votes_wait_for_nobody(estate, make_vote):
    make_vote(status="announced")
    make_vote(status="closed")
    assert reminders.awaiting(estate.compound, estate.people.buyer) == []


def _section_order(page: str) -> list[str]:
    return re.findall(r'<h2 id="(awaiting-h|my-meetings-h|notices-h)"', page)


def test_the_home_shows_the_waiting_vote_first_until_it_is_cast(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.one)
    page = client.get("/c/lvyuan/").get_data(as_text=True)
    assert _section_order(page)[:2] == ["awaiting-h", "notices-h"]
    card = page[page.index('id="awaiting-h"') : page.index('id="notices-h"')]
    assert vote.title in card and "剩余 27 天" in card and f'href="/c/lvyuan/votes/{vote.id}/"' in card
    assert "去投票" in card
    # the portal's notice about the vote leads to the vote itself
    notices = page[page.index('id="notices-h"') :]
    assert f'href="/c/lvyuan/votes/{vote.id}/"' in notices
    box.cast(vote, _right(vote, estate.people.one), _yes(vote))
    db.session.commit()
    assert "awaiting-h" not in client.get("/c/lvyuan/").get_data(as_text=True)


def test_the_home_card_in_english(en, estate, make_vote, login):
    make_vote(status="open")
    login(estate.people.two)
    page = en.get("/c/lvyuan/").get_data(as_text=True)
    assert "Waiting for your vote" in page and "27 days left" in page and "Go and vote" in page


def test_someone_without_a_right_sees_no_card(client, estate, make_vote, login):
    make_vote(status="open")
    login(estate.people.resident)
    page = client.get("/c/lvyuan/").get_data(as_text=True)
    assert "notices-h" in page and "awaiting-h" not in page


def test_a_vote_notice_page_links_to_the_vote(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.one)
    notice = db.session.scalar(sa.select(Notice).where(Notice.vote_id == vote.id, Notice.event == "vote.open"))
    page = client.get(f"/c/lvyuan/notices/{notice.id}").get_data(as_text=True)
    assert f'href="/c/lvyuan/votes/{vote.id}/"' in page and "查看投票" in page


def test_staff_remind_the_activated_non_voters_once_a_day(estate, make_vote, monkeypatch):
    """Issue 14: 提醒未投票的业主 reaches every activated owner who has not voted, once; a second send the same
    (Beijing) day is refused and reaches nobody twice; the next day it may go again."""
    vote = make_vote(status="open")
    people = estate.people
    box.cast(vote, _right(vote, people.one), _yes(vote))
    people.two.password_hash = None  # no account yet: gets a printed slip, not a notification
    db.session.flush()
    assert reminders.remind_not_voted(vote, people.staff) == 3
    told = _told("vote.reminder")
    assert set(told) == {people.buyer.id, people.developer.id, people.wife.id}
    with pytest.raises(Refused) as refused:
        reminders.remind_not_voted(vote, people.chair)
    assert refused.value.code == "reminded_today"
    assert all(len(rows) == 1 for rows in _told("vote.reminder").values())
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(reminders, "utcnow", lambda: tomorrow)
    box.cast(vote, _right(vote, people.buyer), _yes(vote))
    assert reminders.remind_not_voted(vote, people.staff) == 2  # the buyer has voted since


def test_the_remind_button_on_the_turnout_page(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.chair)
    page = f"/c/lvyuan/votes/{vote.id}/turnout/buildings"
    assert "提醒尚未投票的业主" in client.get(page).get_data(as_text=True)
    first = client.post(f"/c/lvyuan/votes/{vote.id}/remind", follow_redirects=True).get_data(as_text=True)
    assert "位尚未投票的业主已收到提醒" in first
    again = client.post(f"/c/lvyuan/votes/{vote.id}/remind", follow_redirects=True).get_data(as_text=True)
    assert "今天已经提醒过" in again
