"""Faults while owners cast (issue 11, item 11), on PostgreSQL under gunicorn on 127.0.0.1, each bounded in time:

1. one gunicorn worker killed with SIGKILL at a random moment while 200 owners cast (a named vote);
2. the app's PostgreSQL connections terminated five times while 200 owners cast (a secret vote);
3. Redis unreachable during logins, first refusing (its port closed; met by instance A's workers), then hanging
   (accepting, never answering; met by instance B's), while owners log in, fail logins and cast; then Redis back
   (a named vote);
4. two app instances (two gunicorn masters, one database, one secret key and ballot key), every owner submitting on
   both at once from two tabs with one cookie (a named and a secret vote).

Owners cast as people do: the ballot page is opened, read for a moment, and the reviewed ballot posted
(`step=confirm`); a 303 to the receipt page is the acknowledgement, a 303 elsewhere the refusal (the right was used
already). A broken connection, a 5xx or a timeout is pressed again after a short pause, at most ATTEMPTS times. In
scenarios 1 and 2 a few owners' first answers are also dropped on purpose after the commit (a fault loses such
answers only by chance), so that receipts after a lost acknowledgement are checked on every run. After each scenario:

- 0 lost: every acknowledged ballot is in the box; a refusal while the vote was open means the right had been used;
- 0 doubled: at most one participation per voting right, exactly one counted ballot per used right (named votes),
  as many ballots as participations; closed by staff over HTTP, the sealed count is the participation count, and
  `verify` passes (in-process, and once more through `flask portal verify-vote`);
- receipts: every owner whose right was used, also one whose acknowledgement was lost, sees a receipt code on
  /receipt while logged in (in scenario 4 through both instances, the same code), and that code is in the box before
  and after the seal; nobody else sees one, and no two owners the same;
- the app serves again within RECOVERY_S of the fault's end (the kill returned, the terminating query returned,
  Redis relayed again), polled every POLL_S: an owner's vote page after the kill, /readyz after a termination, a
  login (and /readyz) after Redis, /readyz on both instances after the crossing submissions.

The servers reach the world through their own schema (`faults`, dropped at the end) with their own
`application_name`, which scenario 2 terminates and nothing else (the checks in this process use another name), and
Redis through a relay in this process (`RedisRelay`) on a loopback port, which scenario 3 cuts; Redis database
REDIS_DB is flushed at the start and the end. Run alone: about a minute."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import secrets
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from portal.config import normalise_database_url
from portal.extensions import db
from portal.ratelimits import REDIS_TIMEOUT_S
from portal.voting import box, verify
from portal.voting.models import Ballot, Participation, Secrecy, Vote, VoteStatus, VotingRight
from tests import serving
from tests.bench.client import HOST, RECEIPT, Connection, Session
from tests.conftest import PASSWORD, TEST_DATABASE_URL, make_app
from tests.voting.committed import OWNERS, SLUG, build_compound, confirm, item_ids, open_vote

SCHEMA = "faults"
SERVER_NAME = "linli-faults"  # application_name of the gunicorn instances' connections: what scenario 2 ends
CHECKS_NAME = "linli-faults-checks"  # this process's connections, never terminated
BALLOT_KEY = secrets.token_hex(32)  # the in-process app and both instances read secret ballots with the same key
SECRET_KEY = secrets.token_hex(32)  # and accept each other's session cookies
WORKERS, WORKER_THREADS, CLIENT_THREADS = 4, 2, 16
SECOND_WORKERS = 2  # instance B of scenario 4
RECOVERY_S = 1.0  # the figure: serving again within a second of the fault's end
POLL_S = 0.02  # how often recovery is polled
PROBE_S = 2.0  # one probe's timeout
ATTEMPT_S = 5.0  # one press's timeout: a request that hangs fails this press, not the run
ATTEMPTS = 20  # presses of one ballot at most (and none after the scenario's deadline)
READING_S = 0.3  # an owner reads the ballot for up to this long before submitting it: sixteen clients that never
# paused would keep every worker's queue full, and recovery would measure that queue (half a second on two cores),
# not the fault
PRESS_PAUSE_S = 0.05  # between two presses, as a person waits a moment before pressing again
SCENARIO_S = 90.0  # any wait of a scenario at most
DROPPED = 4  # owners in scenarios 1 and 2 whose first answer is lost after its commit, for certain
LOGIN_S = 2.0  # a login answers within this even while Redis refuses or hangs (its timeout is 0.5 s)
REDIS_DB = 9  # CI's runs use databases 14 and 15
REDIS_UPSTREAM = urlsplit(os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
TERMINATE = sa.text(
    # pg_terminate_backend(pid, timeout) waits (up to 1 s) until the backend is gone: the fault has ended when this
    # query returns.
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 1000)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = :name"
)
FORM = "application/x-www-form-urlencoded"
FALLBACK_WARNING = "Rate limit storage unreachable - falling back to in-memory storage"  # Flask-Limiter's lines
RECOVERED = "Rate limit storage recovered"


# --- the world, the Redis relay and the servers -----------------------------------------------------------------------


def _world_url(application_name: str) -> str:
    """The test database with the module's schema first on the search path, connecting as `application_name`."""
    url = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL))
    query = {"options": f"-csearch_path={SCHEMA}", "application_name": application_name}
    return url.update_query_dict(query).render_as_string(hide_password=False)


def _admin_engine() -> sa.Engine:
    """A connection of the test database outside the world (autocommit): schema changes and terminations."""
    return sa.create_engine(normalise_database_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")


def _drop_schema() -> None:
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    admin.dispose()


@pytest.fixture(scope="module")
def world(password_hash):
    """200 single-unit owners `c-0001`… and a staff member `c-staff`, committed in the schema `faults`."""
    from flask_migrate import upgrade

    assert not TEST_DATABASE_URL.startswith("sqlite"), "the fault tests run on PostgreSQL only (marker postgresql)"
    _drop_schema()
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    admin.dispose()
    app = make_app(
        SQLALCHEMY_DATABASE_URI=_world_url(CHECKS_NAME),
        SECRET_KEY=SECRET_KEY,
        PORTAL_BALLOT_KEY=BALLOT_KEY,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0, "pool_pre_ping": True},
    )
    try:
        with app.app_context():
            upgrade()
            people = build_compound(password_hash)
            db.session.remove()
        yield SimpleNamespace(app=app, **people)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        _drop_schema()


class RedisRelay:
    """A TCP relay on 127.0.0.1 in front of the real Redis, which a test cuts: `refuse()` closes its port and every
    relayed connection (Redis down), `blackhole()` accepts connections and passes nothing on (Redis hung),
    `restore()` relays again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        """Relay to `upstream` (host, port) from a free loopback port; call `start()`."""
        self.upstream = upstream
        self.port = serving.free_port()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()  # every socket of every relayed or held connection
        self._flowing = threading.Event()
        self._listener: socket.socket | None = None

    def url(self, database: int) -> str:
        """The Redis URL of this relay."""
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Listen and relay."""
        self._flowing.set()
        self._listen()

    def refuse(self) -> None:
        """Redis down: the port is closed (connecting is refused) and every relayed connection is cut."""
        listener, self._listener = self._listener, None
        if listener is not None:
            self._close(listener)  # shut down first: a plain close() waits for the accept() under way to time out
        self._drop_all()

    def blackhole(self) -> None:
        """Redis hung: new connections are accepted and held, relayed ones pass nothing on; nothing is answered."""
        with self._lock:
            self._flowing.clear()

    def restore(self) -> None:
        """Relay again: the connections held while hung are dropped (their clients gave up on them), and what they
        had sent is never passed on; new ones reach Redis."""
        with self._lock:
            held = list(self._open)
            self._open.clear()
            self._flowing.set()
        for sock in held:
            self._close(sock)
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        """Close everything."""
        self.refuse()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))  # the same port again after `refuse()`
        listener.listen(64)
        listener.settimeout(0.1)  # the accept loop notices a closed listener within this
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by `refuse()`
                return
            with self._lock:
                self._open.add(client)
                held = not self._flowing.is_set()
            if held:
                continue  # hung: accepted, never read nor answered
            try:
                upstream = socket.create_connection(self.upstream, timeout=2)
            except OSError:
                self._drop(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.add(upstream)
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    return
                while not self._flowing.wait(0.1):  # hung: what was read is held back
                    if source not in self._open:
                        return
                if source not in self._open:  # dropped while it was held
                    return
                target.sendall(data)
        except OSError:
            return
        finally:
            self._drop(source)
            self._drop(target)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        self._close(sock)

    def _drop_all(self) -> None:
        with self._lock:
            sockets = list(self._open)
            self._open.clear()
        for sock in sockets:
            self._close(sock)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv() on it, which close() alone does not
        sock.close()


def _flush_redis() -> None:
    import redis

    client = redis.Redis(host=REDIS_UPSTREAM.hostname, port=REDIS_UPSTREAM.port or 6379, db=REDIS_DB)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture(scope="module")
def relay():
    """The Redis relay the servers keep their rate limits through (database REDIS_DB, flushed before and after)."""
    _flush_redis()
    relay = RedisRelay((REDIS_UPSTREAM.hostname or "127.0.0.1", REDIS_UPSTREAM.port or 6379))
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()
        _flush_redis()


def _server_env(relay: RedisRelay) -> dict[str, str]:
    return serving.environment(
        DATABASE_URL=_world_url(SERVER_NAME),
        SECRET_KEY=SECRET_KEY,
        PORTAL_BALLOT_KEY=BALLOT_KEY,
        PORTAL_ENV="production",
        REDIS_URL=relay.url(REDIS_DB),
        PORTAL_LOGIN_LIMIT="100000 per minute",  # hundreds of logins from one address
    )


@pytest.fixture(scope="module")
def server(world, relay, tmp_path_factory):
    """Instance A: gunicorn with WORKERS gthread workers against the world, Redis through the relay."""
    log = tmp_path_factory.mktemp("gunicorn-a") / "gunicorn.log"
    with serving.gunicorn(_server_env(relay), log, workers=WORKERS, threads=WORKER_THREADS) as running:
        yield running


@pytest.fixture(scope="module")
def second(world, relay, tmp_path_factory):
    """Instance B of scenario 4: another gunicorn master on another port, the same database and keys."""
    log = tmp_path_factory.mktemp("gunicorn-b") / "gunicorn.log"
    with serving.gunicorn(_server_env(relay), log, workers=SECOND_WORKERS, threads=WORKER_THREADS) as running:
        yield running


@pytest.fixture(scope="module")
def browsers(world, server):
    """Every owner (by number, 1…200) and the staff member logged in once over HTTP, CSRF on as in production."""
    sessions = {n: Session() for n in range(1, OWNERS + 1)}
    staff = Session()

    def log_in(numbers: list[int]) -> None:
        conn = Connection(server.port)
        try:
            for n in numbers:
                sessions[n].login(conn, _account(n), PASSWORD)
        finally:
            conn.close()

    numbers = list(sessions)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(log_in, [numbers[i::8] for i in range(8)], timeout=SCENARIO_S))
    conn = Connection(server.port)
    try:
        staff.login(conn, "c-staff", PASSWORD)
    finally:
        conn.close()
    return SimpleNamespace(owners=sessions, staff=staff)


def _account(owner: int) -> str:
    return f"c-{owner:04d}"


def _copy(session: Session) -> Session:
    """The same browser's cookie and CSRF token, for a second tab."""
    return Session(cookies=dict(session.cookies), csrf=session.csrf)


# --- casting as people do ---------------------------------------------------------------------------------------------


@dataclass
class Casting:
    """What the owners' clients saw (shared by the client threads and the fault's thread)."""

    acknowledged: set[int] = field(default_factory=set)  # owners whose submission answered with the receipt
    refused: set[int] = field(default_factory=set)  # owners answered "already voted" (their first answer was lost)
    presses: int = 0
    failures: Counter = field(default_factory=Counter)  # what the failed presses met: "500", "ConnectionResetError"…
    dropped: set[int] = field(default_factory=set)  # owners whose first answer was dropped on purpose
    finished: bool = False
    lock: threading.Condition = field(default_factory=threading.Condition)
    deadline: float = field(default_factory=lambda: time.monotonic() + SCENARIO_S)  # no press or wait after it

    @property
    def answers(self) -> int:
        """Owners who have their answer."""
        return len(self.acknowledged) + len(self.refused)

    @property
    def retries(self) -> int:
        """Presses beyond each owner's first."""
        return self.presses - self.answers

    def failed(self, what: str) -> None:
        """One press failed with `what`."""
        with self.lock:
            self.failures[what] += 1

    def answered(self, owner: int, outcome: str, presses: int) -> None:
        """The owner's submission was answered after `presses` presses."""
        with self.lock:
            (self.acknowledged if outcome == "cast" else self.refused).add(owner)
            self.presses += presses
            self.lock.notify_all()

    def wait_for(self, answers: int) -> int:
        """Block until `answers` owners have their answer, or casting has ended; how many have it by then."""
        with self.lock:
            waited = self.lock.wait_for(lambda: self.answers >= answers or self.finished, timeout=self.remaining())
            assert waited, "casting went on past the scenario's deadline"
            return self.answers

    def remaining(self) -> float:
        """Seconds to the deadline; fails once it has passed."""
        left = self.deadline - time.monotonic()
        assert left > 0, f"the scenario's {SCENARIO_S:.0f} s have passed: {self.failures}"
        return left

    def end(self) -> None:
        """Casting is over (whatever waits for more answers stops waiting)."""
        with self.lock:
            self.finished = True
            self.lock.notify_all()

    def figures(self) -> str:
        """One line for the report."""
        failures = ", ".join(f"{n}× {what}" for what, n in self.failures.most_common()) or "none"
        return (
            f"acknowledged {len(self.acknowledged)}, refused after a lost answer {len(self.refused)} "
            f"({len(self.dropped)} dropped on purpose), presses {self.presses} ({self.retries} again; failed "
            f"presses: {failures})"
        )


def _ballot_form(items: list[int], owner: int) -> dict[str, str]:
    return confirm(items, random.Random(owner).choice(box.ANSWERS))


def _open_ballot(session: Session, port: int, path: str, casting: Casting) -> None:
    """Open the ballot page, as a person does before filling it in: the form (200), or the vote's page when the right
    has been used (303); a failure is reloaded as a press is repeated (and counted as an opening's failure)."""
    for _attempt in range(ATTEMPTS):
        conn = Connection(port, timeout=min(ATTEMPT_S, casting.remaining()))
        try:
            response = session.get(conn, path)
        except (OSError, http.client.HTTPException) as error:
            casting.failed(f"opening: {type(error).__name__}")
        else:
            if response.status in (200, 303):
                assert "/login" not in response.location, "the owner was logged out"
                return
            assert response.status >= 500, f"{response.status} {response.location} {response.text[:300]}"
            casting.failed(f"opening: {response.status}")
        finally:
            conn.close()
        time.sleep(PRESS_PAUSE_S)
    raise AssertionError(f"the ballot did not open after {ATTEMPTS} attempts: {casting.failures}")


def _press_until_answered(session: Session, port: int, path: str, form: dict, casting: Casting) -> tuple[str, int]:
    """Post the reviewed ballot until the portal answers it: ("cast" | "refused", presses). A broken connection, a 5xx
    or a timeout is pressed again after PRESS_PAUSE_S, on a new connection, at most ATTEMPTS times."""
    for press in range(1, ATTEMPTS + 1):
        # A new connection each press: Connection's own silent retry would hide one.
        conn = Connection(port, timeout=min(ATTEMPT_S, casting.remaining()))
        try:
            response = session.post(conn, path, form)
        except (OSError, http.client.HTTPException) as error:  # reset, refused, timed out, cut mid-answer
            casting.failed(type(error).__name__)
        else:
            if response.status == 303:
                assert "/login" not in response.location, "the owner was logged out"
                return ("cast" if "/receipt" in response.location else "refused"), press
            assert response.status >= 500, f"{response.status} {response.location} {response.text[:300]}"
            casting.failed(str(response.status))
        finally:
            conn.close()
        time.sleep(PRESS_PAUSE_S)
    raise AssertionError(f"no answer after {ATTEMPTS} presses: {casting.failures}")


def _drop_the_answer(world, session: Session, port: int, vote_id: int, form: dict, owner: int) -> None:
    """Submit, and close the connection before the answer comes (as a phone loses its signal, or as the answer dies
    with its worker), then wait until the ballot is stored: its acknowledgement is lost after the commit."""
    conn = http.client.HTTPConnection(HOST, port, timeout=ATTEMPT_S)
    body = urlencode({"csrf_token": session.csrf or "", **form}).encode()
    conn.request("POST", f"/c/{SLUG}/votes/{vote_id}/ballot", body, session.headers({"Content-Type": FORM}))
    conn.close()  # unread: the portal stores the ballot, then writes its answer to nobody
    deadline = time.monotonic() + SCENARIO_S / 3
    while owner not in _stored(world, vote_id):
        assert time.monotonic() < deadline, f"owner {owner}'s dropped submission was never stored"
        time.sleep(POLL_S)


def _cast_all(
    world,
    port: int,
    sessions: dict[int, Session],
    vote_id: int,
    fault: Callable[[Casting], object] | None = None,
    dropped: frozenset[int] = frozenset(),
) -> tuple[Casting, object]:
    """Every owner in `sessions` submits once (pressing again on failures) from CLIENT_THREADS client threads in a
    random order, while `fault(casting)` runs in a thread of its own; the `dropped` owners' first answer is lost
    after its commit, for certain (a fault loses such answers only by chance). Returns what the clients saw and what
    the fault returned."""
    items = item_ids(world, vote_id)
    path = f"/c/{SLUG}/votes/{vote_id}/ballot"
    order = list(sessions)
    random.Random(vote_id).shuffle(order)
    casting = Casting(dropped=set(dropped))

    def client() -> None:
        while True:
            with casting.lock:
                if not order:
                    return
                owner = order.pop()
            _open_ballot(sessions[owner], port, path, casting)
            time.sleep(random.uniform(0, READING_S))
            if owner in dropped:
                _drop_the_answer(world, sessions[owner], port, vote_id, _ballot_form(items, owner), owner)
            outcome, presses = _press_until_answered(sessions[owner], port, path, _ballot_form(items, owner), casting)
            casting.answered(owner, outcome, presses)

    with ThreadPoolExecutor(CLIENT_THREADS + 1) as pool:
        faulting = pool.submit(fault, casting) if fault else None
        try:
            for future in [pool.submit(client) for _ in range(CLIENT_THREADS)]:
                future.result(timeout=casting.remaining())
        finally:
            casting.end()
        found = faulting.result(timeout=casting.remaining()) if faulting else None
    return casting, found


# --- recovery ---------------------------------------------------------------------------------------------------------


def _status(session: Session | None, port: int, path: str, timeout: float = PROBE_S) -> int | None:
    """The status of one GET on a new connection; None when the connection failed or timed out."""
    conn = Connection(port, timeout=timeout)
    try:
        return (session or Session()).get(conn, path).status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def _time_to_serve(succeeds: Callable[[], bool], since: float, give_up_s: float = 10.0) -> float:
    """Seconds from `since` (time.monotonic() when the fault ended) until `succeeds()` first answers True, polled
    every POLL_S; fails after `give_up_s`."""
    while True:
        ok = succeeds()
        elapsed = time.monotonic() - since
        if ok:
            return elapsed
        assert elapsed < give_up_s, f"not serving {give_up_s:.0f} s after the fault"
        time.sleep(POLL_S)


def _warm(port: int, session: Session, path: str) -> None:
    """Serve `path` in every worker first: a process compiles each template on its first use (about 0.4 s for the
    vote page here) and reads the migrations once for /readyz, which the first probe after a fault would otherwise
    count as the fault's."""
    with ThreadPoolExecutor(WORKERS * WORKER_THREADS) as pool:
        for _round in range(3):
            tabs = [_copy(session) for _n in range(WORKERS * WORKER_THREADS * 2)]  # a Session is not shared
            statuses = list(pool.map(lambda tab: _status(tab, port, path), tabs))
            assert statuses == [200] * len(statuses), statuses


def _ready(port: int) -> bool:
    return _status(None, port, "/readyz") == 200


# --- the checks after each scenario -----------------------------------------------------------------------------------


def _stored(world, vote_id: int) -> dict[int, int]:
    """Owner number → participations of their right (the rights used)."""
    number = {person_id: n for n, person_id in enumerate(world.owner_ids, start=1)}
    with world.app.app_context():
        rows = db.session.execute(
            sa.select(VotingRight.person_id, sa.func.count())
            .join(Participation, Participation.right_id == VotingRight.id)
            .where(Participation.vote_id == vote_id)
            .group_by(VotingRight.person_id)
        ).all()
        db.session.remove()
    return {number[person_id]: count for person_id, count in rows}


def _receipts(port: int, sessions: dict[int, Session], vote_id: int) -> dict[int, str | None]:
    """Owner → the receipt code their /receipt page shows while they are logged in (None: sent to the vote page)."""
    path = f"/c/{SLUG}/votes/{vote_id}/receipt"

    def fetch(owner: int) -> tuple[int, str | None]:
        conn = Connection(port, timeout=ATTEMPT_S)
        try:
            response = sessions[owner].get(conn, path)
        finally:
            conn.close()
        if response.status == 303:
            assert "/login" not in response.location, f"owner {owner} is not logged in any more"
            return owner, None
        assert response.status == 200, f"owner {owner}: {response.status} {response.text[:300]}"
        found = RECEIPT.search(response.text)
        assert found, f"owner {owner}: a receipt page without a code"
        return owner, found.group(1)

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(fetch, sessions, timeout=SCENARIO_S))


def _not_in_box(world, vote_id: int, codes: dict[int, str]) -> list[int]:
    """The owners whose code the box does not hold (an open secret vote files receipts under a keyed tag)."""
    with world.app.app_context():
        vote = db.session.get(Vote, vote_id)
        missing = [owner for owner, code in codes.items() if not box.receipt_in_box(vote, code)]
        db.session.remove()
    return missing


def _check(world, browsers, port: int, vote_id: int, casting: Casting, views: list[tuple[int, dict[int, Session]]]):
    """The checks of the module docstring; `views` are the (port, sessions) through which owners read their receipts.
    Returns the rights used."""
    stored = _stored(world, vote_id)
    lost, unused = casting.acknowledged - set(stored), casting.refused - set(stored)
    assert not lost, f"acknowledged but not in the box: {sorted(lost)}"
    assert not unused, f"refused while the vote was open, yet their right is unused: {sorted(unused)}"
    assert all(n == 1 for n in stored.values()), f"rights used twice: {[o for o, n in stored.items() if n > 1]}"
    # Receipts while the vote is open, through every view; collected now, asserted last (after the box's checks).
    seen = [_receipts(view_port, sessions, vote_id) for view_port, sessions in views]
    codes: dict[int, set[str]] = {}
    for shown in seen:
        for owner, code in shown.items():
            if code is not None:
                codes.setdefault(owner, set()).add(code)
    unseen = sorted({owner for shown in seen for owner, code in shown.items() if code is None and owner in stored})
    single = {owner: next(iter(found)) for owner, found in codes.items() if len(found) == 1}
    unfound_open = _not_in_box(world, vote_id, single)

    conn = Connection(port, timeout=SCENARIO_S)
    try:
        closing = {"target": VoteStatus.closed.value, "reason": "测试：故障演练后提前结束", "confirm": "y"}
        close = browsers.staff.post(conn, f"/c/{SLUG}/votes/{vote_id}/step", closing)
    finally:
        conn.close()
    assert close.status == 303, close.text[:500]

    with world.app.app_context():
        vote = db.session.get(Vote, vote_id)
        assert vote.status == VoteStatus.closed
        count = sa.select(sa.func.count())
        ballots = db.session.scalar(count.where(Ballot.vote_id == vote_id))
        participations = db.session.scalar(count.where(Participation.vote_id == vote_id))
        assert (vote.ballot_count, ballots, participations) == (len(stored), len(stored), len(stored))
        if vote.secrecy == Secrecy.named:
            counted = db.session.execute(
                sa.select(Ballot.current_right_id, sa.func.count())
                .where(Ballot.vote_id == vote_id, Ballot.current_right_id.is_not(None))
                .group_by(Ballot.current_right_id)
            ).all()
            used = db.session.scalars(sa.select(Participation.right_id).where(Participation.vote_id == vote_id)).all()
            assert sorted(right for right, n in counted if n == 1) == sorted(used), "a used right without one ballot"
        report = verify.verify(vote)
        assert report.ok, report.problems
        db.session.remove()
    with world.app.app_context():  # the command runs in the current app's context, whichever app pushed it
        result = world.app.test_cli_runner().invoke(args=["portal", "verify-vote", str(vote_id)])
        db.session.remove()
    assert result.exit_code == 0 and "OK:" in result.output, result.output
    unfound_sealed = _not_in_box(world, vote_id, single)

    strangers = set(codes) - set(stored)
    assert not strangers, f"receipts shown to owners who did not vote: {sorted(strangers)}"
    assert not [o for o, found in codes.items() if len(found) > 1], "an owner was shown two receipt codes"
    assert len(set(single.values())) == len(single), "two owners were shown the same receipt code"
    assert not unfound_open and not unfound_sealed, f"receipts not in the box: {unfound_open} / {unfound_sealed}"
    lost_answers = sorted(set(unseen) - casting.acknowledged)
    assert not unseen, (
        f"{len(unseen)} owner(s) whose ballot is stored see no receipt through some view ({len(lost_answers)} of "
        f"them never received their acknowledgement): {unseen[:20]}"
    )
    return stored


# --- 1. kill -9 of a worker -------------------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_a_worker_killed_while_two_hundred_owners_cast_loses_and_doubles_nothing(world, server, browsers):
    vote_id = open_vote(world, "named")
    pick = random.Random()
    kill_after = pick.randint(40, 120)  # answers seen before the kill
    page = f"/c/{SLUG}/votes/{vote_id}/"
    probe = Session()  # an owner's second device, to see the vote page served again
    probe_conn = Connection(server.port)
    try:
        probe.login(probe_conn, _account(OWNERS), PASSWORD)
    finally:
        probe_conn.close()
    _warm(server.port, probe, page)

    def kill(casting: Casting) -> SimpleNamespace:
        answered = casting.wait_for(kill_after)
        victim = pick.choice(serving.children(server.process.pid))
        before = time.monotonic()
        assert _status(probe, server.port, page) == 200
        latency = time.monotonic() - before  # of the same page under the same load, before the fault
        os.kill(victim, signal.SIGKILL)
        ended = time.monotonic()
        served = _time_to_serve(lambda: _status(probe, server.port, page) == 200, ended)
        return SimpleNamespace(victim=victim, answered=answered, served=served, latency=latency)

    dropped = frozenset(pick.sample(range(1, OWNERS + 1), DROPPED))
    casting, killed = _cast_all(world, server.port, browsers.owners, vote_id, kill, dropped)
    assert killed.answered < OWNERS, "the kill came after the last answer"
    # The master replaces the worker.
    deadline = time.monotonic() + SCENARIO_S
    while len(workers := serving.children(server.process.pid)) != WORKERS or killed.victim in workers:
        assert time.monotonic() < deadline, f"the master has workers {workers} after killing {killed.victim}"
        time.sleep(0.1)
    print(  # noqa: T201 (the scenario's figures, shown with -s)
        f"\nkill -9 of worker {killed.victim} after {killed.answered} answers: {casting.figures()}; "
        f"an owner's vote page served again {killed.served * 1000:.0f} ms after the kill (it took "
        f"{killed.latency * 1000:.0f} ms just before)"
    )
    assert len(casting.acknowledged | casting.refused) == OWNERS and casting.dropped <= casting.refused
    stored = _check(world, browsers, server.port, vote_id, casting, [(server.port, browsers.owners)])
    assert len(stored) == OWNERS
    assert killed.served < RECOVERY_S, f"served {killed.served:.3f} s after the kill ({killed.latency:.3f} s before)"


# --- 2. the database connections terminated -----------------------------------------------------------------------


@pytest.mark.postgresql
def test_database_connections_terminated_five_times_while_owners_cast_lose_nothing(world, server, browsers):
    vote_id = open_vote(world, "secret")
    _warm(server.port, Session(), "/readyz")
    admin = _admin_engine()

    def terminate(casting: Casting) -> SimpleNamespace:
        rounds = []
        casting.wait_for(5)
        before = time.monotonic()
        assert _ready(server.port)
        latency = time.monotonic() - before  # of /readyz under the same load, before the faults
        # One after another as soon as the app is ready again, so that casting goes on through all five.
        for after in (5, 15, 25, 35, 45):
            answered = casting.wait_for(after)
            with admin.connect() as conn:
                ended_connections = conn.execute(TERMINATE, {"name": SERVER_NAME}).scalar()
            ended = time.monotonic()
            served = _time_to_serve(lambda: _ready(server.port), ended)
            rounds.append(SimpleNamespace(answered=answered, ended=ended_connections, served=served))
        return SimpleNamespace(rounds=rounds, latency=latency)

    try:
        dropped = frozenset(random.sample(range(1, OWNERS + 1), DROPPED))
        casting, terminated = _cast_all(world, server.port, browsers.owners, vote_id, terminate, dropped)
    finally:
        admin.dispose()
    rounds = terminated.rounds
    print(  # noqa: T201
        f"\nconnections terminated 5 times: {casting.figures()}; per round (answers before, connections ended, "
        f"/readyz 200 after): {[(r.answered, r.ended, f'{r.served * 1000:.0f} ms') for r in rounds]}; /readyz took "
        f"{terminated.latency * 1000:.0f} ms before the first"
    )
    assert all(r.answered < OWNERS for r in rounds), "a termination came after the last answer"
    assert all(r.ended >= 1 for r in rounds), "a round terminated no connection of the app"
    assert len(casting.acknowledged | casting.refused) == OWNERS and casting.dropped <= casting.refused
    stored = _check(world, browsers, server.port, vote_id, casting, [(server.port, browsers.owners)])
    assert len(stored) == OWNERS
    slowest = max(r.served for r in rounds)
    assert slowest < RECOVERY_S, f"ready {slowest:.3f} s after a termination ({terminated.latency:.3f} s before)"


# --- 3. Redis refusing, then hanging, during logins ----------------------------------------------------------------


def _log_in(port: int, owner: int, wrong: int, timings: list[float]) -> Session:
    """A new device: the login form, `wrong` failed logins (each must answer 400), then the right password (303);
    every POST's time goes to `timings`."""
    session = Session()

    def send(method: str, path: str, form: dict | None = None):
        conn = Connection(port, timeout=ATTEMPT_S)
        try:
            started = time.monotonic()
            response = session.post(conn, path, form) if method == "POST" else session.get(conn, path)
            if method == "POST":
                timings.append(time.monotonic() - started)
            return response
        finally:
            conn.close()

    assert send("GET", "/login").status == 200
    for _ in range(wrong):
        failed = send("POST", "/login", {"login": _account(owner), "password": "not the password"})
        assert failed.status == 400, f"a wrong password answered {failed.status}: {failed.text[:300]}"
    logged_in = send("POST", "/login", {"login": _account(owner), "password": PASSWORD})
    assert logged_in.status == 303, f"the right password answered {logged_in.status}: {logged_in.text[:300]}"
    assert send("GET", "/account").status == 200  # the new CSRF token, as after a browser's redirect
    return session


def _log_in_and_cast(world, port: int, vote_id: int, owners: list[int], casting: Casting) -> dict:
    """Each owner logs in on a new device (failing twice first) and casts, all at once; their sessions and the
    login POSTs' times."""
    items = item_ids(world, vote_id)
    path = f"/c/{SLUG}/votes/{vote_id}/ballot"
    timings: list[float] = []

    def one(owner: int) -> tuple[int, Session]:
        session = _log_in(port, owner, 2, timings)
        _open_ballot(session, port, path, casting)
        outcome, presses = _press_until_answered(session, port, path, _ballot_form(items, owner), casting)
        casting.answered(owner, outcome, presses)
        return owner, session

    with ThreadPoolExecutor(len(owners)) as pool:
        sessions = dict(pool.map(one, owners, timeout=SCENARIO_S))
    return {"sessions": sessions, "timings": timings}


def test_a_hung_redis_holds_a_login_for_one_timeout_not_two(module_transaction, make):
    """In-process, on either database: the request that finds Redis hung falls back to memory after one timeout;
    Flask-Limiter alone would then ask the hung Redis at once whether it is back, a second timeout (PortalLimiter)."""
    owner = make.person()
    relay = RedisRelay((REDIS_UPSTREAM.hostname or "127.0.0.1", REDIS_UPSTREAM.port or 6379))
    relay.start()
    relay.blackhole()  # accepts, never answers: nothing reaches Redis
    try:
        app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=relay.url(REDIS_DB))
        with app.app_context():
            db.engines[None] = module_transaction  # the person made above is in the test's transaction
        # As in a worker that has run for a while (a fresh limiter checks the storage only after a second).
        app.extensions["portal_limiter"]._Limiter__last_check_backend = 0
        client = app.test_client()
        started = time.monotonic()
        assert client.post("/login", data={"login": owner.account_no, "password": "wrong"}).status_code == 400
        took = time.monotonic() - started
        started = time.monotonic()
        assert client.post("/login", data={"login": owner.account_no, "password": PASSWORD}).status_code == 303
        then = time.monotonic() - started
    finally:
        relay.stop()
    print(f"\nRedis hung, in-process: the first login took {took:.2f} s, the next {then:.2f} s")  # noqa: T201
    assert REDIS_TIMEOUT_S <= took < 1.6 * REDIS_TIMEOUT_S, f"the first login in the outage took {took:.2f} s"
    assert then < REDIS_TIMEOUT_S, f"the next login took {then:.2f} s"  # counted in memory from then on


def _logs_in(port: int) -> bool:
    """An owner logs in on a new device (the recovery probe of scenario 3)."""
    try:
        _log_in(port, OWNERS, 0, [])
    except (AssertionError, OSError, http.client.HTTPException):
        return False
    return True


def _log_lines(log, start: int, text: str) -> int:
    """How often `text` is in the server's log from byte `start` on."""
    with log.open("rb") as lines:
        lines.seek(start)
        return lines.read().decode("utf-8", "replace").count(text)


def _back_on_redis(port: int, log, start: int) -> float:
    """Failed logins with unknown accounts (no real account's limit fills) until a worker that fell back to memory
    since byte `start` of the log says it counts in Redis again (Flask-Limiter checks the storage again 1, 2, 4… s
    after the outage began); the seconds that took."""
    started = time.monotonic()
    tries = iter(range(1_000_000))

    def junk(_n: int) -> int:
        session, conn = Session(), Connection(port, timeout=ATTEMPT_S)
        try:
            session.get(conn, "/login")
            return session.post(conn, "/login", {"login": f"nobody-{next(tries)}", "password": "x"}).status
        finally:
            conn.close()

    with ThreadPoolExecutor(WORKERS * WORKER_THREADS) as pool:
        while not _log_lines(log, start, RECOVERED):
            assert time.monotonic() - started < SCENARIO_S / 3, "no worker went back to Redis"
            statuses = list(pool.map(junk, range(WORKERS * WORKER_THREADS)))
            assert set(statuses) == {400}, statuses
            time.sleep(0.2)
    return time.monotonic() - started


@pytest.mark.postgresql
def test_logins_work_while_redis_refuses_or_hangs_and_ballots_cast_then_are_kept(
    world, server, second, relay, browsers
):
    vote_id = open_vote(world, "named")
    casting = Casting()
    sessions = dict(browsers.owners)  # the receipt pages are read on the device each owner cast from
    # Each cut meets workers that count in Redis: instance A's (which served the logins so far) for the first, B's
    # (which has served no login yet) for the second. A worker stays in memory for a while after an outage, and which
    # worker has gone back cannot be told from outside.
    cuts = [
        ("refusing", relay.refuse, server, WORKERS, range(1, 9)),
        ("hanging", relay.blackhole, second, SECOND_WORKERS, range(9, 17)),
    ]
    figures = []
    for name, cut, instance, workers, owners in cuts:
        # Logins first, in every worker: templates compiled and Redis connected, as in a portal that has been running.
        with ThreadPoolExecutor(workers * WORKER_THREADS) as pool:
            assert all(pool.map(_logs_in, [instance.port] * workers * WORKER_THREADS * 3))
        log_start = instance.log.stat().st_size
        cut()
        during = _time_to_serve(partial(_logs_in, instance.port), time.monotonic())  # the first login in the outage
        assert _status(None, instance.port, "/readyz") == 503  # the outage shows where the monitor looks
        done = _log_in_and_cast(world, instance.port, vote_id, list(owners), casting)
        sessions.update(done["sessions"])
        relay.restore()
        ended = time.monotonic()
        login = _time_to_serve(partial(_logs_in, instance.port), ended)
        ready = _time_to_serve(partial(_ready, instance.port), ended)
        back = _back_on_redis(instance.port, instance.log, log_start)
        fell_back = _log_lines(instance.log, log_start, FALLBACK_WARNING)
        figures.append(SimpleNamespace(name=name, workers=workers, slowest=max(done["timings"]), during=during,
                                       login=login, ready=ready, fell_back=fell_back, back=back))  # fmt: skip
    # Redis back: logins, failed and right, and casting go on.
    done = _log_in_and_cast(world, server.port, vote_id, list(range(17, 25)), casting)
    sessions.update(done["sessions"])
    print(  # noqa: T201
        f"\nRedis cut during logins: {casting.figures()}; "
        + "; ".join(
            f"{f.name} (instance of {f.workers} workers): a login served {f.during * 1000:.0f} ms after the cut, "
            f"slowest login POST {f.slowest:.2f} s, {f.fell_back} fallback warnings, a login served "
            f"{f.login * 1000:.0f} ms and /readyz 200 {f.ready * 1000:.0f} ms after Redis came back, a worker "
            f"counting in Redis again after {f.back:.1f} s"
            for f in figures
        )
    )
    for f in figures:
        assert f.slowest < LOGIN_S, f"Redis {f.name}: a login took {f.slowest:.2f} s"
        # One warning per worker and outage, or one per thread when a worker's threads met the outage together.
        assert 1 <= f.fell_back <= f.workers * WORKER_THREADS, f"Redis {f.name}: {f.fell_back} fallback warnings"
        assert max(f.during, f.login, f.ready) < RECOVERY_S, f
    assert max(done["timings"]) < LOGIN_S
    assert casting.acknowledged == set(range(1, 25)) and not casting.refused
    _check(world, browsers, server.port, vote_id, casting, [(server.port, sessions)])


# --- 4. two instances, one database -------------------------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_two_instances_on_one_database_take_each_owners_ballot_once(world, server, second, browsers, secrecy):
    vote_id = open_vote(world, secrecy)
    items = item_ids(world, vote_id)
    path = f"/c/{SLUG}/votes/{vote_id}/ballot"
    tabs = {"A": browsers.owners, "B": {owner: _copy(s) for owner, s in browsers.owners.items()}}
    ports = {"A": server.port, "B": second.port}
    casting = Casting()
    answers: dict[int, dict[str, str]] = {owner: {} for owner in browsers.owners}
    pairs = CLIENT_THREADS // 2
    order = list(browsers.owners)
    random.Random(vote_id).shuffle(order)

    def side(name: str, owners: list[int], together: threading.Barrier) -> None:
        try:
            for owner in owners:
                together.wait(timeout=SCENARIO_S)  # both instances get this owner's submission at the same moment
                form = _ballot_form(items, owner)
                outcome, presses = _press_until_answered(tabs[name][owner], ports[name], path, form, casting)
                with casting.lock:
                    answers[owner][name] = outcome
                    casting.presses += presses
        except BaseException:
            together.abort()  # the other side stops waiting at once
            raise

    started = time.monotonic()
    with ThreadPoolExecutor(2 * pairs) as pool:
        futures = []
        for i in range(pairs):
            together = threading.Barrier(2)
            futures += [pool.submit(side, name, order[i::pairs], together) for name in ("A", "B")]
        for future in futures:
            future.result(timeout=SCENARIO_S)
    ended = time.monotonic()
    served = _time_to_serve(lambda: _ready(server.port) and _ready(second.port), ended)
    for owner, pair in answers.items():
        assert sorted(pair.values()) == ["cast", "refused"], f"owner {owner}: {pair}"
        casting.acknowledged.add(owner)
    by_instance = Counter(name for pair in answers.values() for name, outcome in pair.items() if outcome == "cast")
    print(  # noqa: T201
        f"\ntwo instances, {secrecy}: {OWNERS} owners × 2 submissions in {ended - started:.1f} s, ballots taken by A "
        f"{by_instance['A']}, by B {by_instance['B']}, the other refused; failed presses {dict(casting.failures)}; "
        f"both ready {served * 1000:.0f} ms after the last answer"
    )
    assert not casting.failures
    stored = _check(
        world, browsers, server.port, vote_id, casting, [(server.port, tabs["A"]), (second.port, tabs["B"])]
    )
    assert len(stored) == OWNERS
    assert served < RECOVERY_S
