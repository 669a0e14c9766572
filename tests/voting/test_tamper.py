"""Quiet rewrites of a sealed box, by someone who can write the database, caught by `verify-vote --digest`.

Each attack edits one thing the result depends on; the careful attacker then re-seals (stores a fresh digest and
count on the vote row), so only the digest printed on the notice, which they cannot change, still catches it.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, electorate, lifecycle
from portal.voting.models import Ballot, Vote, VoteStatus, VotingRight
from portal.voting.verify import verify


def _flip(ballot: Ballot) -> None:
    answers = json.loads(ballot.answers)
    first = next(iter(answers))
    answers[first] = "no" if answers[first] != "no" else "yes"
    ballot.answers = json.dumps(answers, separators=(",", ":"))


def _edit_ballot(vote: Vote) -> None:
    _flip(db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote.id)).first())


def _edit_roll_area(vote: Vote) -> None:
    right = db.session.scalar(sa.select(VotingRight).where(VotingRight.vote_id == vote.id, VotingRight.ordinal == 1))
    right.area_m2 += 1000  # and the totals with it, so that the roll still adds up
    vote.electorate_area += 1000


def _edit_electorate_heads(vote: Vote) -> None:
    db.session.execute(sa.update(Vote).where(Vote.id == vote.id).values(electorate_heads=10))
    db.session.refresh(vote)


def _edit_item_category(vote: Vote) -> None:
    from portal.voting.models.vote import Art278Category

    vote.items[1].category = Art278Category.other  # a major matter quietly made ordinary: 3/4 becomes 1/2


ATTACKS = {
    "ballot": _edit_ballot,
    "roll": _edit_roll_area,
    "electorate_heads": _edit_electorate_heads,
    "item_category": _edit_item_category,
}


@pytest.fixture(params=["named", "secret"])
def published(request, estate, make_vote):
    """A sealed vote and the digest printed on its notice."""
    vote = make_vote(secrecy=request.param)
    for person, answers in {"buyer": ("yes", "yes"), "developer": ("yes", "no"), "one": ("no", None)}.items():
        right = electorate.right_of(vote, getattr(estate.people, person))
        box.cast(vote, right, box.Choices(dict(zip((i.key for i in vote.items), answers, strict=True))))
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    return vote, vote.digest


def _cli(app, vote: Vote, digest: str):
    return app.test_cli_runner().invoke(args=["portal", "verify-vote", str(vote.id), "--digest", digest])


def test_an_untouched_box_matches_its_published_digest(app, published):
    vote, digest = published
    assert verify(vote, published=digest).ok
    result = _cli(app, vote, digest)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("reseal", [False, True], ids=["as_left", "resealed"])
def test_every_quiet_rewrite_is_caught_by_the_published_digest(app, published, attack, reseal):
    vote, digest = published
    ATTACKS[attack](vote)
    db.session.flush()
    if reseal:
        vote.ballot_count, vote.digest = box.compute_digest(vote)
        db.session.flush()
    report = verify(vote, published=digest)
    assert not report.ok
    assert any("published" in problem for problem in report.problems)
    db.session.commit()
    result = _cli(app, vote, digest)
    assert result.exit_code == 1 and "differs from the published" in result.output


def test_a_changed_electorate_total_is_caught_even_without_the_published_digest(published):
    vote, _digest = published
    _edit_electorate_heads(vote)
    vote.ballot_count, vote.digest = box.compute_digest(vote)  # re-sealed over the lie
    report = verify(vote)
    assert any("its roll has" in problem for problem in report.problems)
