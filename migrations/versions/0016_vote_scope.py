"""a vote's scope: the buildings or entrances whose owners decide it

表决范围: a vote of one building or entrance (elevator renewal, a building's share of the maintenance fund) counts
only the owners of units in scope; no rows means the whole compound, as every vote before this migration.

Revision ID: c16a0b1c2d3e
Revises: c14c0d3e4f5a
Create Date: 2026-12-03 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c16a0b1c2d3e'
down_revision = 'c14c0d3e4f5a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'vote_scope',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('entrance_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_vote_scope_building_id_building')),
        sa.ForeignKeyConstraint(['entrance_id'], ['entrance.id'], name=op.f('fk_vote_scope_entrance_id_entrance')),
        sa.ForeignKeyConstraint(
            ['vote_id'], ['vote.id'], name=op.f('fk_vote_scope_vote_id_vote'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_scope')),
        sa.UniqueConstraint(
            'vote_id', 'building_id', 'entrance_id', name=op.f('uq_vote_scope_vote_id_building_id_entrance_id')
        ),
    )
    with op.batch_alter_table('vote_scope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_scope_vote_id'), ['vote_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vote_scope', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_scope_vote_id'))
    op.drop_table('vote_scope')
