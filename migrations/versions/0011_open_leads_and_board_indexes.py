"""covering indexes for /today, /leads and /leaderboard

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 20:00:00

ix_lead_team_owner_open answers "a person's open leads" (the plan, the lead list and its
count) from the index alone; ix_leadevent_team_kind_at answers the leaderboard's per-kind event
counts and its follow-up history the same way. Both end with id: PostgreSQL, unlike SQLite,
does not keep the row id in an index, and without it could not answer from the index alone.
Plain (not partial) indexes: SQLite uses a partial index only when the query repeats its WHERE
with literal values, not bound parameters.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD_COLUMNS = [
    'team_id', 'owner_id', 'deleted_at', 'grade', 'stage', 'next_followup_at', 'event_date',
    'number', 'id',
]
EVENT_COLUMNS = ['team_id', 'kind', 'at', 'owner_id', 'lead_id', 'to_value', 'id']


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_team_owner_open', LEAD_COLUMNS, unique=False)
    with op.batch_alter_table('leadevent', schema=None) as batch_op:
        batch_op.create_index('ix_leadevent_team_kind_at', EVENT_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('leadevent', schema=None) as batch_op:
        batch_op.drop_index('ix_leadevent_team_kind_at')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_team_owner_open')
