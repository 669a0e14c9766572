"""user text rendered once: an _html column beside every Markdown field

Everything users write in a multi-line box (descriptions, statements, progress, notes, comments, objections and
their answers, notices) is shown through the one Markdown subset of portal/markup.py. Comments, minutes and addenda
already kept their sanitised HTML; this revision adds the same `<field>_html` column to the other fields and fills
it for the rows that exist, so pages show stored HTML and never render or escape user text another way.

Revision ID: a4c8e2f61d09
Revises: f2c5d8e1a940
Create Date: 2026-12-03 07:30:00

"""
from alembic import op
import sqlalchemy as sa

from portal.markup import render_markdown


revision = 'a4c8e2f61d09'
down_revision = 'f2c5d8e1a940'
branch_labels = None
depends_on = None

# (table, source column) of every Markdown field that had no _html column before this revision.
FIELDS = [
    ('meeting', 'description'),
    ('agenda_item', 'description'),
    ('vote', 'description'),
    ('vote_item', 'description'),
    ('candidate', 'statement'),
    ('objection', 'text'),
    ('objection', 'answer'),
    ('need', 'description'),
    ('need', 'declined_reason'),
    ('need', 'done_note'),
    ('need', 'rating_comment'),
    ('resource', 'description'),
    ('project', 'description'),
    ('project', 'completed_note'),
    ('project', 'cancel_reason'),
    ('project_update', 'body'),
    ('organisation', 'duty'),
    ('commitment', 'target'),
    ('commitment', 'fulfilled_note'),
    ('commitment', 'withdrawn_reason'),
    ('progress', 'body'),
    ('rating', 'comment'),
    ('notice', 'body'),
]


def _tables():
    """Each table once, with the source columns it gains an _html column for."""
    tables = {}
    for table, column in FIELDS:
        tables.setdefault(table, []).append(column)
    return tables


def upgrade():
    tables = _tables()
    for table, columns in tables.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(f'{column}_html', sa.Text(), nullable=False, server_default=''))
    connection = op.get_bind()
    for table, columns in tables.items():
        rows = sa.table(table, sa.column('id'), *(sa.column(c) for c in columns), *(sa.column(f'{c}_html') for c in columns))
        for row in connection.execute(sa.select(rows)).mappings():
            values = {f'{c}_html': str(render_markdown(row[c])) for c in columns if row[c]}
            if values:
                connection.execute(sa.update(rows).where(rows.c.id == row['id']).values(**values))


def downgrade():
    for table, columns in _tables().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_column(f'{column}_html')
