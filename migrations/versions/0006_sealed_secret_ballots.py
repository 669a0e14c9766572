"""secret ballots encrypted until the seal; no running counters

Secret ballots are stored encrypted with the ballot key while the vote is open and shuffled into fresh plain rows at
the seal (portal/voting/sealing.py); the running per-answer counters are gone. A database that already holds ballots
of a secret vote in the old form (development data: no deployment had one) cannot be converted without the per-ballot
areas the old form never kept, so the upgrade stops and says so.

Revision ID: c8f2d3e4b516
Revises: b7e1c2d3a405
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c8f2d3e4b516'
down_revision = 'b7e1c2d3a405'
branch_labels = None
depends_on = None


def upgrade():
    old = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM ballot JOIN vote ON vote.id = ballot.vote_id WHERE vote.secrecy = 'secret'"
    )).scalar()
    if old:
        raise RuntimeError(
            f"{old} ballots of secret votes are stored in the old form, which kept no per-ballot area; they cannot be "
            "converted. This happens only with development data: recreate the database (flask portal demo)."
        )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('encrypted', sa.Text(), nullable=True))
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('encrypted', sa.Text(), nullable=True))
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_check', sa.String(length=64), nullable=True))
    with op.batch_alter_table('secret_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_counter_vote_id'))
    op.drop_table('secret_counter')


def downgrade():
    op.create_table('secret_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('heads', sa.Integer(), nullable=False),
    sa.Column('area_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], name=op.f('fk_secret_counter_vote_id_vote'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_counter')),
    sa.UniqueConstraint('vote_id', 'key', name=op.f('uq_secret_counter_vote_id_key'))
    )
    with op.batch_alter_table('secret_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_counter_vote_id'), ['vote_id'], unique=False)
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('key_check')
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.drop_column('encrypted')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_column('encrypted')
