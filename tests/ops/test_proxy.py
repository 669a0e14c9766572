"""PORTAL_PROXY_HOPS: behind nginx the client's address is the owner's, not the proxy's."""

from __future__ import annotations

import json
import logging

from tests.conftest import make_app

OWNER, NEIGHBOUR = "203.0.113.7", "198.51.100.23"


def _failed_login_address(caplog, hops: int, forwarded_for: str = OWNER) -> str:
    """The address the audit line of a refused login gives, for a request that came through one proxy."""
    client = make_app(PORTAL_PROXY_HOPS=hops).test_client()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.post(
            "/login", data={"login": "12345678", "password": "wrong"}, headers={"X-Forwarded-For": forwarded_for}
        )
    assert response.status_code == 400
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("login.failed")]
    return json.loads(line.split(" ", 3)[3])["ip"]


def test_one_trusted_proxy_gives_the_owners_address(database, caplog):
    assert _failed_login_address(caplog, hops=1) == OWNER


def test_an_address_the_client_forged_before_the_proxys_is_not_believed(database, caplog):
    # nginx appends the address it saw ($proxy_add_x_forwarded_for): only that last entry is trusted with one hop.
    assert _failed_login_address(caplog, hops=1, forwarded_for=f"10.9.8.7, {OWNER}") == OWNER


def test_without_trusted_proxies_the_header_is_ignored(database, caplog):
    assert _failed_login_address(caplog, hops=0) == "127.0.0.1"


def test_rate_limits_count_each_client_behind_the_proxy_apart(database):
    def statuses(hops: int) -> list[int]:
        app = make_app(PORTAL_PROXY_HOPS=hops, RATELIMIT_ENABLED=True, PORTAL_LOGIN_LIMIT="2 per minute")
        client = app.test_client()

        def attempt(address: str, account: str) -> int:
            data = {"login": account, "password": "wrong"}
            return client.post("/login", data=data, headers={"X-Forwarded-For": address}).status_code

        return [attempt(OWNER, "11111111"), attempt(OWNER, "11111112"), attempt(OWNER, "11111113")] + [
            attempt(NEIGHBOUR, "22222222")
        ]

    assert statuses(hops=1) == [400, 400, 429, 400]  # the neighbour is not locked out by the owner's mistakes
    assert statuses(hops=0) == [400, 400, 429, 429]  # everyone is "the proxy": one bucket
