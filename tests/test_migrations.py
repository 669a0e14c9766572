"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_models_and_migrations_agree(app, database):
    context = MigrationContext.configure(
        database.session.connection(),
        opts={"compare_type": False, "render_as_batch": True, "include_name": _not_the_search_index},
    )
    differences = compare_metadata(context, db.metadata)
    assert differences == []


def _not_the_search_index(name, type_, parent_names) -> bool:
    """The minutes' full-text index (SQLite FTS5 tables, PostgreSQL trigram index) lives outside the models."""
    return not (name or "").startswith(("minutes_fts", "ix_minutes_search_trgm"))
