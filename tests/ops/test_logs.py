"""Log lines: INFO, a request id on every line, audit lines for logins, and no secret in any line."""

from __future__ import annotations

import json
import logging
import re

from portal import logs
from portal.accounts import services as accounts
from tests.conftest import PASSWORD
from tests.voting.test_casting import _items

WRONG = "Wrong-Horse-Battery-9"
NEW_PASSWORD = "Activated-Owner-Pass-7"
# A ballot's answer as a value: `=y`, `: "no"`, `'abstain'` (words, or the one-letter codes of the form)
ANSWER = re.compile(r"""(?:[=:]\s*|["'])(?:yes|no|abstain|y|n|a)(?:["']|\b)""", re.IGNORECASE)


def test_no_secret_in_any_log_line_and_each_carries_its_request_id(
    client, estate, make_vote, make, caplog, monkeypatch
):
    from portal.voting import sealing

    # The seal's housekeeping on a second connection would wait (10 s on SQLite) for the test's own open transaction.
    monkeypatch.setattr(sealing, "remove_old_rows", lambda engine: None)
    vote = make_vote(secrecy="secret")
    one, staff = estate.people.one, estate.people.staff
    newcomer = make.person("新业主", active=False)
    make.member(newcomer, estate.compound)
    issued = accounts.issue_code(newcomer, estate.compound, actor=None)
    accounts.db.session.commit()
    ids = set()

    def send(method, path, **kw):
        response = client.open(path, method=method, **kw)
        ids.add(response.headers["X-Request-ID"])
        return response

    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        assert send("POST", "/login", data={"login": one.account_no, "password": WRONG}).status_code == 400
        assert send("POST", "/login", data={"login": one.account_no, "password": PASSWORD}).status_code == 303
        ballot, answers = f"/c/lvyuan/votes/{vote.id}/ballot", _items(vote, "yes", "no")
        assert send("POST", ballot, data={"step": "review", **answers}).status_code == 200
        confirmed = send("POST", ballot, data={"step": "confirm", **answers})
        receipt_page = send("GET", confirmed.headers["Location"])  # the receipt
        receipt = re.search(r'receipt-code">([0-9A-Z]{5}-[0-9A-Z]{5})<', receipt_page.get_data(as_text=True)).group(1)
        send("POST", "/logout")
        data = {"code": issued.code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert send("POST", "/activate", data=data).status_code == 303
        send("POST", "/logout")
        assert send("POST", "/login", data={"login": staff.account_no, "password": PASSWORD}).status_code == 303
        data = {"target": "closed", "reason": "测试：提前结束", "confirm": "y"}
        assert send("POST", f"/c/lvyuan/votes/{vote.id}/step", data=data).status_code == 303

    records = caplog.records
    lines = [_text(record) for record in records]
    text = "\n".join(lines)
    for action in ("login.failed", "login.succeeded", "vote.cast", "logout", "account.activated", "vote.closed"):
        assert action in text, text
    secrets = (WRONG, PASSWORD, NEW_PASSWORD, issued.code, issued.code.replace("-", ""), receipt, receipt[:5])
    for line in lines:
        assert not any(secret in line for secret in secrets), line
        assert not ANSWER.search(line), line
        assert "item_" not in line, line
    # Every line was written inside a request, and says which: the id that request answered with.
    assert {record.request_id for record in records} <= ids, text
    assert len(ids) >= 8


def _text(record: logging.LogRecord) -> str:
    """The line as the log file would hold it (message, arguments and any traceback)."""
    return logging.Formatter("%(name)s %(message)s").format(record)


def test_the_proxys_request_id_is_kept_when_it_is_a_short_token(client):
    assert client.get("/healthz", headers={"X-Request-ID": "a1b2c3d4e5f6"}).headers["X-Request-ID"] == "a1b2c3d4e5f6"
    for hostile in ("x" * 200, "a b", "id;evil=1", "<script>", "ünï"):  # (the client itself refuses CR/LF)
        answered = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert answered != hostile and re.fullmatch(r"[0-9a-f]{32}", answered)
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_json_lines_hold_the_request_id(app):
    with app.test_request_context("/", headers={"X-Request-ID": "req-42"}):
        record = logging.getLogger("portal.audit").makeRecord(
            "portal.audit", logging.INFO, "f", 1, "hi %s", ("所",), None
        )
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["message"] == "hi 所"
    assert line["level"] == "INFO" and line["logger"] == "portal.audit"


def test_log_level_is_configurable_and_checked(database):
    import pytest

    from portal.config import ConfigError
    from tests.conftest import make_app

    make_app(PORTAL_LOG_LEVEL="warning")
    assert logging.getLogger().level == logging.WARNING
    make_app()
    assert logging.getLogger().level == logging.INFO
    with pytest.raises(ConfigError, match="PORTAL_LOG_LEVEL"):
        make_app(PORTAL_LOG_LEVEL="LOUD")
