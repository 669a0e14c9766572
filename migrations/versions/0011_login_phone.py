"""login phone apart from the register's phone

The phone an owner register gives is contact data: one owner may be listed with two numbers, and two owners (an
elderly parent and a child) may share one. It loses its unique constraint. The phone a person sets at activation to
log in with is `login_phone`, unique. An account activated before this revision keeps logging in with its phone:
that phone becomes its login phone.

Revision ID: b7e1c4d2a805
Revises: a4c8e2f61d09
Create Date: 2026-12-03 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e1c4d2a805'
down_revision = 'a4c8e2f61d09'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_phone', sa.String(length=20), nullable=True))
        batch_op.drop_constraint('uq_person_phone', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_person_login_phone'), ['login_phone'])
    op.execute("UPDATE person SET login_phone = phone WHERE password_hash IS NOT NULL AND phone IS NOT NULL")


def downgrade():
    # Going back, the login phone is the phone again; contact phones that others share or that an activated
    # account's login phone replaces are dropped, so that the unique constraint holds.
    op.execute(
        "UPDATE person SET phone = NULL WHERE login_phone IS NULL AND phone IN "
        "(SELECT login_phone FROM person WHERE login_phone IS NOT NULL)"
    )
    op.execute("UPDATE person SET phone = login_phone WHERE login_phone IS NOT NULL")
    op.execute(
        "UPDATE person SET phone = NULL WHERE login_phone IS NULL AND phone IN "
        "(SELECT phone FROM person WHERE phone IS NOT NULL GROUP BY phone HAVING COUNT(*) > 1)"
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_person_login_phone'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_person_phone'), ['phone'])
        batch_op.drop_column('login_phone')
