"""covering index for /leaderboard

Revision ID: 0010_today
Revises: 0009
Create Date: 2026-11-25 20:00:00

ix_leadevent_team_kind_at answers the leaderboard's per-kind event counts and its follow-up
history from the index alone.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0010_today'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_COLUMNS = ['team_id', 'kind', 'at', 'owner_id', 'lead_id', 'to_value']


def upgrade() -> None:
    with op.batch_alter_table('leadevent', schema=None) as batch_op:
        batch_op.create_index('ix_leadevent_team_kind_at', EVENT_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('leadevent', schema=None) as batch_op:
        batch_op.drop_index('ix_leadevent_team_kind_at')
