"""Hostile input on every route: NUL bytes, invalid UTF-8, huge and negative integers, overlong fields, repeated
fields and unknown enum values, in the path, the query string and the form, as a visitor and as B's owner.

Nothing may answer 500 or show a traceback, and every error page is a proper 400/404/405/413/422 page with the
security headers. The world is the permission tests' (conftest.py): every route gets a real path from the route
tables of test_*_routes.py, and the hostile values replace one path variable at a time, or fill the query string or
the form. Unhandled exceptions turn into the production 500 page here (PROPAGATE_EXCEPTIONS off), so an error page
that itself fails raises from the client, as it fails under gunicorn.

The corpus is sampled rather than crossed in full (about 2,000 requests as the visitor, 2,700 as the owner):
every route × each hostile path value; every GET route × each hostile query value; every POST route × each hostile
body, sent as someone allowed to act (B's owner, else B's committee member or staff) so that the form is read, not
refused at the door; the visitor posts only where visitors may.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from urllib.parse import quote

import pytest
from flask import got_request_exception
from test_admin_routes import admin_world  # noqa: F401  (fixtures of the route tables)
from test_board_routes import board_world  # noqa: F401
from test_list_routes import lists_world  # noqa: F401
from test_meeting_routes import meetings  # noqa: F401
from test_need_routes import needs  # noqa: F401
from test_report_routes import cards  # noqa: F401
from test_routes import OK
from test_voting_routes import votes  # noqa: F401

from portal.extensions import db
from tests.conftest import PASSWORD

# Values as they travel, already percent-encoded: "%ff%fe" is invalid UTF-8 once decoded.
HOSTILE = {
    "nul": "a%00b",
    "bad utf-8": "%ff%fe",
    "overlong": "x" * 100_000,
    "huge int": "9" * 30,
    "int32 overflow": str(2**31),
    "negative": "-1",
    "unicode digit": "%C2%B2",  # "²": a digit to str.isdigit, not to int
    "unknown enum": "bogus",
}
PATH_VALUES = {
    "int": ["0", str(2**31), str(10**30), "-1", "%C2%B2"],
    "default": ["compound-b%00", "%00", "%ff%fe", "x" * 5000, "compound-b%20", "..%2f.."],
    "path": ["a%00b", "%ff%fe", "..%2f..%2fapp.py"],
}
# Query parameters the views read (request.args), so the hostile values reach the code.
QUERY_NAMES = ["q", "kind", "year", "page", "org", "organisation", "category", "status", "view", "need", "role"]
QUERY_NAMES += ["state", "next", "code", "for", "withdrawn", "flagged", "building", "right", "proxy", "room"]
# Forms of the routes no table covers (public ones).
PUBLIC_FORMS = {
    "accounts.login": {"login": "x", "password": "y", "next": "/"},
    "accounts.activate": {"code": "ABCD-EFGH-JKMN", "phone": "13800000000", "password": "p", "confirm": "p"},
    "accounts.account": {"current": "p", "password": "q", "confirm": "q", "name": "n", "phone": "1"},
    "public.set_language": {"lang": "en", "next": "/"},
    "staff.index": {"name": "n", "slug": "s", "community_id": "1"},
}
ALLOWED_ERRORS = {400, 403, 404, 405, 409, 413, 422, 429}
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")
ACTORS = ("owner_b", "committee_b", "staff_b", "admin")
TABLES = {
    "test_routes": None,
    "test_voting_routes": "votes",
    "test_meeting_routes": "meetings",
    "test_board_routes": "board_world",
    "test_list_routes": "lists_world",
    "test_need_routes": "needs",
    "test_report_routes": "cards",
    "test_admin_routes": "admin_world",
}
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _real_routes(app, request) -> dict[str, tuple[str, str, dict, dict]]:
    """endpoint → (method, real path, valid form, expected outcome per role), from the permission route tables."""
    adapter = app.url_map.bind("localhost")
    found = {}
    for module_name, fixture in TABLES.items():
        table = importlib.import_module(module_name).ROUTES
        world = request.getfixturevalue(fixture or "world")
        ids = world.ids if hasattr(world, "ids") else world[1]
        if fixture == "board_world":  # the lists' world names its organisation the same: one name per community
            from portal.boards.models import Organisation

            db.session.get(Organisation, ids["org"]).name = "乙小区业委会（服务承诺）"
            db.session.commit()
        for row in table.values():
            method, template, expected = row[:3]
            data = row[3] if len(row) > 3 else None
            path = template.format_map(ids).split("?")[0]  # the query string's names get hostile values below
            form = {k.format_map(ids): v.format_map(ids) for k, v in data.items()} if isinstance(data, dict) else {}
            endpoint, _args = adapter.match(path, method=method)
            if method == "POST" or endpoint not in found:
                found[endpoint] = (method, path, form, expected)
    return found


def _path_variants(adapter, rule, real_path: str | None) -> list[tuple[str, str]]:
    """(what was changed, path): the rule's path with one variable at a time replaced by a hostile value, the
    others real (from the route tables) or, for a route no table covers, B's slug and id 1."""
    real = {}
    if real_path is not None:
        real = {k: quote(str(v)) for k, v in adapter.match(real_path, method=sorted(rule.methods)[0])[1].items()}
    variables = VARIABLE.findall(rule.rule)
    defaults = {name: real.get(name) or ("1" if converter == "int" else "compound-b") for converter, name in variables}
    variants = []
    for converter, name in variables:
        for value in PATH_VALUES.get(converter or "default", PATH_VALUES["default"]):
            args = dict(defaults, **{name: value})
            variants.append((f"{name}={value[:20]}", VARIABLE.sub(lambda m, args=args: args[m.group(2)], rule.rule)))
    if not variables:
        variants.append(("no variable", rule.rule))
    return variants


def _body(form: dict, value: str) -> bytes:
    """A urlencoded body with every field of the form (and the query names, bar the overlong value) set to one
    hostile value."""
    names = list(dict.fromkeys([*form, *(QUERY_NAMES if len(value) < 100 else ["q"])]))
    return "&".join(f"{quote(name)}={value}" for name in names).encode("latin-1")


class Probe:
    """Sends requests, checks each answer, and keeps what went wrong."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.failures: list[str] = []
        self.statuses: Counter = Counter()
        self.last_exception: BaseException | None = None

    def send(self, client, who: str, method: str, path: str, what: str, query: str = "", body: bytes | None = None):
        """One request; a failure is recorded as `who method path (what) → problem`."""
        self.count += 1
        self.last_exception = None
        label = f"{who} {method} {path[:80]} ({what})"
        kwargs = {"method": method, "query_string": query or None}
        if body is not None:
            kwargs.update(data=body, content_type="application/x-www-form-urlencoded")
        try:
            response = client.open(path, **kwargs)
        except Exception as error:  # the error page itself failed: gunicorn sends its bare page
            self.failures.append(f"{label} → error page failed: {type(error).__name__}: {str(error)[:160]}")
            return None
        status = response.status_code
        self.statuses[status] += 1
        text = response.get_data().decode("utf-8", "replace")
        problems = []
        if status >= 500:
            cause = self.last_exception
            problems.append(f"{status} from {type(cause).__name__}: {str(cause)[:160]}" if cause else str(status))
        elif status >= 400 and status not in ALLOWED_ERRORS:
            problems.append(f"unexpected {status}")
        if "Traceback" in text:
            problems.append("traceback in the body")
        missing = [h for h in SECURITY_HEADERS if h not in response.headers]
        if missing:
            problems.append(f"no {', '.join(missing)}")
        portal_page = 'class="error"' in text or "<html lang=" in text  # the error page, or a form shown again
        if status >= 400 and response.mimetype == "text/html" and not portal_page:
            problems.append("not the portal's error page")
        if problems:
            self.failures.append(f"{label} → {'; '.join(problems)}")
        return response


@pytest.fixture
def probe(app, monkeypatch):
    """Unhandled errors become the production 500 page (not the exception), and their cause is kept."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    checker = Probe(app)

    def _keep(sender, exception, **extra):
        checker.last_exception = exception

    got_request_exception.connect(_keep, app)
    yield checker
    got_request_exception.disconnect(_keep, app)


def _login(client, person) -> None:
    """Log in through the real form."""
    response = client.post("/login", data={"login": person.account_no, "password": PASSWORD})
    assert response.status_code == 303


def _any_path(rule) -> str:
    """A path for a route no table covers: B's slug, id 1."""
    return VARIABLE.sub(lambda m: "1" if m.group(1) == "int" else "compound-b", rule.rule)


@pytest.mark.parametrize("who", ["anonymous", "owner_b"])
def test_hostile_input_never_answers_500(app, request, world, probe, who):
    people, _ids = world
    real = _real_routes(app, request)
    client = app.test_client()
    if who != "anonymous":
        _login(client, people[who])
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    adapter = app.url_map.bind("localhost")
    sent = {}
    # 1. Every route × each hostile path value, the other variables real; logging out last, as it ends the session.
    for rule in sorted(rules, key=lambda r: r.endpoint == "accounts.logout"):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = "GET" if "GET" in methods else methods[0]
        for what, path in _path_variants(adapter, rule, real.get(rule.endpoint, (None, None))[1]):
            if rule.endpoint != "accounts.logout" or path != rule.rule:
                probe.send(client, who, method, path, what)
    sent["path"] = probe.count
    # 2. Every GET route × each hostile query value.
    for rule in rules:
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = real.get(rule.endpoint, (None, None))[1] or _any_path(rule)
        for what, value in HOSTILE.items():
            probe.send(client, who, "GET", path, f"?{what}", query="&".join(f"{n}={value}" for n in QUERY_NAMES))
        probe.send(client, who, "GET", path, "?repeated", query="&".join(f"{n}=1&{n}=2" for n in QUERY_NAMES))
    sent["query"] = probe.count - sent["path"]
    # 3. Every POST route × each hostile body, as someone allowed to act: B's owner, or the committee or staff where
    # the owner may not; the visitor only where visitors may post.
    actors = {}
    for rule in rules:
        if "POST" not in rule.methods or rule.endpoint == "accounts.logout":
            continue
        method, path, form, expected = real.get(rule.endpoint, ("POST", None, {}, None))
        if path is None or method != "POST":
            path = real.get(rule.endpoint, (None, None))[1] or _any_path(rule)
            form, expected = PUBLIC_FORMS.get(rule.endpoint, form), None
        if expected is None or expected.get(who) == OK:
            actors.setdefault(who, []).append((path, form))
        elif who != "anonymous":
            actors.setdefault(next((r for r in ACTORS if expected.get(r) == OK), who), []).append((path, form))
    for actor, rows in actors.items():
        body_client = client
        if actor != who:
            body_client = app.test_client()
            _login(body_client, people[actor])
        for path, form in rows:
            for what, value in HOSTILE.items():
                probe.send(body_client, actor, "POST", path, f"form {what}", body=_body(form, value))
            repeated = "&".join(f"{quote(n)}=1&{quote(n)}=2" for n in [*form, *QUERY_NAMES]).encode()
            probe.send(body_client, actor, "POST", path, "form repeated", body=repeated)
    sent["form"] = probe.count - sent["path"] - sent["query"]
    print(f"hostile input as {who}: {probe.count} requests {sent}, statuses {dict(sorted(probe.statuses.items()))}")
    assert sent["path"] > 500 and sent["query"] > 300 and sent["form"] > (40 if who == "anonymous" else 500)
    assert not probe.failures, f"{len(probe.failures)} of {probe.count} requests failed:\n" + "\n".join(
        probe.failures[:60]
    )


def test_error_page_renders_for_a_logged_in_person_after_a_failed_flush(app, world, probe, monkeypatch):
    """The issue's finding: a crash that leaves the session failed made the error page itself fail for a logged-in
    person (the page reads the person and the inbox count), so the server's bare page went out without the CSP."""
    import portal.compounds.views
    from portal.compounds.models import Notice

    def failing_flush(*args, **kwargs):
        db.session.add(Notice(compound_id=None, title=None, body="", is_public=True))  # NOT NULL: the flush fails
        db.session.flush()

    monkeypatch.setattr(portal.compounds.views, "home_summary", failing_flush)  # as the compound home calls it
    client = app.test_client()
    _login(client, world[0]["owner_b"])
    response = probe.send(client, "owner_b", "GET", "/c/compound-b/", "a failed flush")
    assert response is not None and response.status_code == 500, probe.failures
    assert "Content-Security-Policy" in response.headers and b"Traceback" not in response.data
    assert type(probe.last_exception).__name__ == "IntegrityError"


def test_numbers_read_from_requests_fit_the_database():
    """Ids and page numbers typed into a URL or a form: ASCII digits within PostgreSQL's INTEGER, or nothing."""
    from portal.inputs import DB_INT_MAX, db_int, page_number

    assert db_int("2147483647") == DB_INT_MAX == 2**31 - 1
    assert [db_int(v) for v in ("2147483648", "9" * 30, "²", "١", "-1", "1.5", "", None, " 7 ")] == [None] * 8 + [7]
    assert [page_number(v) for v in ("3", "0", "-2", "9" * 30, "x", None)] == [3, 1, 1, 1, 1, 1]
