"""secret paper ballots: the envelope recorded apart from the sheet

信封登记: for a secret vote the desk records that the envelope of a voting right came in (participation), apart from
the sheet inside, which carries no unit and is entered by its sheet code (the choices).

Revision ID: c14c0d3e4f5a
Revises: c14a0b1d2e3f
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


revision = 'c14c0d3e4f5a'
down_revision = 'c14a0b1d2e3f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'paper_envelope',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('right_id', sa.Integer(), nullable=False),
        sa.Column('received_by_id', sa.Integer(), nullable=False),
        sa.Column('received_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['received_by_id'], ['person.id'], name=op.f('fk_paper_envelope_received_by_id_person')
        ),
        sa.ForeignKeyConstraint(
            ['right_id'], ['voting_right.id'], name=op.f('fk_paper_envelope_right_id_voting_right'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['vote_id'], ['vote.id'], name=op.f('fk_paper_envelope_vote_id_vote'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_envelope')),
        sa.UniqueConstraint('vote_id', 'right_id', name=op.f('uq_paper_envelope_vote_id_right_id')),
    )
    with op.batch_alter_table('paper_envelope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_envelope_vote_id'), ['vote_id'], unique=False)


def downgrade():
    with op.batch_alter_table('paper_envelope', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_envelope_vote_id'))
    op.drop_table('paper_envelope')
