"""`make bench`: the e-voting benchmark of issue 3 on SQLite and PostgreSQL; prints figures, ratios and a table.

  (a) ballots cast per second through gunicorn on 127.0.0.1, divided by the same stack's rate for a POST that
      inserts one row (tests/bench/app_with_probe.py) — target ≥ 0.5;
  (b) close + tally + digest of a 20,000-unit compound with 15,000 ballots — target < 0.5 s on SQLite; beside it,
      the same for a vote of one building of that compound (表决范围: 400 units, 300 ballots);
  (c) bytes of the ballot page with its CSS, JS and icon, each gzip -6 — target ≤ 40 KB (40,000 bytes);
  (d) a bounded load run: 300 owners cast within 60 s while 50 clients poll the turnout (If-None-Match → 304):
      0 errors, every cast ballot stored once, the digest verifies after closing; p50/p95 latencies.

It reports targets missed and exits 0; it exits non-zero only when something breaks (an exception). All traffic goes
to 127.0.0.1, every loop is bounded in count and time, and the server it starts is stopped at the end.

    .venv/bin/python -m tests.bench.run [--databases sqlite,postgresql] [--postgres-url URL] [--app MODULE:FACTORY()]
    .venv/bin/python -m tests.bench.run --parts b     (figure (b) alone: no server, no load run)

PostgreSQL: LINLI_BENCH_POSTGRES_URL or --postgres-url (default postgresql+psycopg://postgres@127.0.0.1:5432/
linli_bench; the database is created if missing and its public schema emptied: give it a database of its own).
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench import data, pages  # noqa: E402
from tests.bench.client import RECEIPT, Connection, Session  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/linli_bench"
OWNERS = 300  # the bench compound's owners: each logs in once and casts in (a) and again in (d)
CLIENT_THREADS = 8  # (a): concurrent clients
CAST_LIMIT_S = 30.0  # (a): the casting run stops after this, or when every owner has cast
PROBE_COUNT, PROBE_LIMIT_S = 1000, 15.0
WORKERS, WORKER_THREADS = 2, 4  # gunicorn: 2 gthread workers (this machine has 2 cores), 4 threads each
LOAD_OWNERS, LOAD_WINDOW_S, LOAD_ARRIVALS_S = 300, 60.0, 30.0  # (d): owners arrive over 30 s, all cast within 60 s
CASTER_THREADS = 30
POLLERS, POLL_INTERVAL_S = 50, 2.0  # htmx polls every 10 s; the bench polls 5× as often
BIG_UNITS, BIG_BALLOTS = 20_000, 15_000
SCOPED_BUILDING, SCOPED_BALLOTS = "3栋", 300  # (b) beside: a vote of one building (400 units) of the big compound
PAGE_TARGET_BYTES = 40_000
APP = "tests.bench.app_with_probe:create_probe_app()"


@dataclass
class Row:
    """One line of the final table."""

    database: str
    figure: str
    value: str
    target: str
    met: bool | None  # None: information, no target


@dataclass
class Tally:
    """Outcomes and latencies collected by client threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: str, latency: float | None = None, kind: str | None = None) -> None:
        """Count one outcome (and its latency under `kind`)."""
        with self.lock:
            self.counts[outcome] += 1
            if latency is not None:
                self.latencies.setdefault(kind or outcome, []).append(latency)

    def error(self, text: str) -> None:
        """Count an error and keep the first few messages."""
        with self.lock:
            self.counts["error"] += 1
            if len(self.errors) < 5:
                self.errors.append(text[:300])


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def say(text: str) -> None:
    """Progress on stdout, flushed at once."""
    print(text, flush=True)


# --- the server -----------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ballot_key_of(secret_key: str) -> str:
    """The bench's ballot key, the same for its app and its gunicorn (never the instance's own key file)."""
    import hashlib

    return hashlib.sha256(b"bench-ballot-key:" + secret_key.encode()).hexdigest()


class Server:
    """gunicorn serving the app (with the probe) on 127.0.0.1; stopped by `stop()` whatever happened."""

    def __init__(self, url: str, secret_key: str, log: Path, app_spec: str = APP) -> None:
        """Start it and wait until it answers."""
        self.port = free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DATABASE_URL"))}
        env.update(
            DATABASE_URL=url,
            SECRET_KEY=secret_key,
            PORTAL_BALLOT_KEY=ballot_key_of(secret_key),
            PORTAL_ENV="production",
            # One address logs in 300 owners: lift the per-address login limit for the bench only.
            PORTAL_LOGIN_LIMIT="100000 per minute",
        )
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS),
            "--worker-class", "gthread",
            "--threads", str(WORKER_THREADS),
            "--keep-alive", "30",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--chdir", str(ROOT),
            "--log-level", "warning",
            app_spec,
        ]  # fmt: skip
        self._log_file = log.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, limit: float = 30.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if Session().get(Connection(self.port, timeout=5), "/login").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 30 s")

    def stop(self) -> None:
        """SIGTERM to the gunicorn we started (its workers follow), SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log_file.close()

    def logged_errors(self) -> Counter:
        """Errors in the server's log (the app's "ERROR:portal:…" records, gunicorn's [ERROR] lines), each counted
        once under the last exception line of its traceback."""
        found: Counter = Counter()
        header = last = None
        for line in [*self.log.read_text(errors="replace").splitlines(), "ERROR:end:"]:
            if re.match(r"^(ERROR|CRITICAL):[\w.]*:", line) or re.search(r"\[(ERROR|CRITICAL)\]", line):
                if header is not None:
                    found[last or header] += 1
                header, last = line[:160], None
            elif header is not None and re.match(r"^[\w.]+(Error|Exception)\b.*:", line):
                last = line[:160]
        return found


# --- running clients --------------------------------------------------------------------------------------------------


def run_jobs(port: int, jobs: list[Callable[[Connection], None]], threads: int, limit_s: float) -> tuple[int, float]:
    """Run jobs on `threads` client threads (each with its own connection) until done or `limit_s` passes.

    Returns (jobs run, seconds from start to the last job's end)."""
    lock = threading.Lock()
    queue = list(reversed(jobs))
    done = [0]
    finished = [0.0]
    start = time.perf_counter()
    deadline = start + limit_s

    def worker():
        conn = Connection(port)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                job(conn)
                with lock:
                    done[0] += 1
                    finished[0] = time.perf_counter()
        finally:
            conn.close()

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    return done[0], max(finished[0] - start, 1e-9)


def ballot_form(items: list[int], pick: random.Random, step: str) -> dict[str, str]:
    """A filled-in ballot (answers drawn at random, now and then an item left blank)."""
    form = {"step": step}
    for item_id in items:
        # One-character codes, every item sent ("-" = left blank), as the ballot page sends them (ballot_form.py).
        form[f"item_{item_id}"] = pick.choices(("y", "n", "a", "-"), weights=(70, 15, 10, 5))[0]
    return form


def log_in_all(port: int, accounts: list[str]) -> list[Session]:
    """Every owner logs in once through the real form (CSRF on), before anything is timed."""
    sessions = [Session() for _ in accounts]
    tally = Tally()

    def job_for(i: int):
        def job(conn: Connection) -> None:
            try:
                sessions[i].login(conn, accounts[i], data.PASSWORD)
            except Exception as error:  # noqa: BLE001 (counted and reported)
                tally.error(f"login {accounts[i]}: {error!r}")

        return job

    run_jobs(port, [job_for(i) for i in range(len(accounts))], CLIENT_THREADS, 120.0)
    if tally.errors:
        raise RuntimeError(f"logging in failed: {tally.errors}")
    return sessions


# --- (c) bytes of the ballot page ------------------------------------------------------------------------------------

RESOURCE = re.compile(r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"')


def page_weight(port: int, session: Session, slug: str, vote_id: int) -> tuple[int, list[tuple[str, int, int]]]:
    """gzip -6 bytes of the ballot page's HTML and every stylesheet, script and icon it loads."""
    conn = Connection(port)
    try:
        page = session.get(conn, f"/c/{slug}/votes/{vote_id}/ballot")
        if page.status != 200:
            raise RuntimeError(f"ballot page answered {page.status}")
        parts = [("ballot page HTML", len(page.body), len(gzip.compress(page.body, 6)))]
        for path in RESOURCE.findall(page.text):
            if not path.startswith("/"):
                continue
            resource = session.get(conn, path)
            if resource.status != 200:
                raise RuntimeError(f"{path} answered {resource.status}")
            parts.append((path.split("?")[0], len(resource.body), len(gzip.compress(resource.body, 6))))
    finally:
        conn.close()
    return sum(gz for _name, _raw, gz in parts), parts


# --- (a) casting rate against a bare insert --------------------------------------------------------------------------


def cast_ratio(port: int, sessions: list[Session], slug: str, vote_id: int, items: list[int]) -> SimpleNamespace:
    """(a): inserts/s of the probe, then ballots/s of the confirm POST that casts, on the same clients and server."""
    tally = Tally()

    def probe(session: Session):
        def job(conn: Connection) -> None:
            try:
                response = session.post(conn, "/bench/insert")
            except Exception as error:  # noqa: BLE001 (counted and reported)
                tally.error(f"probe raised {error!r}")
                return
            if response.status == 204:
                tally.add("probe")
            else:
                tally.error(f"probe answered {response.status}")

        return job

    def cast(session: Session, seed: int):
        form = ballot_form(items, random.Random(seed), "confirm")

        def job(conn: Connection) -> None:
            try:
                response = session.post(conn, f"/c/{slug}/votes/{vote_id}/ballot", form)
            except Exception as error:  # noqa: BLE001 (counted and reported)
                tally.error(f"cast raised {error!r}")
                return
            if response.status == 303 and "/receipt" in response.location:
                tally.add("cast")
            else:
                tally.error(f"cast answered {response.status} {response.location}")

        return job

    warm_up = 4  # the first owners' casts warm both workers up; they are not timed
    run_jobs(port, [probe(sessions[i % len(sessions)]) for i in range(40)], CLIENT_THREADS, 30.0)
    run_jobs(port, [cast(sessions[i], i) for i in range(warm_up)], CLIENT_THREADS, 30.0)
    tally.counts.clear()
    tally.errors.clear()
    probe_jobs = [probe(sessions[i % len(sessions)]) for i in range(PROBE_COUNT)]
    _probes, probe_s = run_jobs(port, probe_jobs, CLIENT_THREADS, PROBE_LIMIT_S)
    cast_jobs = [cast(sessions[i], i) for i in range(warm_up, len(sessions))]
    _casts, cast_s = run_jobs(port, cast_jobs, CLIENT_THREADS, CAST_LIMIT_S)
    probes, casts = tally.counts["probe"], tally.counts["cast"]
    probe_rate, cast_rate = probes / probe_s, casts / cast_s
    return SimpleNamespace(
        probe_rate=probe_rate,
        cast_rate=cast_rate,
        ratio=cast_rate / probe_rate if probe_rate else 0.0,
        probes=probes,
        casts=casts,
        errors=sum(v for k, v in tally.counts.items() if k not in ("probe", "cast")),
        samples=tally.errors,
    )


# --- (d) the load run ------------------------------------------------------------------------------------------------


def load_run(port: int, sessions: list[Session], slug: str, vote_id: int, items: list[int]) -> SimpleNamespace:
    """(d): owners arrive over 30 s and go through ballot → review → submit → receipt; 50 clients poll turnout."""
    pick = random.Random(2024)
    owners = list(range(min(LOAD_OWNERS, len(sessions))))
    arrivals = sorted(pick.uniform(0, LOAD_ARRIVALS_S) for _ in owners)
    casting, polling = Tally(), Tally()
    receipts: list[str] = []
    queue = list(reversed(list(zip(owners, arrivals, strict=True))))
    lock = threading.Lock()
    quiet_end = [float("inf")]  # pollers go on for two intervals after the last cast: unchanged turnout → 304
    start = time.perf_counter()
    window_end = start + LOAD_WINDOW_S
    base = f"/c/{slug}/votes/{vote_id}"

    def caster() -> None:
        conn = Connection(port)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    owner, offset = queue.pop()
                time.sleep(max(0.0, start + offset - time.perf_counter()))
                if time.perf_counter() >= window_end:
                    casting.add("not started in the window")
                    continue
                cast_one(conn, sessions[owner], random.Random(owner))
        finally:
            conn.close()

    def cast_one(conn: Connection, session: Session, chooser: random.Random) -> None:
        began = time.perf_counter()
        try:
            form = ballot_form(items, chooser, "review")
            steps = [
                (session.get(conn, f"{base}/ballot"), 200),
                (session.post(conn, f"{base}/ballot", form), 200),
            ]
            confirm = session.post(conn, f"{base}/ballot", {**form, "step": "confirm"})
            steps.append((confirm, 303))
            bad = [f"{r.status}≠{want}" for r, want in steps if r.status != want]
            if bad or "/receipt" not in confirm.location:
                casting.error(f"cast flow: {bad} {confirm.location}")
                return
            page = session.get(conn, confirm.location.removeprefix(f"http://127.0.0.1:{port}"))
            found = RECEIPT.search(page.text)
            if page.status != 200 or not found:
                casting.error(f"receipt page answered {page.status}")
                return
            ended = time.perf_counter()
            with lock:
                receipts.append(found.group(1))
            casting.add("cast", confirm.elapsed, "submit")
            casting.add("flow", ended - began, "flow")
            if ended > window_end:
                casting.add("cast after the window")
        except Exception as error:  # noqa: BLE001 (counted and reported)
            casting.error(f"cast flow raised {error!r}")

    def poller(n: int) -> None:
        # A second tab of an owner's browser: the same cookies, its own connection and its own ETag.
        session = Session(cookies=dict(sessions[n % len(sessions)].cookies))
        conn = Connection(port)
        etag = None
        next_at = start + random.Random(n).uniform(0, POLL_INTERVAL_S)
        try:
            while time.perf_counter() < min(quiet_end[0], window_end + 30):
                time.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += POLL_INTERVAL_S
                headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
                try:
                    response = session.get(conn, f"{base}/turnout", headers)
                except Exception as error:  # noqa: BLE001 (counted and reported)
                    polling.error(f"poll raised {error!r}")
                    continue
                if response.status in (200, 304):
                    polling.add(str(response.status), response.elapsed, "poll")
                    etag = response.headers.get("etag", etag)
                else:
                    polling.error(f"poll answered {response.status}")
        finally:
            conn.close()

    with ThreadPoolExecutor(CASTER_THREADS + POLLERS) as pool:
        pollers = [pool.submit(poller, n) for n in range(POLLERS)]
        casters = [pool.submit(caster) for _ in range(CASTER_THREADS)]
        for future in casters:
            future.result()
        casting_s = time.perf_counter() - start
        quiet_end[0] = time.perf_counter() + 2 * POLL_INTERVAL_S
        for future in pollers:
            future.result()
    return SimpleNamespace(
        owners=len(owners),
        casting=casting,
        polling=polling,
        receipts=receipts,
        seconds=casting_s,
    )


# --- verification in-process ------------------------------------------------------------------------------------------


def verify_box(app, vote_id: int, staff_id: int) -> tuple[bool, str]:
    """Close the vote through the lifecycle, then check the box as `verify-vote` does (or as close as exists)."""
    from portal.accounts.models import Person
    from portal.extensions import db
    from portal.voting import box, lifecycle
    from portal.voting.models import Vote, VoteStatus

    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        lifecycle.transition(vote, VoteStatus.closed, db.session.get(Person, staff_id), reason="基准测试结束")
        db.session.commit()
        recomputed = box.compute_digest(vote)
        ok = recomputed == (vote.ballot_count, vote.digest)
        how = "digest recomputed"
        command = app.cli.commands.get("portal")
        if command is not None and "verify-vote" in getattr(command, "commands", {}):
            result = app.test_cli_runner().invoke(args=["portal", "verify-vote", str(vote_id)])
            ok = ok and result.exit_code == 0
            how = f"verify-vote exit {result.exit_code}"
        else:
            try:
                from portal.voting import verify
            except ImportError:
                verify = None
            if verify is not None and hasattr(verify, "verify"):
                outcome = verify.verify(vote)
                ok = ok and getattr(outcome, "ok", outcome) is not False
                how = "verify.verify()"
        db.session.remove()
    return ok, how


def box_counts(app, vote_id: int) -> tuple[int, int, set[str]]:
    """(participations, ballots, receipt hashes) stored for the vote."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.voting.models import Ballot, Participation

    with app.app_context():
        participations = db.session.scalar(sa.select(sa.func.count()).where(Participation.vote_id == vote_id))
        hashes = set(db.session.scalars(sa.select(Ballot.receipt_hash).where(Ballot.vote_id == vote_id)))
        ballots = db.session.scalar(sa.select(sa.func.count()).where(Ballot.vote_id == vote_id))
        db.session.remove()
    return participations, ballots, hashes


# --- (b) close + tally + digest of a big compound --------------------------------------------------------------------


def results_of(vote) -> list[bool]:
    """Whether each item passed: portal.voting.results.compute when it exists, else the pure tally directly."""
    import json

    from portal.voting import box, tally

    try:
        from portal.voting import results
    except ImportError:
        results = None
    if results is not None and hasattr(results, "compute"):
        return [outcome.passed for _item, outcome in results.compute(vote).items]
    electorate = tally.Weight(vote.electorate_heads, vote.electorate_area)
    weighted = [
        tally.WeightedBallot(tally.Weight(1, b.weight_area), json.loads(b.answers)) for b in box.counted_ballots(vote)
    ]
    counts = tally.aggregate(weighted, [item.key for item in vote.items])
    matters = {item.key: tally.Matter(item.matter.value) for item in vote.items}
    return [outcome.passed for outcome in tally.decide_items(electorate, counts, matters)]


def close_tally_digest(app) -> dict[str, SimpleNamespace]:
    """(b): build 20,000 units once; then for a named and a secret vote cast 15,000 ballots in bulk and time close
    (the seal; a secret vote's decrypts, shuffles and rewrites every ballot), tally and a fresh digest."""
    from portal.extensions import db

    with app.app_context():
        t = time.perf_counter()
        big = data.big_compound(BIG_UNITS)
        built = time.perf_counter() - t
        db.session.remove()
    closed = {secrecy: _close_one(app, big, built, secrecy) for secrecy in ("named", "secret")}
    closed["building"] = _close_one(app, big, built, "named", building=SCOPED_BUILDING, ballots=SCOPED_BALLOTS)
    return closed


def _close_one(
    app, big, built: float, secrecy: str, building: str | None = None, ballots: int = BIG_BALLOTS
) -> SimpleNamespace:
    """One vote of (b): open, fill, and time its close at the end of its window, as `portal tick` would close it
    (`building`: a vote of that building's owners alone, beside the compound's)."""
    from datetime import timedelta

    from portal.accounts.models import Person
    from portal.db import utcnow
    from portal.extensions import db
    from portal.voting import box, lifecycle
    from portal.voting.models import Vote, VoteStatus
    from portal.voting.verify import verify

    with app.app_context():
        t = time.perf_counter()
        title = f"{building}表决" if building else f"大型小区表决（{secrecy}）"
        vote_id = data.open_resolution(big.compound_id, big.staff_id, title, secrecy, building=building)
        opened = time.perf_counter() - t
        data.bulk_ballots(vote_id, ballots)
        db.session.get(Vote, vote_id).closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()

    with app.app_context():  # a cold session, as a request would start
        t0 = time.perf_counter()
        vote = db.session.get(Vote, vote_id)
        lifecycle.transition(vote, VoteStatus.closed, db.session.get(Person, big.staff_id))
        t1 = time.perf_counter()
        passed = results_of(vote)
        t2 = time.perf_counter()
        count, digest = box.compute_digest(vote)
        t3 = time.perf_counter()
        db.session.commit()
        t4 = time.perf_counter()
        ok = (count, digest) == (vote.ballot_count, vote.digest) == (ballots, vote.digest)
        heads = vote.electorate_heads
        if building is not None:
            ok = ok and verify(vote).ok  # the scope is in the digest: the scoped box verifies as any other
        db.session.remove()
    return SimpleNamespace(
        built=built,
        opened=opened,
        close=t1 - t0,
        tally=t2 - t1,
        digest=t3 - t2,
        commit=t4 - t3,
        total=t4 - t0,
        ok=ok,
        heads=heads,
        passed=passed,
    )


# --- one database -----------------------------------------------------------------------------------------------------


def _fresh_app(label: str, url: str):
    """The portal on an emptied database, with a fresh secret and ballot key (migrations not applied yet)."""
    from portal import create_app

    say(f"\n== {label}: {url}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    data.reset_database(url)
    secret_key = secrets.token_hex(32)
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key, "PORTAL_ENV": "production",
        "PORTAL_BALLOT_KEY": ballot_key_of(secret_key),
    })  # fmt: skip


def run_database(label: str, url: str, workdir: Path, app_spec: str = APP) -> list[Row]:
    """All four figures on one database."""
    from portal.extensions import db
    from portal.voting.models import Vote

    rows: list[Row] = []
    app = _fresh_app(label, url)
    with app.app_context():
        data.migrate()
        small = data.owners_compound(OWNERS)
        vote_a = data.open_resolution(small.compound_id, small.staff_id, "基准：投票速率")
        vote_b = data.open_resolution(small.compound_id, small.staff_id, "基准：负载运行")
        items_a = [i.id for i in db.session.get(Vote, vote_a).items]
        items_b = [i.id for i in db.session.get(Vote, vote_b).items]
        db.session.remove()

    server = Server(url, app.config["SECRET_KEY"], workdir / f"gunicorn-{label}.log", app_spec)
    try:
        say(f"   gunicorn on 127.0.0.1:{server.port} ({WORKERS} gthread workers × {WORKER_THREADS} threads)")
        t = time.perf_counter()
        sessions = log_in_all(server.port, small.accounts)
        say(f"   {len(sessions)} owners logged in through the form in {time.perf_counter() - t:.1f} s")

        total, parts = page_weight(server.port, sessions[-1], small.slug, vote_b)
        say("   (c) ballot page, gzip -6:")
        for name, raw, gz in parts:
            say(f"         {name:<28} {raw:>8,} B raw  {gz:>7,} B gzip")
        say(f"         {'total':<28} {sum(r for _n, r, _g in parts):>8,} B raw  {total:>7,} B gzip")
        heaviest = max(parts, key=lambda p: p[2])
        rows.append(
            Row(label, "(c) ballot page + CSS + JS + icon, gzip -6", f"{total / 1000:.1f} KB", "≤ 40 KB",
                total <= PAGE_TARGET_BYTES)
        )  # fmt: skip
        if total > PAGE_TARGET_BYTES:
            say(f"         heaviest: {heaviest[0]} ({heaviest[2]:,} B)")

        a = cast_ratio(server.port, sessions, small.slug, vote_a, items_a)
        errors_before_d = server.logged_errors()
        for message, count in errors_before_d.most_common(3):
            say(f"         server log: {count}× {message}")
        say(
            f"   (a) probe: {a.probes} inserts, {a.probe_rate:.1f}/s; casting: {a.casts} ballots, "
            f"{a.cast_rate:.1f}/s; ratio {a.ratio:.2f}; errors {a.errors} {a.samples[:1]}"
        )
        rows.append(Row(label, "(a) errors while casting and probing", str(a.errors), "0", a.errors == 0))
        rows.append(
            Row(label, "(a) ballots/s ÷ one-row inserts/s", f"{a.ratio:.2f} ({a.cast_rate:.1f} / {a.probe_rate:.1f})",
                "≥ 0.5", a.ratio >= 0.5)
        )  # fmt: skip

        d = load_run(server.port, sessions, small.slug, vote_b, items_b)
        server_errors = server.logged_errors() - errors_before_d
    finally:
        server.stop()

    participations, ballots, hashes = box_counts(app, vote_b)
    from portal.voting.receipts import public_code

    cast = d.casting.counts["cast"]
    listed = {public_code(hashed) for hashed in hashes}  # the codes the published list prints (issue 13)
    receipts_found = sum(1 for code in d.receipts if code in listed)
    stored_ok = participations == ballots == cast and receipts_found == cast  # completeness is the row above
    verified, how = verify_box(app, vote_b, small.staff_id)
    errors = d.casting.counts["error"] + d.polling.counts["error"]
    submit, flow = (d.casting.latencies.get(k, []) for k in ("submit", "flow"))
    poll = d.polling.latencies.get("poll", [])
    late = d.casting.counts["cast after the window"] + d.casting.counts["not started in the window"]
    say(
        f"   (d) {cast}/{d.owners} cast in {d.seconds:.1f} s; stored: {participations} participations, {ballots} "
        f"ballots, {receipts_found} receipts found; polls 200: {d.polling.counts['200']}, 304: "
        f"{d.polling.counts['304']}; errors {errors}; {how}: {'ok' if verified else 'FAILED'}"
    )
    for sample in (d.casting.errors + d.polling.errors)[:3]:
        say(f"         error: {sample}")
    for message, count in server_errors.most_common(4):
        say(f"         server log: {count}× {message}")
    rows += [
        Row(label, "(d) errors: seen by clients / logged by the server",
            f"{errors} / {sum(server_errors.values())}", "0", errors == 0 and not server_errors),
        Row(label, f"(d) {d.owners} owners cast within {LOAD_WINDOW_S:.0f} s", f"{cast} in {d.seconds:.1f} s",
            f"{d.owners}", cast == d.owners and late == 0),
        Row(label, "(d) ballots stored = cast, none lost or doubled", f"{participations}/{ballots}/{cast}",
            "equal", stored_ok),
        Row(label, "(d) digest verifies after closing", how, "passes", verified),
        Row(label, "(d) submit latency p50 / p95", f"{percentile(submit, 50) * 1000:.0f} / "
            f"{percentile(submit, 95) * 1000:.0f} ms", "", None),
        Row(label, "(d) whole cast flow p50 / p95 (4 requests)", f"{percentile(flow, 50) * 1000:.0f} / "
            f"{percentile(flow, 95) * 1000:.0f} ms", "", None),
        Row(label, f"(d) turnout poll p50 / p95 ({POLLERS} clients, every {POLL_INTERVAL_S:.0f} s)",
            f"{percentile(poll, 50) * 1000:.0f} / {percentile(poll, 95) * 1000:.0f} ms; "
            f"{d.polling.counts['200']}×200 {d.polling.counts['304']}×304", "", None),
    ]  # fmt: skip

    rows += big_rows(app, label)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def big_rows(app, label: str) -> list[Row]:
    """(b): the rows of the big compound's close + tally + digest (named, secret, and a vote of one building)."""
    rows: list[Row] = []
    say(f"   (b) building {BIG_UNITS:,} units, then a named and a secret vote with {BIG_BALLOTS:,} ballots each …")
    both = close_tally_digest(app)
    for secrecy, b in both.items():
        if secrecy == "building":
            continue
        say(
            f"   (b) {secrecy}: built in {b.built:.1f} s, opened (electorate of {b.heads:,} heads frozen) in "
            f"{b.opened:.1f} s; close (seals: digest) {b.close * 1000:.0f} ms + tally {b.tally * 1000:.0f} ms + "
            f"digest again {b.digest * 1000:.0f} ms + commit {b.commit * 1000:.0f} ms = {b.total * 1000:.0f} ms; "
            f"digest {'ok' if b.ok else 'MISMATCH'}; items passed: {b.passed}"
        )
    named, secret = both["named"], both["secret"]
    sqlite = label == "SQLite"
    ratio = secret.total / named.total
    rows += [
        Row(label, "(b) close + tally + digest, 20,000 units / 15,000 ballots, named", f"{named.total:.2f} s",
            "< 0.5 s" if sqlite else "(SQLite only)", (named.total < 0.5 and named.ok) if sqlite else None),
        Row(label, "(b)   of which close (seal computes the digest) + tally", f"{named.close + named.tally:.2f} s",
            "", None),
        Row(label, "(b) the same, secret (decrypt, shuffle, rewrite at the seal)", f"{secret.total:.2f} s", "", None),
        Row(label, "(b) secret ÷ named, same run", f"{ratio:.2f}", "≤ 3", ratio <= 3 and secret.ok),
    ]  # fmt: skip
    one = both["building"]
    say(
        f"   (b) one building ({SCOPED_BUILDING}, {SCOPED_BALLOTS} ballots): opened (electorate of {one.heads:,} heads "
        f"frozen) in {one.opened * 1000:.0f} ms; close {one.close * 1000:.0f} ms + tally {one.tally * 1000:.0f} ms + "
        f"digest again {one.digest * 1000:.0f} ms + commit {one.commit * 1000:.0f} ms = {one.total * 1000:.0f} ms; "
        f"digest and verify {'ok' if one.ok else 'MISMATCH'}; items passed: {one.passed}"
    )
    rows += [
        Row(label, f"(b) a vote of one building ({one.heads} heads), close + tally + digest", f"{one.total:.2f} s",
            "", one.ok),
        Row(label, "(b)   its opening (the scope's roll frozen)", f"{one.opened:.2f} s", "", None),
    ]  # fmt: skip
    return rows


def run_big(label: str, url: str) -> list[Row]:
    """Figure (b) alone (`--parts b`): no server, no load; a fresh database."""
    from portal.extensions import db

    app = _fresh_app(label, url)
    with app.app_context():
        data.migrate()
        db.session.remove()
    rows = big_rows(app, label)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def run_pages(label: str, url: str, only: str = "") -> list[Row]:
    """The page figures (tests/bench/pages.py) on a fresh database of their own."""
    from portal import create_app
    from portal.extensions import db

    say(f"\n== {label}: pages (in-process requests; load average {os.getloadavg()[0]:.1f})")
    data.reset_database(url)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32), "PORTAL_ENV": "production",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
    })  # fmt: skip
    with app.app_context():
        data.migrate()
        db.session.remove()
    rows = pages.run(label, app, Row, say, only)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def print_table(rows: list[Row]) -> None:
    """The summary: each figure, its target, met or not."""
    say("\n== Summary")
    widths = [max(len(getattr(r, name)) for r in rows) for name in ("database", "figure", "value", "target")]
    for r in rows:
        mark = "met" if r.met else ("info" if r.met is None else "MISSED")
        cells = (r.database, r.figure, r.value, r.target)
        say("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + mark)
    missed = [r for r in rows if r.met is False]
    say(f"\n{len(missed)} target(s) missed." if missed else "\nEvery target met.")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on each database asked for; exit 0 unless something broke."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--parts", default="voting,pages", help="voting (issue 3's figures), pages (render times), b (figure (b) alone)"
    )
    parser.add_argument("--figures", default="", help="pages: only these figures, by letter (e.g. h)")
    parser.add_argument("--postgres-url", default=os.environ.get("LINLI_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument(
        "--app", default=APP, help="the gunicorn app to serve (to measure a proposed change without editing portal/)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    rows: list[Row] = []
    failed = False
    try:
        for name in [n.strip() for n in args.databases.split(",") if n.strip()]:
            if name == "sqlite":
                label, url = "SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}"
            elif name == "postgresql":
                from portal.config import normalise_database_url

                label, url = "PostgreSQL", normalise_database_url(args.postgres_url)
            else:
                parser.error(f"unknown database {name!r}")
            try:
                if "voting" in args.parts:
                    rows += run_database(label, url, workdir, args.app)
                elif "b" in args.parts.split(","):
                    rows += run_big(label, url)
                if "pages" in args.parts:
                    rows += run_pages(label, url, args.figures)
            except Exception:  # noqa: BLE001 (reported, and the exit status says so)
                failed = True
                say(f"   {label}: the benchmark broke:\n{traceback.format_exc()}")
                rows.append(Row(label, "benchmark", "broke (see above)", "runs", False))
    finally:
        if rows:
            print_table(rows)
        if failed:
            say(f"(server logs kept in {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        say(f"({time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
