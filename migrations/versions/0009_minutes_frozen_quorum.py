"""attendance and quorum frozen into published minutes

Published minutes keep the attendance figure and the quorum as they stood at publication (who counted, out of how
many, met or not), so that a committee that grows or shrinks later does not rewrite the record. Minutes published
before this revision get the figures as they read now for committee meetings (the only kind with a legal quorum);
for other kinds the page goes on counting the invited as before.

Revision ID: f2c5d8e1a940
Revises: e1b4c6d7a839
Create Date: 2026-12-03 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f2c5d8e1a940'
down_revision = 'e1b4c6d7a839'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('present_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quorum_of', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quorum_met', sa.Boolean(), nullable=True))
    members = (
        "SELECT DISTINCT ms.person_id FROM membership ms WHERE ms.compound_id = mt.compound_id AND ms.role = 'committee'"
    )
    op.execute(
        f"""
        UPDATE minutes SET
          present_count = (
            SELECT count(*) FROM attendance a JOIN meeting mt ON mt.id = a.meeting_id
            WHERE a.meeting_id = minutes.meeting_id AND a.person_id IN ({members})),
          quorum_of = (
            SELECT count(DISTINCT ms.person_id) FROM membership ms JOIN meeting mt ON mt.compound_id = ms.compound_id
            WHERE mt.id = minutes.meeting_id AND ms.role = 'committee')
        WHERE status = 'published'
          AND meeting_id IN (SELECT id FROM meeting WHERE kind = 'committee')
        """
    )
    op.execute("UPDATE minutes SET quorum_met = (2 * present_count > quorum_of) WHERE quorum_of IS NOT NULL")


def downgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_column('quorum_met')
        batch_op.drop_column('quorum_of')
        batch_op.drop_column('present_count')
