"""Concurrency on PostgreSQL: one ballot per voting right under simultaneous submission, and no lost ballots.

These tests need real concurrent transactions, so they cannot use the rollback-per-test `database` fixture. The
module builds its own data with real commits in its own PostgreSQL schema (`concurrency`, migrated by
`flask_migrate.upgrade()` and dropped at the end), so nothing it commits is seen by the other tests.

They run only on PostgreSQL (PORTAL_TEST_DATABASE_URL=postgresql...), where the races are real: the suite's SQLite
run deselects them (marker `postgresql`, see tests/conftest.py). CI runs the suite on both databases.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.refusals import Refused
from portal.voting import box, lifecycle, results, tally, verify
from portal.voting.models import (
    Ballot,
    Participation,
    Vote,
    VoteStatus,
    VotingRight,
)
from tests.conftest import PASSWORD, TEST_DATABASE_URL, make_app
from tests.voting.committed import OWNERS, build_compound, open_vote

pytestmark = pytest.mark.postgresql

SCHEMA = "concurrency"
SAME_RIGHT_THREADS = 50
POOL_THREADS = 20
ANSWERS = ("yes", "no", "abstain")


def _schema_engine_options() -> dict:
    # Enough connections for 50 threads holding one each at the starting line, and no more (the server is shared).
    return {
        "connect_args": {"options": f"-csearch_path={SCHEMA}"},
        "pool_size": SAME_RIGHT_THREADS + 2,
        "max_overflow": 0,
        "pool_timeout": 60,
    }


@pytest.fixture(scope="module")
def world(password_hash):
    """A committed compound of 200 single-unit owners and a staff member, in the module's own schema."""
    from flask_migrate import upgrade

    from portal.config import normalise_database_url

    admin = sa.create_engine(normalise_database_url(TEST_DATABASE_URL))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=_schema_engine_options())
    try:
        with app.app_context():
            upgrade()
            people = build_compound(password_hash)
        yield SimpleNamespace(app=app, **people)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        admin.dispose()


def _rights(world, vote_id: int) -> dict[int, tuple[int, Decimal]]:
    """right id → (person id, area) of a vote."""
    with world.app.app_context():
        rows = db.session.execute(
            sa.select(VotingRight.id, VotingRight.person_id, VotingRight.area_m2).where(VotingRight.vote_id == vote_id)
        ).all()
        db.session.remove()
    return {right_id: (person_id, area) for right_id, person_id, area in rows}


def _choices(vote: Vote, seed: int) -> box.Choices:
    """Answers drawn from a seed, with some items left blank (a blank counts as abstain)."""
    pick = random.Random(seed)
    return box.Choices({item.key: pick.choice((*ANSWERS, None)) for item in vote.items})


def _cast(app, vote_id: int, right_id: int, seed: int, barrier: threading.Barrier | None) -> tuple[str, str | None]:
    """One voter's submission in its own app context, session and transaction; ('cast', receipt) or (code, None)."""
    with app.app_context():
        try:
            vote = db.session.get(Vote, vote_id)
            right = db.session.get(VotingRight, right_id)
            choices = _choices(vote, seed)
            if barrier is not None:
                barrier.wait(timeout=60)  # everyone holds a connection and has read the vote: go at once
            try:
                receipt = box.cast(vote, right, choices, actor=right.person)
                db.session.commit()
            except Refused as error:
                db.session.rollback()
                return error.code, None
            return "cast", receipt
        finally:
            db.session.remove()


def _close_and_check_digest(world, vote_id: int, expected_count: int) -> Vote:
    """Close through the lifecycle (which seals the box), then recompute the digest; return the closed vote."""
    from portal.accounts.models import Person

    vote = db.session.get(Vote, vote_id)
    lifecycle.transition(vote, VoteStatus.closed, db.session.get(Person, world.staff_id), reason="测试")
    db.session.commit()
    assert vote.ballot_count == expected_count
    assert box.compute_digest(vote) == (expected_count, vote.digest)
    report = verify.verify(vote)  # recounts from the ballots and recomputes the digest
    assert report.ok is True and not report.problems, report
    return vote


def test_fifty_simultaneous_submissions_for_one_right_leave_one_ballot(world):
    vote_id = open_vote(world, "named")
    right_id = next(iter(_rights(world, vote_id)))
    barrier = threading.Barrier(SAME_RIGHT_THREADS)
    with ThreadPoolExecutor(SAME_RIGHT_THREADS) as pool:
        futures = [
            pool.submit(_cast, world.app, vote_id, right_id, seed, barrier) for seed in range(SAME_RIGHT_THREADS)
        ]
        outcomes = [future.result(timeout=120) for future in futures]

    codes = Counter(code for code, _receipt in outcomes)
    assert codes == {"cast": 1, "already_voted": SAME_RIGHT_THREADS - 1}
    (receipt,) = [r for code, r in outcomes if code == "cast"]
    with world.app.app_context():
        participations = db.session.scalars(sa.select(Participation).where(Participation.vote_id == vote_id)).all()
        ballots = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote_id)).all()
        assert [p.right_id for p in participations] == [right_id]
        assert len(ballots) == 1
        assert ballots[0].current_right_id == right_id
        assert ballots[0].receipt_hash == box.receipt_hash(receipt)
        db.session.remove()


def test_fifty_simultaneous_http_submissions_for_one_right_leave_one_ballot(world):
    """The same race through the ballot page: 50 browser tabs of one owner press submit at once."""
    vote_id = open_vote(world, "named")
    rights = _rights(world, vote_id)
    right_id, (person_id, _area) = next(iter(rights.items()))
    with world.app.app_context():
        vote = db.session.get(Vote, vote_id)
        form = {"step": "confirm", **{f"item_{item.id}": "y" for item in vote.items}}
        account_no = db.session.get(VotingRight, right_id).person.account_no
        db.session.remove()
    first = world.app.test_client()
    assert first.post("/login", data={"login": account_no, "password": PASSWORD}).status_code == 303
    cookie = first.get_cookie("session").value
    url = f"/c/binfa/votes/{vote_id}/ballot"
    barrier = threading.Barrier(SAME_RIGHT_THREADS)

    def submit(_n):
        client = world.app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait(timeout=60)
        response = client.post(url, data=form)
        return response.status_code, response.headers.get("Location", "")

    with ThreadPoolExecutor(SAME_RIGHT_THREADS) as pool:
        responses = list(pool.map(submit, range(SAME_RIGHT_THREADS), timeout=120))

    assert {status for status, _location in responses} == {303}, responses
    to_receipt = [location for _status, location in responses if "/receipt" in location]
    assert len(to_receipt) == 1, responses  # the others are sent back to the vote page with a message
    with world.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Participation.vote_id == vote_id)) == 1
        ballots = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote_id)).all()
        assert [b.current_right_id for b in ballots] == [right_id]
        db.session.remove()


def _two_hundred_at_once(world, vote_id: int) -> tuple[dict[int, tuple[int, Decimal]], dict[int, str]]:
    """Every right of the vote submits once from a pool of 20 threads started together; returns rights, receipts."""
    rights = _rights(world, vote_id)
    assert len(rights) == OWNERS
    barrier = threading.Barrier(POOL_THREADS)
    started = threading.local()

    def run(right_id):
        # The first submission of each pool thread waits at the starting line, so all 20 begin together.
        waiting = None if getattr(started, "done", False) else barrier
        started.done = True
        return right_id, _cast(world.app, vote_id, right_id, right_id, waiting)

    with ThreadPoolExecutor(POOL_THREADS) as pool:
        outcomes = list(pool.map(run, sorted(rights), timeout=180))
    assert Counter(code for _right, (code, _receipt) in outcomes) == {"cast": OWNERS}
    receipts = {right_id: receipt for right_id, (_code, receipt) in outcomes}
    assert len(set(receipts.values())) == OWNERS
    return rights, receipts


def _expected_totals(world, vote_id: int, rights) -> dict[str, list]:
    """What the 200 submissions add up to, from the seeds each thread used: "item:<id>:<answer>" → [heads, area]."""
    totals: dict[str, list] = {}
    with world.app.app_context():
        vote = db.session.get(Vote, vote_id)
        for right_id, (_person, area) in rights.items():
            for key, answer in _choices(vote, right_id).answers.items():
                row = totals.setdefault(f"item:{key}:{answer or 'abstain'}", [0, Decimal("0.00")])
                row[0] += 1
                row[1] += area
        db.session.remove()
    return totals


def test_two_hundred_voters_at_once_leave_two_hundred_ballots_and_a_digest_that_verifies(world):
    vote_id = open_vote(world, "named")
    rights, receipts = _two_hundred_at_once(world, vote_id)
    expected = _expected_totals(world, vote_id, rights)
    with world.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Participation.vote_id == vote_id)) == OWNERS
        vote = _close_and_check_digest(world, vote_id, OWNERS)
        ballots = box.counted_ballots(vote)
        # Nothing lost, nothing doubled: each right's one ballot, with its receipt and its own area.
        assert sorted(b.right_id for b in ballots) == sorted(rights)
        assert {b.right_id: b.receipt_hash for b in ballots} == {r: box.receipt_hash(c) for r, c in receipts.items()}
        assert all(b.weight_area == rights[b.right_id][1] for b in ballots)
        stored: dict[str, list] = {}
        for ballot in ballots:
            for key, answer in json.loads(ballot.answers).items():
                row = stored.setdefault(f"item:{key}:{answer}", [0, Decimal("0.00")])
                row[0] += 1
                row[1] += ballot.weight_area
        assert stored == expected
        db.session.remove()


def test_two_hundred_secret_voters_at_once_are_all_sealed_and_counted_exactly(world):
    vote_id = open_vote(world, "secret")
    rights, receipts = _two_hundred_at_once(world, vote_id)
    expected = _expected_totals(world, vote_id, rights)
    total = sum((area for _person, area in rights.values()), Decimal("0.00"))
    with world.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Participation.vote_id == vote_id)) == OWNERS
        vote = _close_and_check_digest(world, vote_id, OWNERS)
        # Nothing lost at the seal: every ciphertext decrypted, and the counts from the sealed ballots are exact.
        counted = results.counts(vote)
        assert (counted.participation.heads, counted.participation.area) == (OWNERS, total)
        for key, (heads, area) in expected.items():
            _item, item_id, answer = key.split(":")
            found = counted.items[item_id][tally.Answer(answer)]
            assert (found.heads, found.area) == (heads, area)
        ballots = box.counted_ballots(vote)
        assert len(ballots) == OWNERS
        assert {b.receipt_hash for b in ballots} == {box.receipt_hash(c) for c in receipts.values()}
        assert all(b.right_id is None and b.weight_area is None for b in ballots)
        db.session.remove()
