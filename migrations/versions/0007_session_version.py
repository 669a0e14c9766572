"""session version per person

Flask-Login keeps "person id:session version" in the session and the remember cookie; logout and password change
raise the version, which ends every other session of that person. Existing sessions (a bare id) are refused once, so
everyone logs in again after the upgrade.

Revision ID: d9a3e4f5c627
Revises: c8f2d3e4b516
Create Date: 2026-12-02 15:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd9a3e4f5c627'
down_revision = 'c8f2d3e4b516'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('session_version')
