"""gunicorn for the tests that need real processes on loopback (tests/voting/test_close_race.py, tests/test_faults.py):
a free port, an environment holding only the settings a test gives, a master started and stopped within bounded time,
and its workers' process ids.

Standard library only; every server binds 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from tests.bench.client import Connection, Session

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without the portal's own settings (PORTAL_*, DATABASE_URL, REDIS_URL), plus
    `settings`: the server sees only what the test gives it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DATABASE_URL", "REDIS_URL"))}
    env.update(settings)
    return env


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path, workers: int, threads: int, port: int | None = None, start_s: float = 60
) -> Iterator[SimpleNamespace]:
    """gunicorn serving `portal:create_app()` on 127.0.0.1 with gthread workers, its output in `log`; yields
    (port, log, process) once /login answers 200 (within `start_s`), and stops it (SIGTERM, then SIGKILL) at the end."""
    port = port or free_port()
    command = [
        str(GUNICORN),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--timeout", "60",
        "--graceful-timeout", "5",
        "--chdir", str(ROOT),
        "--log-level", "warning",
        "portal:create_app()",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_s
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if Session().get(Connection(port, timeout=5), "/login").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer within {start_s:.0f} s"
            time.sleep(0.2)
        yield SimpleNamespace(port=port, log=log, process=process)
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers); SIGKILL when it has not ended within 15 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (a gunicorn master's workers), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        # "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after its last ")".
        state, ppid = stat.rpartition(")")[2].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry.name))
    return sorted(found)
