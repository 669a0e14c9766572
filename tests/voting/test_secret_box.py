"""Secret ballots against someone holding the database: each linking attack of issue 10, written as the attack.

The attacker knows who took part (the participation rows) and wants to know how each of them voted. We know the
truth: each owner's receipt, which the sealed ballot carries as its hash. An attack "finds nothing" when pairing
ballots with participations its way matches no more owners than chance does (a random pairing of 16 matches one on
average; 8 or more happens about once in 100,000 runs).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.voting import ballot_key, box, electorate, lifecycle, results, sealing
from portal.voting.models import Ballot, PaperEntry, Participation, VoteStatus, VotingRight
from portal.voting.verify import verify

OWNERS = 16
CHANCE = OWNERS // 2
ANSWER_SETS = [(a, b) for a in box.ANSWERS for b in box.ANSWERS]


@pytest.fixture
def crowd(estate, make):
    """Sixteen more single owners with distinct areas, so that a per-ballot area would point to one room."""
    people = []
    for n in range(OWNERS):
        person = make.person(f"业主{n:02d}")
        make.unit(estate.compound, f"5{n:02d}", f"{60 + n}.{n:02d}", building="5栋", owners=[person])
        make.member(person, estate.compound)
        people.append(person)
    return people


@pytest.fixture
def sealed(estate, crowd, make_vote):
    """A secret resolution where the sixteen owners cast one by one (each its own transaction), then sealed."""
    vote = make_vote(secrecy="secret")
    receipts = {}
    for n, person in enumerate(crowd):
        right = electorate.right_of(vote, person)
        answers = ANSWER_SETS[n % len(ANSWER_SETS)]
        receipts[right.id] = box.cast(
            vote, right, box.Choices(dict(zip((i.key for i in vote.items), answers, strict=True)))
        )
        db.session.commit()
    during = _rows("ballot", vote.id)
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    return vote, receipts, during


def _rows(table: str, vote_id: int) -> list[dict]:
    query = sa.text(f"SELECT * FROM {table} WHERE vote_id = :v")  # noqa: S608 (table names from the tests)
    return [dict(r._mapping) for r in db.session.execute(query, {"v": vote_id})]


def _matched(vote, receipts, participations: list[int], ballots: list[str]) -> int:
    """How many owners an attack pairing the i-th participation with the i-th ballot identifies correctly."""
    return sum(
        box.receipt_hash(receipts[right_id]) == receipt
        for right_id, receipt in zip(participations, ballots, strict=True)
    )


def _physical(table, vote_id: int, column: str) -> list:
    """The rows in the order they lie on disk (ctid on PostgreSQL, rowid on SQLite)."""
    order = "ctid" if db.session.connection().dialect.name == "postgresql" else "rowid"
    query = sa.text(f"SELECT {column} FROM {table} WHERE vote_id = :v ORDER BY {order}")  # noqa: S608
    return list(db.session.scalars(query, {"v": vote_id}))


def test_while_open_the_database_holds_no_choice_and_no_total(sealed):
    vote, _receipts, during = sealed
    assert len(during) == OWNERS
    for row in during:
        assert (row["answers"], row["selected"], row["options"]) == ("", "", "")
        assert row["right_id"] is None and row["weight_area"] is None and row["cast_at"] is None
        plain = {k: v for k, v in row.items() if k != "encrypted"}  # base64 may spell anything by chance
        for word in ("yes", "abstain", '"no"'):
            assert word not in json.dumps(plain, default=str)
        assert sealing.decrypt_ballot(vote.id, row["encrypted"]).area_cents > 0
    # every ciphertext has the same length whatever was chosen
    assert len({len(row["encrypted"]) for row in during}) == 1
    # the receipt is filed under a keyed tag while open: the public hash of no receipt appears
    public = {box.receipt_hash(code) for code in _receipts.values()}
    assert not public & {row["receipt_hash"] for row in during}
    # nothing else in the schema keeps a running total (the counters table is gone)
    assert "secret_counter" not in sa.inspect(db.session.connection()).get_table_names()


def test_after_the_seal_physical_order_links_nobody(sealed):
    vote, receipts, _ = sealed
    participations = _physical("participation", vote.id, "right_id")
    ballots = _physical("ballot", vote.id, "receipt_hash")
    assert len(ballots) == OWNERS
    assert _matched(vote, receipts, participations, ballots) < CHANCE


def test_after_the_seal_ids_and_timestamps_link_nobody(sealed):
    vote, receipts, _ = sealed
    participations = list(
        db.session.scalars(
            sa.select(Participation.right_id).where(Participation.vote_id == vote.id).order_by(Participation.id)
        )
    )
    by_id = list(
        db.session.scalars(sa.select(Ballot.receipt_hash).where(Ballot.vote_id == vote.id).order_by(Ballot.id))
    )
    assert _matched(vote, receipts, participations, by_id) < CHANCE
    for row in _rows("ballot", vote.id):
        assert row["cast_at"] is None and row["replaced_at"] is None  # no time on a secret ballot
        assert len(row["id"]) == 32  # random hex, not a sequence


def test_after_the_seal_the_dump_order_links_nobody(sealed):
    vote, receipts, _ = sealed
    raw = db.session.connection().connection.dbapi_connection
    wanted = {box.receipt_hash(code) for code in receipts.values()}
    if db.session.connection().dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy("COPY ballot TO STDOUT") as copy:  # what pg_dump runs
            dumped = b"".join(bytes(block) for block in copy).decode()
    else:
        dumped = "\n".join(raw.iterdump())  # what sqlite3 .dump writes
    order = sorted(wanted, key=dumped.find)
    assert all(dumped.find(h) >= 0 for h in wanted)
    participations = _physical("participation", vote.id, "right_id")
    assert _matched(vote, receipts, participations, order) < CHANCE


@pytest.mark.postgresql
def test_after_the_seal_no_ballot_shares_a_transaction_with_a_participation(sealed):
    vote, _receipts, during = sealed
    ballots = set(db.session.scalars(sa.text("SELECT xmin::text FROM ballot WHERE vote_id = :v"), {"v": vote.id}))
    participations = set(
        db.session.scalars(sa.text("SELECT xmin::text FROM participation WHERE vote_id = :v"), {"v": vote.id})
    )
    assert len(participations) == OWNERS  # each cast was its own transaction: the attack would work on them
    assert len(ballots) == 1 and not ballots & participations  # every sealed ballot was written by the seal


def test_the_sealed_box_counts_exactly_and_keeps_no_plain_area(sealed, crowd):
    vote, _receipts, _ = sealed
    rows = _rows("ballot", vote.id)
    areas = {str(Decimal(f"{60 + n}.{n:02d}")) for n in range(OWNERS)}
    for row in rows:
        assert row["weight_area"] is None
        plain = {k: v for k, v in row.items() if k != "encrypted"}
        assert not any(area in json.dumps(plain, default=str) for area in areas)
    report = verify(vote)
    assert report.ok, report.problems
    assert report.results.participation.area == sum((Decimal(a) for a in areas), Decimal("0.00"))
    first = report.results.items[0][1]
    expected_yes = sum(Decimal(f"{60 + n}.{n:02d}") for n in range(OWNERS) if ANSWER_SETS[n % 9][0] == "yes")
    assert first.yes.area == expected_yes


def test_receipts_are_found_before_and_after_the_seal(estate, make_vote):
    vote = make_vote(secrecy="secret")
    receipt = box.cast(vote, electorate.right_of(vote, estate.people.one), box.Choices({vote.items[0].key: "no"}))
    code = box.public_code(receipt)  # what the voter is shown
    assert box.receipt_in_box(vote, code) and not box.receipt_in_box(vote, box.public_code(box.new_receipt()))
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    assert box.receipt_in_box(vote, code) and not box.receipt_in_box(vote, box.public_code(box.new_receipt()))
    assert box.receipt_hash(receipt)[:16] in box.receipt_fingerprints(vote) and code in box.receipt_codes(vote)


def test_moving_area_between_sealed_ballots_is_caught_even_after_resealing(sealed):
    vote, _receipts, _ = sealed
    first, second = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote.id).limit(2)).all()
    first.encrypted, second.encrypted = second.encrypted, first.encrypted
    db.session.flush()
    vote.ballot_count, vote.digest = box.compute_digest(vote)  # the attacker re-seals
    report = verify(vote)
    assert not report.ok and any("cannot be read" in p for p in report.problems)


def test_a_wrong_ballot_key_stops_start_up_while_a_secret_vote_is_open(app, estate, make_vote, monkeypatch):
    vote = make_vote(secrecy="secret")
    ballot_key.check(app)  # the right key: starts
    monkeypatch.setitem(app.config, "PORTAL_BALLOT_KEY", "ab" * 32)
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION, None)
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION + ".votes", {})
    with pytest.raises(ballot_key.BallotKeyError, match=rf"\[{vote.id}\]"):
        ballot_key.check(app)


def test_a_ballot_that_cannot_be_decrypted_stops_the_seal_and_nothing_is_written(estate, make_vote):
    vote = make_vote(secrecy="secret")
    box.cast(vote, electorate.right_of(vote, estate.people.one), box.Choices({vote.items[0].key: "no"}))
    db.session.execute(sa.update(Ballot).where(Ballot.vote_id == vote.id).values(encrypted="AAAA" * 20))
    with pytest.raises(sealing.SealError):
        lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.rollback()
    assert db.session.get(type(vote), vote.id).status == VoteStatus.open


def test_paper_entries_of_a_secret_vote_are_encrypted_and_still_pair(estate, make_vote):
    vote = make_vote(secrecy="secret")
    right = db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, ordinal=1))

    from portal.voting import sheets

    sheets.receive_envelope(vote, right, estate.people.staff)  # a secret vote's sheet: after its envelope, by code
    sheets.enter_sheet(
        vote, sheets.sheet_code(vote.id, right.id), box.Choices({vote.items[0].key: "no"}), estate.people.staff
    )
    waiting = db.session.scalar(sa.select(PaperEntry))
    assert waiting.answers == "{}" and waiting.encrypted and not waiting.encrypted.startswith(("{", "["))
    assert sealing.decrypt_paper(vote.id, right.id, waiting.encrypted)[0] == json.dumps(
        {vote.items[0].key: "no", vote.items[1].key: "abstain"}, separators=(",", ":")
    )
    assert results.electorate_weight(vote).heads == vote.electorate_heads


def test_the_ballot_key_file_is_created_private_and_kept(app, tmp_path, monkeypatch):
    path = tmp_path / "keys" / "ballot.key"
    monkeypatch.setitem(app.config, "PORTAL_BALLOT_KEY", None)
    monkeypatch.setitem(app.config, "PORTAL_BALLOT_KEY_FILE", str(path))
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION, None)
    key = ballot_key.master(app)
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION, None)
    assert ballot_key.master(app) == key  # read back after a restart, not made anew
    path.write_text("not a key")
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION, None)
    with pytest.raises(ballot_key.BallotKeyError, match="64 hexadecimal"):
        ballot_key.master(app)


def test_removing_old_rows_on_sqlite_leaves_the_pooled_connection_waiting_for_the_writer(tmp_path):
    from sqlalchemy.pool import QueuePool

    from portal.db import SQLITE_BUSY_TIMEOUT_MS

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'wal.sqlite3'}", poolclass=QueuePool, pool_size=1, max_overflow=0)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE ballot (id TEXT)")
        sealing.remove_old_rows(engine)
        with engine.connect() as connection:  # the same pooled connection, handed to the next request
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        engine.dispose()


def test_removing_old_rows_never_waits_behind_another_writer(app, tmp_path):
    import sqlite3
    import time

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE ballot (id TEXT)")
        writer = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another request holds the write lock
        started = time.monotonic()
        with app.test_request_context(method="POST"):  # a closing request: its transactions begin IMMEDIATE
            sealing.remove_old_rows(engine)
        assert time.monotonic() - started < 1
        writer.rollback()
        writer.close()
    finally:
        engine.dispose()
