"""Counting the SQL statements a piece of code runs (the page-size tests: a page's statements must not grow)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block, on any engine."""
    statements: list[str] = []

    def _count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", _count)
