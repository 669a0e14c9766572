"""large text kept on the person

大字: a person who chose large text sees every page in it on every device they log in from. Everyone starts with
standard text.

Revision ID: c3d9a7f15e20
Revises: b7e1c4d2a805
Create Date: 2026-12-03 11:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d9a7f15e20'
down_revision = 'b7e1c4d2a805'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('large_text', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('large_text')
