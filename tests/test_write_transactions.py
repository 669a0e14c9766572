"""Which requests take SQLite's write lock at BEGIN: every POST, unless its view says it reads first (`reads_first`),
and never a GET. The choice sits with the view, not in a list of endpoint names."""

from __future__ import annotations

import pytest

from portal import db as portal_db

READS_FIRST = {"accounts.login", "accounts.activate", "accounts.check_code", "voting.check_receipt"}


@pytest.mark.parametrize(
    ("method", "path", "writes"),
    [
        ("POST", "/login", False),  # the slow password check must not hold up other logins
        ("POST", "/activate", False),  # reads until the code proves usable, then will_write()
        ("POST", "/c/lvyuan/votes/1/check-receipt", False),
        ("POST", "/c/lvyuan/votes/1/ballot", True),
        ("POST", "/logout", True),
        ("GET", "/c/lvyuan/votes/1/ballot", False),
        ("HEAD", "/login", False),
    ],
)
def test_the_view_decides_whether_a_request_writes_from_its_start(app, method, path, writes):
    with app.test_request_context(path, method=method):
        assert portal_db._request_writes() is writes


def test_only_the_views_that_read_first_are_marked(app):
    marked = {name for name, view in app.view_functions.items() if getattr(view, portal_db._READS_FIRST, False)}
    assert marked == READS_FIRST
