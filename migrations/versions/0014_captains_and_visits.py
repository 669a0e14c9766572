"""building captains and their visits (楼栋长/单元长, 走访记录)

A captain drives the turnout of one building or one entrance of it, for every open vote of the compound; each visit
to a unit for a vote is recorded with its outcome, who went and when.

Revision ID: c14a0b1d2e3f
Revises: e5a1f7c3b9d2
Create Date: 2026-12-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c14a0b1d2e3f'
down_revision = 'e5a1f7c3b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'captain',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('compound_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('entrance_id', sa.Integer(), nullable=True),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['person.id'], name=op.f('fk_captain_assigned_by_id_person')),
        sa.ForeignKeyConstraint(
            ['building_id'], ['building.id'], name=op.f('fk_captain_building_id_building'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_captain_compound_id_compound')),
        sa.ForeignKeyConstraint(
            ['entrance_id'], ['entrance.id'], name=op.f('fk_captain_entrance_id_entrance'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_captain_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_captain')),
        sa.UniqueConstraint(
            'person_id', 'building_id', 'entrance_id', name=op.f('uq_captain_person_id_building_id_entrance_id')
        ),
    )
    with op.batch_alter_table('captain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_captain_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_captain_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_captain_person_id'), ['person_id'], unique=False)
    op.create_table(
        'visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('visitor_id', sa.Integer(), nullable=False),
        sa.Column(
            'outcome',
            sa.Enum('reached', 'not_home', 'refused', 'paper', name='visitoutcome', native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_visit_unit_id_unit'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['visitor_id'], ['person.id'], name=op.f('fk_visit_visitor_id_person')),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_visit_vote_id_vote'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_vote_unit', ['vote_id', 'unit_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_visitor_id'), ['visitor_id'], unique=False)


def downgrade():
    op.drop_table('visit')
    op.drop_table('captain')
