"""receipt key per vote

Receipts are no longer kept in the session cookie: each vote gets a random receipt key when it opens, stored wrapped
with the ballot key, and a voter's receipt is re-derived from it whenever they come back. The key is dropped when the
vote is archived or cancelled. Votes opened before this revision have no key; their receipts stay as they were given.

Revision ID: e1b4c6d7a839
Revises: d9a3e4f5c627
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e1b4c6d7a839'
down_revision = 'd9a3e4f5c627'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_key', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('receipt_key')
