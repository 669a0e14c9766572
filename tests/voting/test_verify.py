"""The verifiable ballot box: recount, digest, tampering, receipts, and what secret mode keeps apart."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, electorate, lifecycle, results
from portal.voting.models import Ballot, VoteStatus, VotingRight
from portal.voting.verify import verify


def cast_all(estate, vote, answers_by_person):
    """Cast ballots for the given people; returns their receipts."""
    receipts = {}
    for person, answers in answers_by_person.items():
        right = electorate.right_of(vote, getattr(estate.people, person))
        choices = box.Choices({item.key: a for item, a in zip(vote.items, answers, strict=True)})
        receipts[person] = box.cast(vote, right, choices)
    db.session.commit()
    return receipts


@pytest.fixture(params=["named", "secret"])
def closed_vote(request, estate, make_vote):
    vote = make_vote(secrecy=request.param)
    receipts = cast_all(
        estate,
        vote,
        {"buyer": ("yes", "yes"), "developer": ("yes", "no"), "wife": ("no", None), "one": ("yes", "abstain")},
    )
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    return vote, receipts


def test_sealed_box_verifies_and_recounts(closed_vote):
    vote, _ = closed_vote
    report = verify(vote)
    assert report.ok, report.problems
    assert report.ballot_count == 4 and report.digest == vote.digest
    r = report.results
    assert (r.participation.heads, r.participation.area) == (4, Decimal("598.88"))
    first, second = (res for _item, res in r.items)
    assert (first.yes.heads, first.yes.area, first.no.heads) == (3, Decimal("510.00"), 1)
    assert first.quorum_met and first.passed  # ordinary: 3/4 heads, 510/598.88 area
    assert (second.yes.heads, second.abstain.heads) == (1, 2) and not second.passed


def test_editing_one_ballot_makes_verification_fail(app, closed_vote):
    vote, _ = closed_vote
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote.id)).first()
    answers = json.loads(ballot.answers)
    first = next(iter(answers))
    answers[first] = "no" if answers[first] != "no" else "yes"
    db.session.execute(sa.update(Ballot).where(Ballot.id == ballot.id).values(answers=json.dumps(answers)))
    db.session.commit()
    report = verify(vote)
    assert not report.ok and any("digest mismatch" in p for p in report.problems)
    result = app.test_cli_runner().invoke(args=["portal", "verify-vote", str(vote.id)])
    assert result.exit_code == 1 and "FAILED: digest mismatch" in result.output


def test_adding_a_ballot_makes_verification_fail(closed_vote):
    vote, _ = closed_vote
    db.session.add(Ballot(id=secrets.token_hex(16), vote_id=vote.id, receipt_hash="0" * 64, answers="{}"))
    db.session.commit()
    problems = verify(vote).problems
    assert any("digest mismatch" in p for p in problems)


def test_deleting_a_ballot_makes_verification_fail(closed_vote):
    vote, _ = closed_vote
    db.session.execute(sa.delete(Ballot).where(Ballot.id == box.counted_ballots(vote)[0].id))
    db.session.commit()
    problems = verify(vote).problems
    assert any("digest mismatch" in p for p in problems) and any("rights were used" in p for p in problems)


def test_verify_vote_command_passes_on_an_untouched_box(app, closed_vote):
    vote, _ = closed_vote
    result = app.test_cli_runner().invoke(args=["portal", "verify-vote", str(vote.id)])
    assert result.exit_code == 0, result.output
    assert "OK: the recount matches" in result.output and "quorum met: True" in result.output


def test_verify_vote_refuses_an_unknown_vote(app, database):
    result = app.test_cli_runner().invoke(args=["portal", "verify-vote", "999999"])
    assert result.exit_code != 0 and "no vote with id" in result.output


def test_receipts_are_in_the_published_list_and_reveal_no_choice(closed_vote):
    vote, receipts = closed_vote
    published = box.receipt_fingerprints(vote)
    assert published == sorted(published) and len(published) == 4
    for receipt in receipts.values():
        assert box.receipt_hash(receipt)[:16] in published
        assert box.receipt_in_box(vote, box.public_code(receipt))
    assert not box.receipt_in_box(vote, "AAAAA-BBBBB")
    # the published list carries nothing but the fingerprints: no choices, no rooms, no areas
    assert all(len(f) == 16 and set(f) <= set("0123456789abcdef") for f in published)


def test_secret_mode_stores_no_link_and_counts_exactly(estate, make_vote):
    vote = make_vote(secrecy="secret")
    cast_all(estate, vote, {"buyer": ("yes", "no"), "two": ("no", "no")})
    columns = {c.name for c in Ballot.__table__.columns}
    linking = {"right_id", "current_right_id", "channel", "proxy_id", "weight_area", "cast_at"}
    assert linking <= columns  # they exist for named votes…
    for ballot in db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote.id)):
        assert all(getattr(ballot, name) is None for name in linking)  # …and stay empty in secret ones
        assert (ballot.answers, ballot.selected, ballot.options) == ("", "", "")  # only ciphertext while open
    with pytest.raises(ValueError, match="sealed"):
        results.counts(vote)  # no partial result exists before the seal
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    counts = results.counts(vote)
    assert counts.participation.area == Decimal("271.12")  # 200.00 + 71.12, from the sealed ballots' areas


def test_a_replaced_named_ballot_is_not_counted_but_kept(estate, make_vote):
    vote = make_vote(allow_change=True)
    right = electorate.right_of(vote, estate.people.one)
    box.cast(vote, right, box.Choices({vote.items[0].key: "yes"}))
    box.cast(vote, right, box.Choices({vote.items[0].key: "no"}))
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    report = verify(vote)
    assert report.ok and report.ballot_count == 1
    assert report.results.items[0][1].no.heads == 1
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.vote_id == vote.id)) == 2


def test_ballot_weight_is_the_right_area(estate, make_vote):
    vote = make_vote()
    cast_all(estate, vote, {"developer": ("yes", "yes")})
    ballot = db.session.scalar(sa.select(Ballot).where(Ballot.vote_id == vote.id))
    right = db.session.get(VotingRight, ballot.right_id)
    assert ballot.weight_area == right.area_m2 == Decimal("240.00")
