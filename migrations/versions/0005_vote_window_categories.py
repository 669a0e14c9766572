"""votes: each item's Art. 278 category, and the reason staff closed a vote early

Revision ID: b7e1c2d3a405
Revises: eaf31900829e
Create Date: 2026-11-23 10:00:00.000000

`vote_item.category` names the Art. 278 matter an item decides; its threshold (`matter`) now follows from it.
Existing items cannot say which matter they decided, so each gets a category with the threshold it was counted
under: 'other' (其他重大事项, more than 1/2) where the item was ordinary, 'rebuild' (改建、重建, at least 3/4) where
it was major. No result changes; staff may read such items' titles to see what they really were.

`vote.close_reason` holds why community staff closed a vote before its announced closing time (printed on the
notice); it is empty for every vote closed before this revision.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e1c2d3a405'
down_revision = 'eaf31900829e'
branch_labels = None
depends_on = None

CATEGORIES = (
    'rules_of_procedure', 'management_rules', 'committee', 'property_manager', 'use_fund', 'raise_fund', 'rebuild',
    'change_use', 'other',
)


def upgrade():
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('vote_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'category', sa.Enum(*CATEGORIES, name='art278category', native_enum=False, length=20), nullable=True
        ))
    op.execute("UPDATE vote_item SET category = CASE WHEN matter = 'major' THEN 'rebuild' ELSE 'other' END")
    with op.batch_alter_table('vote_item', schema=None) as batch_op:
        batch_op.alter_column(
            'category',
            existing_type=sa.Enum(*CATEGORIES, name='art278category', native_enum=False, length=20),
            nullable=False,
        )


def downgrade():
    with op.batch_alter_table('vote_item', schema=None) as batch_op:
        batch_op.drop_column('category')

    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('close_reason')
