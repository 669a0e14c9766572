"""`flask --app app portal check`: one line per check, non-zero exit with a clear reason per problem."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def check(app, database):
    """Run `portal check` in the test's transaction; returns (exit code, output lines)."""

    def _run():
        result = app.test_cli_runner().invoke(args=["portal", "check"])
        return result.exit_code, result.output.splitlines()

    return _run


def _line(lines: list[str], name: str) -> str:
    found = [line for line in lines if line.startswith(name + ":")]
    assert len(found) == 1, lines
    return found[0]


def test_the_test_configuration_passes(check):
    code, lines = check()
    assert code == 0, lines
    for name in ("secret key", "database", "migrations", "redis", "base url", "upload folder", "ballot key"):
        assert _line(lines, name).split(": ", 1)[1].startswith("OK"), lines


def test_unreachable_redis_fails_fast_and_says_where(check, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://:hunter2@127.0.0.1:1/0")
    started = time.monotonic()
    code, lines = check()
    assert time.monotonic() - started < 2
    assert code != 0
    line = _line(lines, "redis")
    assert line.startswith("redis: FAILED: ")
    assert "127.0.0.1:1" in line
    assert "hunter2" not in "\n".join(lines)  # the password in the URL is never printed


def test_redis_that_accepts_but_never_answers_fails_within_a_second(check, app, monkeypatch):
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        code, lines = check()
        assert time.monotonic() - started < 1
    assert code != 0
    assert "Timeout" in _line(lines, "redis")


def test_production_without_redis_fails_since_each_worker_would_count_alone(check, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", None)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    code, lines = check()
    assert _line(lines, "redis").startswith("redis: OK (not configured")  # tests and development: fine
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    code, lines = check()
    assert code != 0 and _line(lines, "redis").startswith("redis: FAILED: REDIS_URL is not set")


def test_unwritable_upload_folder_fails(check, app, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot create a folder inside a file
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(blocker / "uploads"))
    code, lines = check()
    assert code != 0
    assert _line(lines, "upload folder").startswith("upload folder: FAILED: ")
    assert str(blocker / "uploads") in _line(lines, "upload folder")


def test_production_needs_an_https_base_url_and_a_strong_secret(check, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", None)
    code, lines = check()
    assert code != 0
    assert _line(lines, "base url").startswith("base url: FAILED: PORTAL_BASE_URL is not set")
    assert _line(lines, "secret key").startswith("secret key: FAILED")  # "test-secret" is far too short
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "http://linli.example.cn")
    monkeypatch.setitem(app.config, "SECRET_KEY", "changeme")
    _code, lines = check()
    assert "https" in _line(lines, "base url")
    assert _line(lines, "secret key").startswith("secret key: FAILED")
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://linli.example.cn")
    monkeypatch.setitem(app.config, "SECRET_KEY", "5b0e39c4d1a2f7e8c6b3a9d0e4f1c2b7a8d5e6f3c0b9a1d2e7f4c3b8a6d5e0f1")
    _code, lines = check()
    assert _line(lines, "base url") == "base url: OK"
    assert _line(lines, "secret key") == "secret key: OK"


def test_database_behind_the_code_fails(check, app, database):
    from portal.ops.checks import _script

    [first] = _script(app).get_bases()
    database.session.execute(database.text("UPDATE alembic_version SET version_num = :v"), {"v": first})
    database.session.commit()
    code, lines = check()
    assert code != 0
    assert _line(lines, "migrations").endswith("run `flask --app app db upgrade`")
    assert first in _line(lines, "migrations")
    database.session.execute(database.text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    database.session.commit()
    _code, lines = check()
    assert "which this code does not know" in _line(lines, "migrations")


def test_ballot_key_readable_by_others_fails(check, app, monkeypatch, tmp_path):
    from portal.voting import ballot_key

    path = tmp_path / "ballot.key"
    path.write_text("ab" * 32 + "\n")
    path.chmod(0o644)
    monkeypatch.setitem(app.config, "PORTAL_BALLOT_KEY", None)
    monkeypatch.setitem(app.config, "PORTAL_BALLOT_KEY_FILE", str(path))
    monkeypatch.delitem(app.extensions, ballot_key.EXTENSION, raising=False)  # read the file, not the cached key
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION + ".votes", {})
    code, lines = check()
    assert code != 0
    assert _line(lines, "ballot key") == f"ballot key: FAILED: {path} can be read by other users: chmod 600 {path}"
    path.chmod(0o600)
    _code, lines = check()
    assert _line(lines, "ballot key").startswith("ballot key: OK")
