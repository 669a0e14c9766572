"""The production setup in deploy/ (issue 11, item 2): the nginx site, the systemd units and the environment file are
checked by the tools that will read them when those are installed, by parsing them always, and end to end on
loopback: gunicorn started with the unit's arguments in production mode, and nginx in front of it when installed.

In CI (CI=true) nginx must be installed (.ci/run installs it): the nginx tests fail there instead of skipping.
"""

from __future__ import annotations

import configparser
import datetime
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from portal import config as configuration
from tests import serving
from tests.conftest import TEST_BALLOT_KEY, TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "linli.conf"
SYSTEMD = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "linli.env.example"
NGINX = Path("/usr/sbin/nginx")
IN_CI = os.environ.get("CI", "").lower() == "true"
BALLOT_PATHS = ("/c/lvyuan/votes/12/ballot", "/c/lvyuan/votes/12/receipt")
UNITS = ("linli.service", "linli-tick.service", "linli-tick.timer")
START_S = 20  # gunicorn and nginx must answer within this; the whole end-to-end test stays under 30 s


def _need_nginx() -> None:
    """Outside CI a missing nginx skips, with the reason; in CI it fails (nothing may be skipped there)."""
    if NGINX.exists():
        return
    message = f"{NGINX} is not installed (Debian: apt-get install nginx)"
    if IN_CI:
        pytest.fail(f"{message}: CI must install it (.ci/run)")
    pytest.skip(message)


# --- a small nginx configuration reader: enough to check and rewrite deploy/nginx/linli.conf --------------------------

TOKEN = re.compile(r"""\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};"'#]+""")


def _tokens(text: str) -> list[str]:
    """Words, quoted strings (quotes kept), braces and semicolons; comments and blanks dropped."""
    return [t for t in TOKEN.findall(text) if not t.isspace() and not t.startswith("#")]


def parse_nginx(text: str) -> list:
    """A list of [name, args, children-or-None] from nginx configuration text."""
    tokens = _tokens(text)
    position = 0

    def block() -> list:
        nonlocal position
        directives, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                directives.append([words[0], words[1:], None])
                words = []
            elif token == "{":
                children = block()
                directives.append([words[0], words[1:], children])
                words = []
            elif token == "}":
                assert not words, f"unterminated directive {words}"
                return directives
            else:
                words.append(token)
        assert not words, f"unterminated directive {words}"
        return directives

    return block()


def render_nginx(directives: list, indent: str = "") -> str:
    """nginx configuration text from parse_nginx's list."""
    lines = []
    for name, args, children in directives:
        head = " ".join([name, *args])
        if children is None:
            lines.append(f"{indent}{head};")
        else:
            lines.append(f"{indent}{head} {{")
            lines.append(render_nginx(children, indent + "    "))
            lines.append(f"{indent}}}")
    return "\n".join(lines)


def _find(directives: list, name: str) -> list:
    """Every directive called `name` at this level."""
    return [d for d in directives if d[0] == name]


def _site() -> list:
    return parse_nginx(SITE.read_text())


def _tls_server(site: list) -> list:
    """The portal's server block: the one that listens on 443 for the portal's name."""
    (server,) = [d for d in _portal_servers(site) if any("443" in x[1][0] for x in _find(d[2], "listen"))]
    return server[2]


def _value(directives: list, name: str) -> list[str]:
    (directive,) = _find(directives, name)
    return directive[1]


def _location(server: list, *args: str) -> list:
    (location,) = [d for d in _find(server, "location") if d[1] == list(args)]
    return location[2]


def _ballot_location(server: list) -> tuple[str, list]:
    """The regex location that turns gzip off, and its directives."""
    (location,) = [d for d in _find(server, "location") if d[1][:1] == ["~"]]
    return location[1][1], location[2]


# --- nginx: parsed ----------------------------------------------------------------------------------------------------


def test_nginx_body_limit_is_the_default_upload_limit_plus_one_megabyte(tmp_path):
    server = _tls_server(_site())
    (limit,) = _value(server, "client_max_body_size")
    defaults = configuration.load(str(tmp_path), environ={})
    assert limit == f"{defaults['PORTAL_UPLOAD_LIMIT_MB'] + 1}m"
    # nginx refuses exactly what Linli would refuse: the app's own request limit is the same size.
    assert int(limit.removesuffix("m")) * configuration.MIB == defaults["MAX_CONTENT_LENGTH"]
    assert _value(server, "proxy_request_buffering") == ["on"]


def test_nginx_never_compresses_ballot_review_and_receipt_pages():
    server = _tls_server(_site())
    regex, directives = _ballot_location(server)
    assert _value(directives, "gzip") == ["off"]
    assert _value(directives, "proxy_pass") == ["http://linli_app"]
    # nginx's regexes are PCRE; \d and [^/] mean the same in Python's.
    for path in BALLOT_PATHS:
        assert re.search(regex, path), path
    assert not re.search(regex, "/c/lvyuan/votes/12/")
    assert not re.search(regex, "/c/lvyuan/votes/12/results")
    assert _value(server, "gzip") == ["on"]
    assert {"text/css", "application/javascript", "image/svg+xml"} <= set(_value(server, "gzip_types"))


def test_nginx_sends_what_proxy_hops_one_trusts_and_serves_static_files_with_a_long_cache():
    server = _tls_server(_site())
    headers = {args[0]: args[1] for _, args, _ in _find(server, "proxy_set_header")}
    assert headers == {
        "Host": "$host",
        "X-Forwarded-For": "$proxy_add_x_forwarded_for",
        "X-Forwarded-Proto": "$scheme",
        "X-Forwarded-Host": "$host",
        "X-Forwarded-Port": "$server_port",
        "X-Request-ID": "$request_id",
    }
    (upstream,) = _find(_site(), "upstream")
    assert _value(upstream[2], "server") == ["127.0.0.1:8000"]
    static = _location(server, "/static/")
    assert _value(static, "alias") == ["/srv/linli/static/"]
    assert any(
        args[0] == "Cache-Control" and "max-age=2592000" in args[1] for _, args, _ in _find(static, "add_header")
    )
    for path in ("/healthz", "/readyz"):
        assert _value(_location(server, "=", path), "access_log") == ["off"]
    assert ["443", "ssl", "http2"] in [args for _, args, _ in _find(server, "listen")]
    (plain,) = [d[2] for d in _portal_servers(_site()) if _find(d[2], "return")]
    assert _value(plain, "return") == ["301", "https://$host$request_uri"]


def test_other_host_names_get_no_answer():
    defaults = [d[2] for d in _find(_site(), "server") if _value(d[2], "server_name") == ["_"]]
    listens = sorted(tuple(args) for server in defaults for _, args, _ in _find(server, "listen"))
    assert listens == [("443", "ssl", "default_server"), ("80", "default_server"),
                       ("[::]:443", "ssl", "default_server"), ("[::]:80", "default_server")]  # fmt: skip
    by_port = {_find(server, "listen")[0][1][0]: server for server in defaults}
    assert _value(by_port["80"], "return") == ["444"]
    assert _value(by_port["443"], "ssl_reject_handshake") == ["on"]


def _portal_servers(site: list) -> list:
    """The server blocks for the portal's own name (not the default servers that turn other names away)."""
    return [d for d in _find(site, "server") if _value(d[2], "server_name") != ["_"]]


def test_the_site_config_round_trips_through_the_reader():
    site = _site()
    assert parse_nginx(render_nginx(site)) == site


# --- nginx: checked by nginx itself -----------------------------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and its key, written into `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "test.crt", folder / "test.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _wrapper(prefix: Path, site: str, *, foreground: bool = False) -> Path:
    """A main nginx.conf around the site, with every file nginx writes inside `prefix` (no root needed)."""
    (prefix / "site.conf").write_text(site)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # One process as the current user: no worker switching to another user, nothing left behind after SIGTERM.
    foreground_lines = "daemon off;\nmaster_process off;\n" if foreground else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"{foreground_lines}pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{}}\n"
        f"http {{\n    {mime}\n    access_log {prefix}/access.log;\n{temp}\n    include {prefix}/site.conf;\n}}\n"
    )
    return conf


def _local_files(site: list, prefix: Path) -> list:
    """The site with its log files moved into `prefix`."""
    for directive in site:
        name, args, children = directive
        if name == "access_log" and args[0] != "off":
            directive[1] = [str(prefix / "site-access.log"), *args[1:]]
        if children is not None:
            _local_files(children, prefix)
    return site


def test_nginx_accepts_the_site_with_a_certificate(tmp_path):
    _need_nginx()
    site = _local_files(_site(), tmp_path)
    cert, key = _certificate(tmp_path)
    server = _tls_server(site)
    _find(server, "ssl_certificate")[0][1] = [str(cert)]
    _find(server, "ssl_certificate_key")[0][1] = [str(key)]
    conf = _wrapper(tmp_path, render_nginx(site))
    run = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert run.returncode == 0, run.stderr
    assert "test is successful" in run.stderr


# --- systemd --------------------------------------------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    """A unit file read as INI (systemd's syntax is close enough for these files: no repeated keys)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def unit_command(value: str) -> list[str]:
    """ExecStart's words as the program receives them: systemd's %% is a literal %."""
    return shlex.split(value.replace("%%", "%"))


def test_the_web_unit_runs_gunicorn_with_threaded_workers_hardened():
    service = _unit("linli.service")["Service"]
    command = unit_command(service["ExecStart"])
    assert command[0] == "/srv/linli/.venv/bin/gunicorn"
    assert command[-1] == "app:app"
    pairs = dict(zip(command[1:-1:2], command[2:-1:2], strict=True))
    assert pairs == {
        "--worker-class": "gthread",
        "--workers": "3",
        "--threads": "4",
        "--bind": "127.0.0.1:8000",
        "--timeout": "30",
        "--graceful-timeout": "30",
    }
    assert service["EnvironmentFile"] == "/etc/linli/linli.env"
    assert service["User"] == "linli"
    assert service["WorkingDirectory"] == "/srv/linli"
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    # The upload folder of the example environment must be writable under ProtectSystem=strict.
    writable = service["ReadWritePaths"].split()
    uploads = _environment()["PORTAL_UPLOAD_DIR"]
    assert any(Path(uploads).is_relative_to(path) for path in writable), (uploads, writable)


def test_the_tick_timer_runs_portal_tick_every_minute():
    service = _unit("linli-tick.service")["Service"]
    assert unit_command(service["ExecStart"]) == ["/srv/linli/.venv/bin/flask", "--app", "app", "portal", "tick"]
    assert service["Type"] == "oneshot"
    assert service["EnvironmentFile"] == "/etc/linli/linli.env"
    assert service["User"] == "linli"
    timer = _unit("linli-tick.timer")
    assert timer["Timer"]["OnCalendar"] == "minutely"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_reads_the_units_when_it_can(tmp_path):
    """systemd-analyze verify, where it works (not in every container: then the parsed checks above stand)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    # The unit names the paths of an installed machine; verify only the syntax, which needs no running systemd.
    for name in UNITS:
        shutil.copy(SYSTEMD / name, tmp_path / name)
    run = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    syntax = [
        line
        for line in run.stderr.splitlines()
        if re.search(
            r"Unknown (key|section|lvalue)|Failed to parse|Invalid|Missing '='|bad unit file setting|Refusing", line
        )
    ]
    assert not syntax, run.stderr


# --- the environment file ---------------------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    """deploy/linli.env.example as systemd reads it: VARIABLE=value lines, # comments."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_environment_example_lists_what_production_needs_and_only_known_names(tmp_path):
    values = _environment()
    assert values["PORTAL_ENV"] == "production"
    assert values["SECRET_KEY"] == ""  # never a usable example secret
    assert values["PORTAL_BASE_URL"].startswith("https://")
    assert values["PORTAL_PROXY_HOPS"] == "1"
    assert values["PORTAL_BALLOT_KEY_FILE"] == "/etc/linli/ballot.key"
    assert values["PORTAL_UPLOAD_DIR"] == "/srv/linli/instance/uploads"
    assert {"DATABASE_URL", "REDIS_URL"} <= set(values)
    readme = (ROOT / "README.md").read_text()
    for name in values:
        assert f"`{name}`" in readme, f"{name} is not in README.md's configuration table"
    # With a secret filled in, the configuration loads in production mode as it stands.
    loaded = configuration.load(str(tmp_path), environ={**values, "SECRET_KEY": secrets.token_hex(32)})
    assert loaded["PORTAL_ENV"] == "production"
    assert loaded["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://linli@/linli"
    assert loaded["SESSION_COOKIE_SECURE"] is True
    site_limit = _value(_tls_server(_site()), "client_max_body_size")[0]
    assert site_limit == f"{int(values['PORTAL_UPLOAD_LIMIT_MB']) + 1}m", "keep nginx and the example in step"


# --- end to end on loopback -----------------------------------------------------------------------------------------


def _get(port: str | int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _wait(process: subprocess.Popen, port: int, path: str, log: Path, deadline: float) -> None:
    """Until `path` answers on `port`; the process's log when it dies or the deadline passes."""
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            _get(port, path)
            return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"no answer on {port} within {START_S} s:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)


def _gunicorn_command(port: int) -> list[str]:
    """The unit's ExecStart, from this checkout on `port`, with one worker (the unit's 3 only cost start-up time)."""
    command = unit_command(_unit("linli.service")["Service"]["ExecStart"])
    command[0] = str(ROOT / ".venv" / "bin" / "gunicorn")
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    return command


def _production_environment(tmp_path: Path) -> dict[str, str]:
    """The example environment, pointed at the test database, a fresh secret and local folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DATABASE_URL", "REDIS_URL"))}
    env.pop("SECRET_KEY", None)
    env.update(_environment())
    env.update(
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=TEST_DATABASE_URL,
        PORTAL_BASE_URL="https://localhost",
        PORTAL_BALLOT_KEY=TEST_BALLOT_KEY,  # what the test database's votes (if any) were opened with
        PORTAL_UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    del env["PORTAL_BALLOT_KEY_FILE"]
    if os.environ.get("PORTAL_TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["PORTAL_TEST_REDIS_URL"]
    else:
        del env["REDIS_URL"]  # no Redis promised outside CI: /readyz then says "not configured"
    return env


def _plain_http_site(app_port: int, web_port: int, prefix: Path) -> str:
    """The TLS site on plain http at 127.0.0.1:`web_port`, in front of gunicorn on `app_port`, static from here."""
    site = _local_files(_site(), prefix)
    # no port-80 redirect, no default servers
    site = [d for d in site if not (d[0] == "server" and (_find(d[2], "return") or d not in _portal_servers(site)))]
    (upstream,) = _find(site, "upstream")
    _find(upstream[2], "server")[0][1] = [f"127.0.0.1:{app_port}"]
    server = _tls_server(site)
    server[:] = [d for d in server if d[0] != "listen" and not d[0].startswith("ssl_")]
    server.insert(0, ["listen", [f"127.0.0.1:{web_port}"], None])
    _find(_location(server, "/static/"), "alias")[0][1] = [str(ROOT / "static") + "/"]
    return render_nginx(site)


SLOW_CLIENTS = 12  # three times the one worker's four threads (the issue saw sync workers stalled by six)


def _slow_clients_do_not_stall_the_portal(web_port: int) -> None:
    """Clients on a bad mobile line, sending half a request and then nothing: nginx holds them (it buffers the whole
    request before passing it on), so gunicorn's threads stay free and another owner's page comes at once."""
    slow = []
    try:
        for n in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", web_port), timeout=5)
            if n % 2:  # headers not finished
                sock.sendall(b"GET /login HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow")
            else:  # a form whose body trickles in
                sock.sendall(b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n"
                             b"Content-Type: application/x-www-form-urlencoded\r\n\r\nlogin=")  # fmt: skip
            slow.append(sock)
        started = time.monotonic()
        for _ in range(3):
            assert _get(web_port, "/login")[0] == 200
        assert time.monotonic() - started < 3, "a page waited behind the slow clients"
    finally:
        for sock in slow:
            sock.close()


def test_gunicorn_with_the_units_arguments_serves_production_behind_nginx(app, tmp_path):
    """gunicorn (gthread, production, the test database) answers /healthz and /readyz; nginx, when installed,
    serves a static file with a long cache and passes a page through with the proxy headers."""
    started = time.monotonic()
    app_port = serving.free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        gunicorn = subprocess.Popen(
            _gunicorn_command(app_port),
            cwd=ROOT,
            env=_production_environment(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    nginx = None
    try:
        _wait(gunicorn, app_port, "/healthz", log, started + START_S)
        status, _, body = _get(app_port, "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, _, body = _get(app_port, "/readyz")
        assert status == 200, (body, log.read_text()[-2000:])
        assert json.loads(body)["status"] == "ready"

        if not NGINX.exists() and not IN_CI:
            return  # gunicorn alone, as the README allows when nginx is not available
        _need_nginx()
        web_port = serving.free_port()
        conf = _wrapper(tmp_path, _plain_http_site(app_port, web_port, tmp_path), foreground=True)
        nginx_log = tmp_path / "error.log"
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(tmp_path), "-e", str(nginx_log), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        nginx_log.touch()
        _wait(nginx, web_port, "/healthz", nginx_log, started + START_S)

        status, headers, body = _get(web_port, "/static/css/portal.css", {"Accept-Encoding": "gzip"})
        assert status == 200
        assert "max-age=2592000" in headers["cache-control"]
        assert headers.get("content-encoding") == "gzip"
        status, headers, body = _get(web_port, "/login", {"Accept-Encoding": "gzip"})
        assert status == 200, body[:500]
        assert headers["content-security-policy"]  # the app's headers pass through
        assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])  # nginx's $request_id reached the app
        assert _get(web_port, "/readyz")[0] == 200
        _slow_clients_do_not_stall_the_portal(web_port)
    finally:
        if nginx is not None:
            serving.stop(nginx)
        serving.stop(gunicorn)
    assert time.monotonic() - started < 30
