"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
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


USER_TEXT_REVISION = "a4c8e2f61d09"  # 0010_user_text_html: an _html column beside every Markdown field


def test_user_text_revision_renders_rows_written_before_it(tmp_path):
    """Text written before the revision is shown from stored HTML at once: the revision renders every existing row
    (an empty source stays ""), and going back drops the columns again."""
    from flask_migrate import downgrade, upgrade

    from tests.conftest import make_app

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'before.sqlite3'}")
    at = "2026-12-01 08:00:00.000000"
    with app.app_context():
        upgrade(revision="f2c5d8e1a940")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO community (id, name, created_at) VALUES (1, '一号社区', :at)"), {"at": at}
            )
            connection.execute(
                sa.text(
                    "INSERT INTO organisation (id, community_id, kind, name, duty, contact, created_at)"
                    " VALUES (:id, 1, 'social', :name, :duty, '', :at)"
                ),
                [
                    {"id": 1, "name": "志愿队", "duty": "**维修**\n<script>x</script>", "at": at},
                    {"id": 2, "name": "读书会", "duty": "", "at": at},
                ],
            )
        upgrade(revision=USER_TEXT_REVISION)
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, duty_html FROM organisation ORDER BY id").all()
        assert rows == [(1, "<p><strong>维修</strong><br>\n&lt;script&gt;x&lt;/script&gt;</p>\n"), (2, "")]
        downgrade(revision="f2c5d8e1a940")
        with db.engine.connect() as connection:
            columns = {column["name"] for column in sa.inspect(connection).get_columns("organisation")}
        assert "duty_html" not in columns


LOGIN_PHONE_REVISION = "b7e1c4d2a805"  # 0011_login_phone: the register's phone is contact data, the login phone apart


def test_login_phone_revision_keeps_activated_accounts_logging_in_with_their_phone(tmp_path):
    """An activated account's phone becomes its login phone; a phone nobody activated with stays contact data only.
    Afterwards two owners may share a phone; going back keeps one per number (the one who logs in with it)."""
    from flask_migrate import downgrade, upgrade

    from tests.conftest import make_app

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'phones.sqlite3'}")
    insert = sa.text(
        "INSERT INTO person (id, name, account_no, phone, password_hash, is_developer, is_platform_admin,"
        " is_active_account, created_at) VALUES (:id, :name, :no, :phone, :hash, false, false, true,"
        " '2026-12-01 08:00:00.000000')"
    )
    with app.app_context():
        upgrade(revision=USER_TEXT_REVISION)
        with db.engine.begin() as connection:
            connection.execute(
                insert,
                [
                    {"id": 1, "name": "已激活", "no": "10000001", "phone": "13800138000", "hash": "x"},
                    {"id": 2, "name": "未激活", "no": "10000002", "phone": "13900139000", "hash": None},
                ],
            )
        upgrade(revision=LOGIN_PHONE_REVISION)
        with db.engine.begin() as connection:
            rows = connection.exec_driver_sql("SELECT id, phone, login_phone FROM person ORDER BY id").all()
            assert rows == [(1, "13800138000", "13800138000"), (2, "13900139000", None)]
            connection.execute(insert, {"id": 3, "name": "老", "no": "10000003", "phone": "13800138000", "hash": None})
            connection.execute(insert, {"id": 4, "name": "子", "no": "10000004", "phone": "13900139000", "hash": None})
        downgrade(revision=USER_TEXT_REVISION)
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, phone FROM person ORDER BY id").all()
            columns = {column["name"] for column in sa.inspect(connection).get_columns("person")}
        assert rows == [(1, "13800138000"), (2, None), (3, None), (4, None)] and "login_phone" not in columns
