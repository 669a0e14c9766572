"""Every route × every kind of person: who sees what, who may act where.

Compounds A and B belong to one community, C to another. Nobody outside B may learn B's member-only
content (404); members lacking a right get 403; visitors are sent to log in.
"""

from __future__ import annotations

import pytest

ROLES = ["anonymous", "owner_a", "owner_b", "resident_b", "committee_b", "staff_b", "staff_c", "admin"]

OK, LOGIN, HIDDEN, FORBIDDEN = "ok", "login", 404, 403

# route name → (method, path template, expected outcome per role)
STAFF_ONLY = {
    "anonymous": LOGIN,
    "owner_a": HIDDEN,
    "owner_b": HIDDEN,
    "resident_b": HIDDEN,
    "committee_b": HIDDEN,
    "staff_b": OK,
    "staff_c": HIDDEN,
    "admin": OK,
}
MEMBERS = {
    "anonymous": LOGIN,
    "owner_a": HIDDEN,
    "owner_b": OK,
    "resident_b": OK,
    "committee_b": OK,
    "staff_b": OK,
    "staff_c": HIDDEN,
    "admin": OK,
}
OWNER_SIDE = dict(MEMBERS, resident_b=FORBIDDEN)
COMMITTEE_ACTION = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN)
PUBLIC = dict.fromkeys(ROLES, OK)

ROUTES = {
    "compound home": ("GET", "/c/{b}/", PUBLIC),
    "public notice": ("GET", "/c/{b}/notices/{public_notice}", PUBLIC),
    "member notice": ("GET", "/c/{b}/notices/{member_notice}", MEMBERS),
    "committee list": ("GET", "/c/{b}/committee", MEMBERS),
    "owners' roll": ("GET", "/c/{b}/roll", OWNER_SIDE),
    "post notice": ("POST", "/c/{b}/notices", COMMITTEE_ACTION),
    "staff desk": ("GET", "/staff/", dict(STAFF_ONLY, staff_c=OK)),
    "staff compound": ("GET", "/staff/c/{b}/", STAFF_ONLY),
    "people and roles": ("GET", "/staff/c/{b}/people", STAFF_ONLY),
    "a person's roles": ("GET", "/staff/c/{b}/people/{owner_b}", STAFF_ONLY),
    "toggle role": ("POST", "/staff/c/{b}/people/{owner_b}/roles", STAFF_ONLY),
    "invite form": ("GET", "/staff/c/{b}/invite", STAFF_ONLY),
    "invite": ("POST", "/staff/c/{b}/invite", STAFF_ONLY),
    "revoke code": ("POST", "/staff/c/{b}/codes/{owner_b}/revoke", STAFF_ONLY),
    "print letters": ("POST", "/staff/c/{b}/letters", STAFF_ONLY),
    "register upload form": ("GET", "/staff/c/{b}/register/", STAFF_ONLY),
    "register upload": ("POST", "/staff/c/{b}/register/", STAFF_ONLY),
    "register template": ("GET", "/staff/c/{b}/register/template.csv", STAFF_ONLY),
    "health": ("GET", "/healthz", PUBLIC),
    "readiness": ("GET", "/readyz", PUBLIC),
}

# Form data that makes each action succeed for someone allowed (so "ok" is a real success, not a 400).
DATA = {
    "post notice": {"title": "停水通知", "body": "周六停水", "is_public": "y"},
    "toggle role": {"role": "volunteer", "action": "grant", "confirm": "y"},
    "invite": {"name": "新住户", "role": "resident"},
    "print letters": {"person_id": "{owner_b}"},
}


def outcome(response) -> object:
    """Classify a response: ok, login (redirect to the login page), or the error status."""
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code in (403, 404):
        return response.status_code
    assert response.status_code in (200, 303), (response.status_code, response.get_data(as_text=True)[:300])
    return OK


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_route_access(client, world, login, route, role):
    people, ids = world
    method, template, expected = ROUTES[route]
    if role != "anonymous":
        login(people[role])
    path = template.format(**ids)
    data = {k: v.format(**ids) for k, v in DATA.get(route, {}).items()}
    if route == "register upload":
        from io import BytesIO

        header = b"building,entrance,room,area_m2,area_source,owner_name,owner_key\n"
        data = {"file": (BytesIO(header + "1栋,1单元,101,88.50,registered,乙业主,K1\n".encode()), "r.csv")}
    response = client.open(path, method=method, data=data)
    assert outcome(response) == expected[role]


def test_every_route_is_covered(app):
    """A new route must be added to a table here or in another test_*_routes.py (its ROUTES), or to the public list
    below."""
    import importlib
    from collections import defaultdict
    from pathlib import Path

    others = sorted(p.stem for p in Path(__file__).parent.glob("test_*_routes.py") if p.stem != "test_routes")

    public = {
        "public.home",
        "public.set_language",
        "public.set_text_size",
        "accounts.login",
        "accounts.logout",
        "accounts.activate",
        "accounts.check_code",
        "accounts.account",
        "static",
    }
    any_id = defaultdict(lambda: "1", b="compound-b")
    tables = [*ROUTES.values()]
    for name in others:
        tables += importlib.import_module(name).ROUTES.values()
    covered = set()
    adapter = app.url_map.bind("localhost")
    for method, template, *_ in tables:
        endpoint, _args = adapter.match(template.format_map(any_id).split("?")[0], method=method)
        covered.add(endpoint)
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - covered - public
    assert not missing, f"routes without a permission test: {sorted(missing)}"
