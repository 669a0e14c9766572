"""Rate limits that fit a proxy: failures only, per account and per address; Redis that fails or hangs falls back."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
import uuid

import pytest

from portal.extensions import db
from tests.conftest import PASSWORD, make_app

X, Y = "203.0.113.7", "198.51.100.23"
ADDRESSES = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"]


@pytest.fixture
def limited(module_transaction):
    """Build an app with the rate limits on, sharing the test's transaction (people made with `make` are there)."""

    def build(**overrides):
        config = {"RATELIMIT_ENABLED": True, "PORTAL_PROXY_HOPS": 1, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
        app = make_app(**{**config, **overrides})
        with app.app_context():
            db.engines[None] = module_transaction  # this app's sessions join the test's savepoint too
        return app.test_client()

    return build


def _login(client, account: str, password: str = "wrong", address: str = X):
    return client.post("/login", data={"login": account, "password": password}, headers={"X-Forwarded-For": address})


def _logout(client, address: str = X) -> None:
    client.post("/logout", headers={"X-Forwarded-For": address})


def test_failures_lock_the_account_for_a_while_but_not_the_address(limited, make):
    owner, other = make.person(), make.person()
    client = limited(PORTAL_LOGIN_LIMIT="15 per hour", PORTAL_LOGIN_ACCOUNT_LIMIT="10 per 15 minutes")
    assert [_login(client, owner.account_no).status_code for _ in range(10)] == [400] * 10
    locked = _login(client, owner.account_no, PASSWORD)  # even the right password: the account is locked
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    # The page speaks Chinese by default: "失败次数过多，请 N 分钟后再试。" (English: "... try again in N minutes.")
    said = re.search(r"请 (\d+) 分钟后再试|try again in (\d+) minutes", page)
    minutes = int(said.group(1) or said.group(2))
    assert 1 <= minutes <= 15
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    # Another account from the same address works until the address's own limit (15 failures, 10 used).
    assert [_login(client, other.account_no).status_code for _ in range(5)] == [400] * 5
    assert _login(client, other.account_no, PASSWORD).status_code == 429
    assert _login(client, other.account_no, PASSWORD, address=Y).status_code == 303  # other addresses are not


def test_successes_are_not_counted_nor_reset_the_failures(limited, make):
    owner = make.person()
    client = limited(PORTAL_LOGIN_LIMIT="10 per hour", PORTAL_LOGIN_ACCOUNT_LIMIT="10 per 15 minutes")
    assert [_login(client, owner.account_no).status_code for _ in range(9)] == [400] * 9
    for _ in range(3):  # the owner gets in after 9 failures, again and again: successes use nothing up
        assert _login(client, owner.account_no, PASSWORD).status_code == 303
        _logout(client)
    assert _login(client, f" {owner.account_no} ").status_code == 400  # the 10th failure (typed with spaces)
    assert _login(client, owner.account_no, PASSWORD).status_code == 429  # nothing was reset by the successes


def test_guesses_at_one_account_from_many_addresses_stop_at_the_account_limit(limited, make):
    owner = make.person(phone="13800138000")
    client = limited(PORTAL_LOGIN_ACCOUNT_LIMIT="10 per 15 minutes")  # per address: the default, 50 per hour
    typed = ["13800138000", "138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "13800138000"]
    statuses = [_login(client, typed[i % 5], address=ADDRESSES[i % 5]).status_code for i in range(50)]
    assert statuses == [400] * 10 + [429] * 40
    assert _login(client, owner.phone, PASSWORD, address=ADDRESSES[1]).status_code == 429  # a right guess is too
    assert _login(client, "13800138001", address=ADDRESSES[0]).status_code == 400  # a neighbouring number is not


def test_failed_activations_are_limited_per_code_and_per_address(limited, make):
    client = limited(PORTAL_ACTIVATION_LIMIT="12 per hour", PORTAL_ACTIVATION_ACCOUNT_LIMIT="3 per 15 minutes")

    def activate(code: str, address: str) -> int:
        data = {"code": code, "password": "a long new password", "confirm": "a long new password"}
        return client.post("/activate", data=data, headers={"X-Forwarded-For": address}).status_code

    assert [activate("AAAA-BBBB-CCCC", ADDRESSES[i]) for i in range(4)] == [400, 400, 400, 429]
    assert activate("aaaabbbbcccc", ADDRESSES[4]) == 429  # the same code, typed otherwise
    assert [activate(f"AAAA-BBBB-{n:04d}", X) for n in range(12)] == [400] * 12
    assert activate("AAAA-BBBB-9999", X) == 429  # the address's own limit


def _limiter_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "flask-limiter" and r.levelno >= logging.WARNING]


def test_refusing_redis_falls_back_to_memory_with_one_warning(limited, make, caplog):
    owner = make.person()
    client = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", PORTAL_LOGIN_ACCOUNT_LIMIT="3 per 15 minutes")
    with caplog.at_level(logging.INFO):
        started = time.monotonic()
        assert _login(client, owner.account_no, PASSWORD).status_code == 303
        assert time.monotonic() - started < 1
        _logout(client)
        statuses = [_login(client, owner.account_no).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]  # the limits still hold, in this process
    assert len(_limiter_warnings(caplog)) == 1, _limiter_warnings(caplog)


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers (a hung Redis), for as long as the test runs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()
    held = []

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # held open, never read nor answered
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    server.close()


def test_hanging_redis_does_not_hold_the_login(limited, make, silent_redis, caplog):
    owner = make.person()
    client = limited(RATELIMIT_STORAGE_URI=silent_redis)
    with caplog.at_level(logging.INFO):
        started = time.monotonic()
        assert _login(client, owner.account_no).status_code == 400
        assert time.monotonic() - started < 2
        started = time.monotonic()
        assert _login(client, owner.account_no, PASSWORD).status_code == 303
        assert time.monotonic() - started < 2
    assert len(_limiter_warnings(caplog)) == 1, _limiter_warnings(caplog)


def test_the_limits_go_back_to_redis_when_it_answers_again(limited, make, caplog):
    from tests.test_security import REDIS_URL

    owner = make.person()
    client = limited(RATELIMIT_STORAGE_URI=REDIS_URL)
    limiter = client.application.extensions["portal_limiter"]
    limiter._storage_dead = True  # as after an outage (a closed port cannot be reopened in a test)
    limiter._Limiter__last_check_backend = 0  # and the next check of the backend is due
    with caplog.at_level(logging.INFO):
        assert _login(client, owner.account_no).status_code == 400
    assert limiter._storage_dead is False
    assert "Rate limit storage recovered" in [r.getMessage() for r in caplog.records if r.name == "flask-limiter"]
    assert limiter.limiter.storage is limiter.storage  # counting in Redis again
