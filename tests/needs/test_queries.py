"""Every tab of the list, the request page and the staff page run a fixed number of queries, however many requests,
takers and steps there are."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.queries import count_queries

BASE = "/c/lvyuan/needs"


def _queries(client, url) -> int:
    client.get(url)  # warm up (the login's own queries, caches)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def _more(need_at, town, n):
    for i in range(n):
        need_at(["open", "taken", "done", "closed"][i % 4], public=i % 3 != 0,
                taker=["volunteer", "volunteer2", "org"][i % 3], title=f"需求{i}")  # fmt: skip


@pytest.mark.parametrize(
    ("who", "view"),
    [("anonymous", "public"), ("requester", "mine"), ("volunteer", "claim"), ("volunteer", "taking"),
     ("manager", "taking"), ("staff", "all"), ("staff", "all&flagged=1")],
)  # fmt: skip
def test_the_list_runs_a_fixed_number_of_queries(client, town, relogin, need_at, who, view):
    if who != "anonymous":
        relogin(getattr(town, who))
    url = f"{BASE}/?view={view}"
    _more(need_at, town, 3)
    few = _queries(client, url)
    _more(need_at, town, 12)
    assert _queries(client, url) == few


def test_the_request_page_runs_a_fixed_number_of_queries(client, town, relogin, need_at, app):
    from portal.needs import services

    relogin(town.staff)
    need = need_at("taken")
    few = _queries(client, f"{BASE}/{need.id}")
    with app.test_request_context():
        for _ in range(5):
            services.supervise(need, town.staff, "请尽快")
            services.take(need, town.staff, org=town.org)
            services.take(need, town.staff, person=town.volunteer2)
    from portal.extensions import db

    db.session.commit()
    assert _queries(client, f"{BASE}/{need.id}") == few


def test_the_staff_page_runs_a_fixed_number_of_queries(client, town, relogin, need_at):
    from datetime import timedelta

    from portal.db import utcnow
    from portal.extensions import db
    from portal.needs.models import Need

    relogin(town.staff)
    _more(need_at, town, 2)
    db.session.execute(sa.update(Need).values(last_step_at=utcnow() - timedelta(days=9)))
    db.session.commit()
    few = _queries(client, "/staff/c/lvyuan/")
    _more(need_at, town, 10)
    db.session.execute(sa.update(Need).values(last_step_at=utcnow() - timedelta(days=9)))
    db.session.commit()
    assert _queries(client, "/staff/c/lvyuan/") == few
