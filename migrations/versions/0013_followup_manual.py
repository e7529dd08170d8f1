"""a follow-up remembers whether the person set it by hand

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 19:00:00

Lead.followup_manual is true when the pending follow-up was typed (/fu) or picked with a button
(presets, snooze): a stage move then keeps it, and replaces only a cadence-made one. Every
follow-up stored before this revision was cadence-made or is treated as such.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('followup_manual', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('followup_manual')
