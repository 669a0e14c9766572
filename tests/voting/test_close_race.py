"""Close against cast (issue 10, item 6): a ballot is either stored before the seal, and sealed with the box, or refused
because the vote is closed; no participation is later than `closed_at`, and `verify-vote` passes.

Closing takes the vote row FOR UPDATE and every casting path takes it FOR SHARE before reading the vote's state
(`portal/voting/locks.py`); on SQLite each writing request holds the single write lock from BEGIN IMMEDIATE.

The races need committed data seen by other connections (and, for the gunicorn test, other processes), so this module
builds its own world with real commits: on PostgreSQL in its own schema (`close_race`, dropped at the end), on SQLite
in a file of its own. The gunicorn test runs only on PostgreSQL (marker `postgresql`, see tests/conftest.py).
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import box, casting, locks, verify
from portal.voting.models import (
    Ballot,
    Participation,
    Vote,
    VoteStatus,
    VotingRight,
)
from tests import serving
from tests.bench.client import Connection, Session
from tests.conftest import PASSWORD, TEST_DATABASE_URL, make_app
from tests.queries import count_queries
from tests.voting.committed import OWNERS, SLUG, build_compound, confirm, item_ids, open_vote

SCHEMA = "close_race"
BALLOT_KEY = secrets.token_hex(32)  # the in-process app and gunicorn must read secret ballots with the same key
SECRET_KEY = secrets.token_hex(32)
WAIT_S = 0.5  # how long a blocked request is watched to stay blocked
RUNS = 20
WORKERS, WORKER_THREADS, CLIENT_THREADS = 4, 2, 16
POSTGRES = not TEST_DATABASE_URL.startswith("sqlite")


# --- a committed world ------------------------------------------------------------------------------------------------


def _world_url(tmp_path_factory) -> str:
    """PostgreSQL: the test database with the module's schema first on the search path; SQLite: a file of its own."""
    from portal.config import normalise_database_url

    if not POSTGRES:
        return "sqlite:///" + str(tmp_path_factory.mktemp("close-race") / "world.sqlite3")
    url = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL))
    return url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)


def _drop_schema() -> None:
    from portal.config import normalise_database_url

    admin = sa.create_engine(normalise_database_url(TEST_DATABASE_URL))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    admin.dispose()


@pytest.fixture(scope="module")
def world(password_hash, tmp_path_factory):
    """200 single-unit owners and a staff member, committed (see test_concurrency), on either database."""
    from flask_migrate import upgrade

    url = _world_url(tmp_path_factory)
    if POSTGRES:
        _drop_schema()
        admin = sa.create_engine(url.split("?")[0])
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
        admin.dispose()
    app = make_app(
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=SECRET_KEY,
        PORTAL_BALLOT_KEY=BALLOT_KEY,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 8, "max_overflow": 0} if POSTGRES else {},
    )
    try:
        with app.app_context():
            upgrade()
            people = build_compound(password_hash)
            db.session.remove()
        yield SimpleNamespace(app=app, url=url, **people)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if POSTGRES:
            _drop_schema()


def _check_box(world, vote_id: int, acknowledged: int) -> None:
    """The sealed box holds exactly the acknowledged ballots, none later than the close, and it verifies."""
    with world.app.app_context():
        vote = db.session.get(Vote, vote_id)
        assert vote.status == VoteStatus.closed
        ballots = db.session.scalar(sa.select(sa.func.count()).where(Ballot.vote_id == vote_id))
        participations = db.session.scalar(sa.select(sa.func.count()).where(Participation.vote_id == vote_id))
        assert (vote.ballot_count, ballots, participations) == (acknowledged, acknowledged, acknowledged)
        latest = db.session.scalar(sa.select(sa.func.max(Participation.at)).where(Participation.vote_id == vote_id))
        assert latest is None or latest < vote.closed_at, (latest, vote.closed_at)
        report = verify.verify(vote)
        assert report.ok, report
        db.session.remove()


def _logged_in(app, account_no: str):
    """A test client logged in through the real form."""
    client = app.test_client()
    response = client.post("/login", data={"login": account_no, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return client


def _close_form() -> dict[str, str]:
    # Closing before `closes_at` is an early close: staff only, with a reason.
    return {"target": VoteStatus.closed.value, "reason": "测试：投票中途提前结束", "confirm": "y"}


# --- one session: a vote loaded before it closed ----------------------------------------------------------------------


def _right_of(vote, person) -> VotingRight:
    return db.session.scalar(
        sa.select(VotingRight).where(VotingRight.vote_id == vote.id, VotingRight.person_id == person.id)
    )


def test_a_cast_with_the_vote_loaded_before_it_closed_is_refused(app, estate, make_vote):
    vote = make_vote()
    person = estate.people.one
    right = _right_of(vote, person)
    choices = box.Choices({item.key: "yes" for item in vote.items})
    # Closed by someone else after this request loaded the vote: the copy in hand still says open.
    db.session.execute(
        sa.update(Vote.__table__).where(Vote.__table__.c.id == vote.id).values(status="closed", closed_at=utcnow())
    )
    assert vote.status == VoteStatus.open
    with pytest.raises(Refused) as refused:
        box.cast(vote, right, choices, actor=person)
    assert refused.value.code == "vote_not_open"
    assert casting.try_cast("lvyuan", vote.id, person, lambda _vote: choices) is None
    assert db.session.scalar(sa.select(sa.func.count()).where(Participation.vote_id == vote.id)) == 0


def test_the_quick_path_reads_and_locks_the_vote_in_one_statement(app, estate, make_vote, monkeypatch):
    vote = make_vote()
    person = estate.people.one
    choices = box.Choices({item.key: "no" for item in vote.items})
    casting._open_vote(vote.id, vote.opened_at, vote.closes_at)  # this process's copy, as after the first ballot
    db.session.refresh(person)  # the request's user is loaded before casting starts
    before_store: list[int] = []
    original = box.cast_unused

    def store(*args, **kwargs):
        before_store.append(len(statements))
        return original(*args, **kwargs)

    monkeypatch.setattr(box, "cast_unused", store)
    with count_queries() as statements:
        assert casting.try_cast("lvyuan", vote.id, person, lambda _vote: choices) is not None
    assert before_store == [1], statements  # one round trip reads the state, and on PostgreSQL locks it
    if POSTGRES:
        assert "FOR SHARE OF vote" in statements[0]
    assert not any("FOR SHARE" in s for s in statements[1:])  # and takes no second lock


# --- two requests at once, in-process, on either database -------------------------------------------------------------


def _run_crossing(pause_first, first, second):
    """Run `first` until it pauses (holding its lock), start `second`, see that it waits; then let both finish."""
    with ThreadPoolExecutor(2) as pool:
        first_done = pool.submit(first)
        assert pause_first.inside.wait(30), "the first request never reached its pause"
        second_done = pool.submit(second)
        time.sleep(WAIT_S)
        waited = not second_done.done()
        pause_first.release.set()
        return first_done.result(timeout=60), second_done.result(timeout=60), waited


def _pause() -> SimpleNamespace:
    return SimpleNamespace(inside=threading.Event(), release=threading.Event())


def test_a_close_waits_for_a_cast_under_way_and_seals_its_ballot(world, monkeypatch):
    vote_id = open_vote(world, "named")
    items = item_ids(world, vote_id)
    owner, staff = _logged_in(world.app, "c-0001"), _logged_in(world.app, "c-staff")
    pause = _pause()
    original = box.cast_unused

    def paused(*args, **kwargs):
        # The cast has read the vote as open (under FOR SHARE / the write lock) and is about to store its ballot.
        pause.inside.set()
        assert pause.release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(box, "cast_unused", paused)
    base = f"/c/{SLUG}/votes/{vote_id}"
    cast, close, waited = _run_crossing(
        pause,
        lambda: owner.post(f"{base}/ballot", data=confirm(items, "yes")),
        lambda: staff.post(f"{base}/step", data=_close_form()),
    )
    assert waited, "the close did not wait for the cast under way"
    assert cast.status_code == 303 and "/receipt" in cast.headers["Location"]
    assert close.status_code == 303, close.get_data(as_text=True)[:500]
    _check_box(world, vote_id, 1)


def test_a_cast_waits_for_a_close_under_way_and_is_refused(world, monkeypatch):
    vote_id = open_vote(world, "named")
    items = item_ids(world, vote_id)
    owner, staff = _logged_in(world.app, "c-0002"), _logged_in(world.app, "c-staff")
    pause = _pause()
    original = locks.exclusive

    def paused(vote):
        original(vote)
        # The close holds the vote row (on SQLite the write lock) and has not sealed yet.
        pause.inside.set()
        assert pause.release.wait(30)

    monkeypatch.setattr(locks, "exclusive", paused)
    base = f"/c/{SLUG}/votes/{vote_id}"
    close, cast, waited = _run_crossing(
        pause,
        lambda: staff.post(f"{base}/step", data=_close_form()),
        lambda: owner.post(f"{base}/ballot", data=confirm(items, "no")),
    )
    assert waited, "the cast did not wait for the close under way"
    assert close.status_code == 303, close.get_data(as_text=True)[:500]
    assert cast.status_code == 303 and "/receipt" not in cast.headers["Location"]
    _check_box(world, vote_id, 0)


# --- 200 owners over HTTP against 4 gunicorn workers while staff close (PostgreSQL) -----------------------------------


@pytest.fixture(scope="module")
def server(world, tmp_path_factory):
    """gunicorn serving the app on 127.0.0.1 against the world's schema: 4 gthread workers; stopped at the end."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = serving.environment(
        DATABASE_URL=world.url,
        SECRET_KEY=SECRET_KEY,
        PORTAL_BALLOT_KEY=BALLOT_KEY,
        PORTAL_ENV="production",
        PORTAL_LOGIN_LIMIT="100000 per minute",  # 201 logins from one address
    )
    with serving.gunicorn(env, log, workers=WORKERS, threads=WORKER_THREADS) as running:
        yield running


@pytest.fixture(scope="module")
def browsers(world, server):
    """Every owner and the staff member logged in once over HTTP (CSRF on, as in production)."""
    accounts = [f"c-{n:04d}" for n in range(1, OWNERS + 1)]
    sessions = {account: Session() for account in [*accounts, "c-staff"]}

    def log_in(names: list[str]) -> None:
        conn = Connection(server.port)
        try:
            for name in names:
                sessions[name].login(conn, name, PASSWORD)
        finally:
            conn.close()

    names = list(sessions)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(log_in, [names[i::8] for i in range(8)], timeout=120))
    return SimpleNamespace(owners=[sessions[a] for a in accounts], staff=sessions["c-staff"])


def _race(server, browsers, vote_id: int, items: list[int], run: int) -> SimpleNamespace:
    """Every owner submits once (16 client threads, random order) while staff close after a random number of them."""
    pick = random.Random(run)
    order = list(range(OWNERS))
    pick.shuffle(order)
    close_after = pick.randint(10, OWNERS - 20)  # answers seen before the close is sent
    close_delay = pick.uniform(0, 0.03)
    lock = threading.Condition()
    seen = {"cast": 0, "refused": 0, "answers": 0}
    errors: list[str] = []
    base = f"/c/{SLUG}/votes/{vote_id}"

    def caster() -> None:
        conn = Connection(server.port)
        try:
            while True:
                with lock:
                    if not order:
                        return
                    owner = order.pop()
                form = confirm(items, random.Random(owner).choice(box.ANSWERS))
                try:
                    response = browsers.owners[owner].post(conn, f"{base}/ballot", form)
                except Exception as error:  # noqa: BLE001 (reported below)
                    outcome, detail = "error", repr(error)
                else:
                    if response.status == 303 and "/receipt" in response.location:
                        outcome, detail = "cast", ""
                    elif response.status == 303:
                        outcome, detail = "refused", ""
                    else:
                        outcome, detail = "error", f"{response.status} {response.text[:200]}"
                with lock:
                    if outcome == "error":
                        errors.append(detail)
                    else:
                        seen[outcome] += 1
                    seen["answers"] += 1
                    lock.notify_all()
        finally:
            conn.close()

    def closer():
        with lock:
            lock.wait_for(lambda: seen["answers"] >= close_after, timeout=60)
        time.sleep(close_delay)
        conn = Connection(server.port)
        try:
            return browsers.staff.post(conn, f"{base}/step", _close_form())
        finally:
            conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS + 1) as pool:
        closing = pool.submit(closer)
        for future in [pool.submit(caster) for _ in range(CLIENT_THREADS)]:
            future.result(timeout=120)
        close = closing.result(timeout=60)
    assert not errors, errors[:5]
    assert close.status == 303, close.text[:500]
    return SimpleNamespace(cast=seen["cast"], refused=seen["refused"], seconds=time.perf_counter() - started)


@pytest.mark.postgresql
@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_two_hundred_owners_casting_over_gunicorn_while_staff_close_seal_exactly_the_stored_ballots(
    world, server, browsers, secrecy
):
    outcomes = []
    for run in range(RUNS):
        vote_id = open_vote(world, secrecy)
        outcome = _race(server, browsers, vote_id, item_ids(world, vote_id), run)
        _check_box(world, vote_id, outcome.cast)
        outcomes.append(outcome)
    print(  # noqa: T201 (the figures of the run, shown with -s)
        f"\n{secrecy}: sealed per run {[o.cast for o in outcomes]}, refused {[o.refused for o in outcomes]}, "
        f"{sum(o.seconds for o in outcomes):.1f} s of casting"
    )
    # The close landed while owners were casting (some ballots in, some refused), not before or after them all.
    assert sum(1 for o in outcomes if o.cast and o.refused) >= RUNS // 2
