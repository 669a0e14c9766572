"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_models_and_migrations_agree(app, database):
    context = MigrationContext.configure(
        database.session.connection(), opts={"compare_type": False, "render_as_batch": True}
    )
    differences = compare_metadata(context, db.metadata)
    assert differences == []
