"""Committee elections: nomination (self, by others with consent, by staff), staff's eligibility check, the
published candidate list, nothing changing after announcement, and casting for at most N seats."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_login import login_user

from portal.audit import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import candidates, lifecycle
from portal.voting.models import Ballot, Candidate, CandidateStatus, Nomination, VoteStatus

STATEMENT = "我在小区住了十年，愿意为大家服务。"


def _url(vote, tail=""):
    return f"/c/lvyuan/votes/{vote.id}/candidates{tail}"


def _actions():
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def election(make_vote):
    """A draft committee election with three seats: the nomination phase."""
    return make_vote(kind="election", status="draft", seats=3)


def _eligible(vote, estate, *people):
    """Stand each person and mark them eligible (services, as staff would through the pages)."""
    made = []
    for person in people:
        candidate = candidates.self_nominate(vote, person, f"{person.name}的陈述")
        candidates.check(candidate, estate.people.staff, True)
        made.append(candidate)
    db.session.commit()
    return made


# --- self-nomination -----------------------------------------------------------------------------------------


def test_owner_stands_with_a_statement(client, estate, election, login):
    login(estate.people.one)
    page = client.get(_url(election))
    assert page.status_code == 200 and "stand-statement" in page.get_data(as_text=True)
    response = client.post(_url(election, "/stand"), data={"stand-statement": STATEMENT})
    assert response.status_code == 303
    candidate = db.session.scalar(sa.select(Candidate))
    assert candidate.person_id == estate.people.one.id and candidate.nomination == Nomination.self_nominated
    assert candidate.consented_at is not None and candidate.status == CandidateStatus.pending
    assert candidate.statement == STATEMENT and not candidate.on_ballot
    assert "candidate.self_nominated" in _actions()
    assert "my-candidacy" in client.get(_url(election)).get_data(as_text=True)
    rewritten = client.post(_url(election, f"/{candidate.id}/statement"), data={"statement-statement": "新的陈述"})
    assert rewritten.status_code == 303
    db.session.refresh(candidate)
    assert candidate.statement == "新的陈述" and "candidate.statement_changed" in _actions()


def test_a_statement_over_2000_characters_is_shown_again(client, estate, election, login):
    login(estate.people.one)
    response = client.post(_url(election, "/stand"), data={"stand-statement": "长" * 2001})
    assert response.status_code == 400
    assert 'id="stand-statement-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 0


@pytest.fixture
def stranger(make):
    """An owner of another compound of another community."""
    other = make.compound("other", "别的小区")
    person = make.person("外小区业主")
    make.member(person, other)
    make.unit(other, "101", building="8栋", owners=[person])
    return person


@pytest.mark.parametrize(
    ("who", "status"),
    [("resident", 404), ("developer", 403), ("chair", 403), ("stranger", 404)],
    ids=["resident", "developer", "committee-not-owner", "other-compound"],
)
def test_who_may_not_stand(client, estate, election, login, stranger, who, status):
    """Residents and outsiders do not even see the nomination phase (404); members without a vote get 403."""
    person = stranger if who == "stranger" else getattr(estate.people, who)
    login(person)
    response = client.post(_url(election, "/stand"), data={"stand-statement": STATEMENT})
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 0


def test_service_refuses_those_who_own_nothing_and_the_developer(estate, election):
    for person in (estate.people.resident, estate.people.developer, estate.people.chair):
        with pytest.raises(Refused, match="not_eligible"):
            candidates.self_nominate(election, person, STATEMENT)


def test_any_owner_may_stand_not_only_the_designated_voter(client, estate, election, login):
    """Standing is not voting: a co-owner whom the unit did not name as its voter stands too (issue 10)."""
    husband = estate.people.husband  # co-owns 201 with his wife, who votes for it
    assert candidates.may_stand(estate.compound, husband)
    login(husband)
    response = client.post(_url(election, "/stand"), data={"stand-statement": STATEMENT})
    assert response.status_code == 303
    candidate = candidates.mine(election, husband)
    assert candidate.nomination == Nomination.self_nominated and candidate.consented_at is not None
    assert candidates.rooms_of(estate.compound, {husband.id}) == {husband.id: "1栋 1单元 201"}
    assert husband.id in candidates.standing_ids(estate.compound)


# --- nomination by others, with consent ----------------------------------------------------------------------


def test_nomination_by_others_needs_the_nominees_consent(client, estate, election, login):
    login(estate.people.one)
    response = client.post(_url(election, "/nominate"), data={"nominate-room": "1栋1单元302"})  # spaces optional
    assert response.status_code == 303
    candidate = db.session.scalar(sa.select(Candidate))
    assert candidate.person_id == estate.people.two.id and candidate.nomination == Nomination.others
    assert candidate.nominated_by_id == estate.people.one.id and candidate.consented_at is None
    page = client.get(_url(election)).get_data(as_text=True)
    assert "1栋 1单元 302" in page and "单套业主乙" not in page  # by room, never by name before consent

    candidates.check(candidate, estate.people.staff, True)  # checked early: still not listed without consent
    db.session.commit()
    assert candidates.published(election) == []

    client.post("/logout")
    login(estate.people.two)
    page = client.get(_url(election)).get_data(as_text=True)
    assert 'id="nomination-box"' in page
    accepted = client.post(
        _url(election, f"/{candidate.id}/answer"), data={"answer": "accept", "answer-statement": STATEMENT}
    )
    assert accepted.status_code == 303
    db.session.refresh(candidate)
    assert candidate.consented_at is not None and candidate.statement == STATEMENT
    assert [c.id for c in candidates.published(election)] == [candidate.id]
    assert {"candidate.nominated", "candidate.consented", "candidate.checked"} <= set(_actions())


def test_nominee_declines_and_is_not_asked_again(client, estate, election, login):
    candidate = candidates.nominate(election, estate.people.one, "1栋 1单元 302")
    db.session.commit()
    login(estate.people.two)
    response = client.post(_url(election, f"/{candidate.id}/answer"), data={"answer": "decline"})
    assert response.status_code == 303
    db.session.refresh(candidate)
    assert candidate.status == CandidateStatus.withdrawn and candidates.state(candidate) == "declined"
    assert "candidate.declined" in _actions()
    with pytest.raises(Refused, match="already"):
        candidates.nominate(election, estate.people.buyer, "1栋 1单元 302")
    # Standing later is the nominee's own choice.
    again = candidates.self_nominate(election, estate.people.two, STATEMENT)
    assert again.id == candidate.id and candidates.state(again) == "awaiting_check"


def test_only_the_nominee_answers(client, estate, election, login):
    candidate = candidates.nominate(election, estate.people.one, "1栋 1单元 302")
    db.session.commit()
    login(estate.people.buyer)
    assert client.post(_url(election, f"/{candidate.id}/answer"), data={"answer": "accept"}).status_code == 404
    assert db.session.get(Candidate, candidate.id).consented_at is None


@pytest.mark.parametrize(
    ("room", "code"),
    [
        ("9栋 1单元 901", "not_eligible"),  # the developer
        ("8栋 1单元 101", "unknown_room"),  # a room of another compound
        ("5栋 1单元 999", "unknown_room"),
        ("1栋 1单元 301", "self"),
    ],
    ids=["developer", "other-compound", "no-such-room", "self"],
)
def test_nomination_refused_for_rooms_whose_owner_cannot_stand(client, estate, election, login, stranger, room, code):
    login(estate.people.one)
    response = client.post(_url(election, "/nominate"), data={"nominate-room": room})
    assert response.status_code == 400
    assert 'id="nominate-room-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 0
    with pytest.raises(Refused, match=code):
        candidates.nominate(election, estate.people.one, room)


def test_co_owned_unit_nominates_its_designated_voter(estate, election):
    candidate = candidates.nominate(election, estate.people.one, "1栋 1单元 201")
    assert candidate.person_id == estate.people.wife.id


@pytest.mark.parametrize(("who", "status"), [("resident", 404), ("developer", 403), ("stranger", 404)])
def test_who_may_not_nominate(client, estate, election, login, stranger, who, status):
    login(stranger if who == "stranger" else getattr(estate.people, who))
    assert client.post(_url(election, "/nominate"), data={"nominate-room": "1栋 1单元 302"}).status_code == status
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 0


# --- staff nomination and the eligibility check --------------------------------------------------------------


def test_staff_nomination_records_consent(client, estate, election, login):
    login(estate.people.staff)
    response = client.post(
        _url(election, "/recommend"), data={"recommend-room": "1栋 1单元 102", "recommend-statement": STATEMENT}
    )
    assert response.status_code == 303
    candidate = db.session.scalar(sa.select(Candidate))
    assert candidate.person_id == estate.people.buyer.id and candidate.nomination == Nomination.staff
    assert candidate.consented_at is not None and candidate.nominated_by_id == estate.people.staff.id
    assert "candidate.staff_nominated" in _actions()


@pytest.mark.parametrize("who", ["one", "chair"])
def test_only_staff_recommend_and_check(client, estate, election, login, who):
    candidate = candidates.self_nominate(election, estate.people.two, STATEMENT)
    db.session.commit()
    login(getattr(estate.people, who))
    assert client.post(_url(election, "/recommend"), data={"recommend-room": "1栋 1单元 101"}).status_code == 403
    check = {f"check{candidate.id}-decision": "eligible"}
    assert client.post(_url(election, f"/{candidate.id}/check"), data=check).status_code == 403
    db.session.refresh(candidate)
    assert candidate.status == CandidateStatus.pending and candidate.checked_at is None


def test_staff_check_needs_a_reason_when_not_eligible(client, estate, election, login):
    candidate = candidates.self_nominate(election, estate.people.two, STATEMENT)
    db.session.commit()
    login(estate.people.staff)
    prefix = f"check{candidate.id}-"
    refused = client.post(_url(election, f"/{candidate.id}/check"), data={prefix + "decision": "ineligible"})
    assert refused.status_code == 400 and f'id="{prefix}note-error"' in refused.get_data(as_text=True)
    assert db.session.get(Candidate, candidate.id).checked_at is None
    done = client.post(
        _url(election, f"/{candidate.id}/check"),
        data={prefix + "decision": "ineligible", prefix + "note": "物业费未缴清"},
    )
    assert done.status_code == 303
    db.session.refresh(candidate)
    assert candidate.status == CandidateStatus.ineligible and candidate.check_note == "物业费未缴清"
    assert candidate.checked_by_id == estate.people.staff.id and candidate.checked_at is not None
    assert not candidate.on_ballot
    page = client.get(_url(election)).get_data(as_text=True)
    assert "物业费未缴清" in page and "单套业主乙" in page  # staff see every nomination by name
    assert "社区工作人员" in page  # who checked it


def test_staff_check_over_htmx_returns_the_row(client, estate, election, login):
    candidate = candidates.self_nominate(election, estate.people.two, STATEMENT)
    db.session.commit()
    login(estate.people.staff)
    response = client.post(
        _url(election, f"/{candidate.id}/check"),
        data={f"check{candidate.id}-decision": "eligible"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<li id="candidate-{candidate.id}"')
    assert db.session.get(Candidate, candidate.id).on_ballot
    # An invalid check comes back as the row, at 400 as without htmx (htmx swaps 4xx: base.html's htmx-config).
    refused = client.post(
        _url(election, f"/{candidate.id}/check"),
        data={f"check{candidate.id}-decision": "ineligible"},
        headers={"HX-Request": "true"},
    )
    row = refused.get_data(as_text=True)
    assert refused.status_code == 400 and row.lstrip().startswith(f'<li id="candidate-{candidate.id}"')
    assert f'id="check{candidate.id}-note-error"' in row
    assert re.search(r'<input checked [^>]*value="ineligible"', row)  # the choice is kept
    assert db.session.get(Candidate, candidate.id).status == CandidateStatus.eligible


# --- withdrawal, the published list and its order ------------------------------------------------------------


def test_candidate_withdraws_and_may_stand_again(client, estate, election, login):
    (candidate,) = _eligible(election, estate, estate.people.one)
    login(estate.people.one)
    assert client.post(_url(election, f"/{candidate.id}/withdraw")).status_code == 303
    db.session.refresh(candidate)
    assert candidates.state(candidate) == "withdrawn" and candidates.published(election) == []
    assert "candidate.withdrawn" in _actions()
    assert client.post(_url(election, "/stand"), data={"stand-statement": "再次参选"}).status_code == 303
    db.session.refresh(candidate)
    assert candidates.state(candidate) == "awaiting_check" and candidate.checked_at is None  # checked afresh


def test_published_list_shows_only_consented_and_eligible(client, estate, election, login):
    people = estate.people
    listed, withdrawn = _eligible(election, estate, people.one, people.buyer)
    candidates.withdraw(withdrawn, people.buyer)
    candidates.self_nominate(election, people.wife, "待审查")  # consented, not yet checked
    unconsented = candidates.nominate(election, people.one, "1栋 1单元 302")
    candidates.check(unconsented, people.staff, True)  # eligible but has not accepted
    refused = candidates.staff_nominate(election, people.staff, "1栋 1单元 101")
    assert refused.id == withdrawn.id  # a withdrawn candidate may be recommended again
    candidates.check(refused, people.staff, False, "亲属在物业公司任职")
    db.session.commit()
    assert [c.id for c in candidates.published(election)] == [listed.id]
    login(people.resident)  # a resident does not see the nomination phase
    assert client.get(_url(election)).status_code == 404
    client.post("/logout")
    login(people.husband)  # an owner-side member without a vote of his own still reads the list
    page = client.get(_url(election)).get_data(as_text=True)
    for hidden in ("三套业主", "妻子", "单套业主乙", "亲属在物业公司任职", "待审查"):
        assert hidden not in page
    assert "单套业主甲" in page and "单套业主甲的陈述" in page


def test_published_order_is_nomination_order(estate, election):
    people = estate.people
    first, second, third = _eligible(election, estate, people.two, people.one, people.wife)
    assert [c.id for c in candidates.published(election)] == [first.id, second.id, third.id]
    assert [c.position for c in election.candidates] == [1, 2, 3]
    candidates.withdraw(first, people.two)
    candidates.self_nominate(election, people.two, "重新参选")  # a renewed nomination goes to the end
    candidates.check(first, people.staff, True)
    assert [c.id for c in candidates.published(election)] == [second.id, third.id, first.id]


def test_nomination_box_partial_for_the_vote_page(app, estate, election):
    candidate = candidates.nominate(election, estate.people.one, "1栋 1单元 302")
    db.session.commit()
    with app.test_request_context():
        login_user(estate.people.two)
        html = render_template("voting/_nomination_box.html", vote=election, compound=estate.compound)
        assert f"/candidates/{candidate.id}/answer" in html and 'value="decline"' in html
    with app.test_request_context():
        login_user(estate.people.buyer)
        assert "nomination-box" not in render_template(
            "voting/_nomination_box.html", vote=election, compound=estate.compound
        )


# --- visibility ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("one", 200), ("chair", 200), ("staff", 200), ("resident", 404)])
def test_draft_election_candidates_page_visible_to_the_owner_side(client, estate, election, login, who, status):
    login(getattr(estate.people, who))
    assert client.get(_url(election)).status_code == status


def test_outsiders_and_other_votes_get_404(client, estate, election, make_vote, login, stranger):
    login(stranger)
    assert client.get(_url(election)).status_code == 404
    client.post("/logout")
    login(estate.people.one)
    resolution = make_vote(kind="resolution", status="announced")
    assert client.get(_url(resolution)).status_code == 404  # not an election
    draft = make_vote(kind="resolution", status="draft")
    assert client.get(_url(draft)).status_code == 404


# --- after announcement nothing changes ----------------------------------------------------------------------


def _announce(vote, estate):
    lifecycle.transition(vote, VoteStatus.announced, estate.people.staff, reason="测试")
    db.session.commit()


def test_announcing_needs_odd_seats_and_a_listed_candidate(estate, make_vote):
    vote = make_vote(kind="election", status="draft", seats=4)
    assert set(lifecycle.problems_before_announcing(vote)) == {"seats", "no_candidates"}
    candidates.self_nominate(vote, estate.people.one, STATEMENT)
    vote.seats = 5
    assert lifecycle.problems_before_announcing(vote) == ["no_candidates"]
    with pytest.raises(Refused):
        lifecycle.transition(vote, VoteStatus.announced, estate.people.staff, reason="测试")
    candidates.check(vote.candidates[0], estate.people.staff, True)
    assert lifecycle.problems_before_announcing(vote) == []


@pytest.mark.parametrize(
    ("who", "tail", "data"),
    [
        ("two", "/stand", {"stand-statement": STATEMENT}),
        ("two", "/nominate", {"nominate-room": "1栋 1单元 101"}),
        ("staff", "/recommend", {"recommend-room": "1栋 1单元 101"}),
        ("one", "/{mine}/withdraw", {}),
        ("one", "/{mine}/statement", {"statement-statement": "改写"}),
        ("wife", "/{nominated}/answer", {"answer": "accept"}),
        ("wife", "/{nominated}/answer", {"answer": "decline"}),
        ("staff", "/{mine}/check", {"check{mine}-decision": "ineligible", "check{mine}-note": "x"}),
    ],
)
def test_nothing_changes_after_announcement(client, estate, election, login, who, tail, data):
    (mine,) = _eligible(election, estate, estate.people.one)
    nominated = candidates.nominate(election, estate.people.one, "1栋 1单元 201")
    db.session.commit()
    _announce(election, estate)
    before = [(c.id, c.status, c.consented_at, c.statement) for c in election.candidates]
    login(getattr(estate.people, who))
    ids = {"mine": mine.id, "nominated": nominated.id}
    response = client.post(_url(election, tail.format(**ids)), data={k.format(**ids): v for k, v in data.items()})
    assert response.status_code == 409
    db.session.expire_all()
    assert [(c.id, c.status, c.consented_at, c.statement) for c in election.candidates] == before
    with pytest.raises(Refused, match="nominations_closed"):
        candidates.self_nominate(election, estate.people.two, STATEMENT)
    page = client.get(_url(election)).get_data(as_text=True)
    assert "单套业主甲" in page and "stand-statement" not in page


# --- casting: at most N seats --------------------------------------------------------------------------------


def test_owner_votes_for_at_most_the_number_of_seats(client, estate, election, login):
    people = estate.people
    listed = _eligible(election, estate, people.one, people.two, people.wife, people.buyer)
    _announce(election, estate)
    election.opens_at = utcnow() - timedelta(minutes=1)  # the announced time has come: it may open
    lifecycle.transition(election, VoteStatus.open, people.staff)
    db.session.commit()
    login(people.one)
    ballot = client.get(f"/c/lvyuan/votes/{election.id}/ballot").get_data(as_text=True)
    assert all(c.person.name in ballot for c in listed)
    order = [c for c in election.candidates if c.on_ballot]  # the ballot's order: one 0/1 each in `picks`
    url = f"/c/lvyuan/votes/{election.id}/ballot"
    too_many = client.post(url, data={"step": "review", "picks": "1111"})
    assert too_many.status_code == 400
    assert client.post(url, data={"step": "review", "picks": "1101"}).status_code == 200
    assert client.post(url, data={"step": "confirm", "picks": "1101"}).status_code == 303
    ballot_row = db.session.scalar(sa.select(Ballot))
    assert json.loads(ballot_row.selected) == sorted(c.id for c, bit in zip(order, "1101", strict=True) if bit == "1")


def test_owners_read_an_election_being_prepared_as_taking_nominations(client, estate, election, login):
    """Not 草稿: to an owner the election is taking nominations, on the list, its page and the compound home."""
    login(estate.people.one)
    for path in ("/c/lvyuan/votes/", f"/c/lvyuan/votes/{election.id}/", "/c/lvyuan/"):
        page = client.get(path).get_data(as_text=True)
        assert "接受提名中" in page and "草稿" not in page, path
