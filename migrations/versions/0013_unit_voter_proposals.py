"""who votes for a co-owned unit: proposals and confirmations

指定投票人: co-owners propose one of them to vote for the unit and the others confirm in the portal; staff record the
voter from the paper form every co-owner signed. At most one open proposal per unit.

Revision ID: e5a1f7c3b9d2
Revises: c3d9a7f15e20
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a1f7c3b9d2'
down_revision = 'c3d9a7f15e20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voter_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('nominee_id', sa.Integer(), nullable=False),
        sa.Column('proposer_id', sa.Integer(), nullable=False),
        sa.Column('on_paper', sa.Boolean(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=True),
        sa.Column(
            'state',
            sa.Enum('open', 'done', 'withdrawn', 'declined', 'replaced', name='proposalstate', native_enum=False,
                    length=12),
            nullable=False,
        ),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['closed_by_id'], ['person.id'], name=op.f('fk_voter_proposal_closed_by_id_person')),
        sa.ForeignKeyConstraint(['nominee_id'], ['person.id'], name=op.f('fk_voter_proposal_nominee_id_person')),
        sa.ForeignKeyConstraint(['proposer_id'], ['person.id'], name=op.f('fk_voter_proposal_proposer_id_person')),
        sa.ForeignKeyConstraint(
            ['unit_id'], ['unit.id'], name=op.f('fk_voter_proposal_unit_id_unit'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_proposal')),
    )
    with op.batch_alter_table('voter_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voter_proposal_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(
            'uq_voter_proposal_open_unit',
            ['unit_id'],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
    op.create_table(
        'voter_confirmation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_voter_confirmation_person_id_person')),
        sa.ForeignKeyConstraint(
            ['proposal_id'], ['voter_proposal.id'], name=op.f('fk_voter_confirmation_proposal_id_voter_proposal'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_confirmation')),
        sa.UniqueConstraint('proposal_id', 'person_id', name=op.f('uq_voter_confirmation_proposal_id_person_id')),
    )
    with op.batch_alter_table('voter_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voter_confirmation_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    op.drop_table('voter_confirmation')
    op.drop_table('voter_proposal')
