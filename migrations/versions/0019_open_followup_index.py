"""partial index of the open leads with a follow-up, for /team's overdue counts

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 07:00:00

ix_lead_open_followup holds only the leads an overdue count can find (not deleted, not won or
lost, with a follow-up time), keyed by team, owner and follow-up time, so /team counts each
member's overdue leads as two ranges of it. Its WHERE is the one the query repeats with
literal values (assistant/services/team_view.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_FOLLOWUP = (
    "deleted_at IS NULL AND stage NOT IN ('won', 'lost') AND next_followup_at IS NOT NULL"
)


def upgrade() -> None:
    op.create_index(
        "ix_lead_open_followup",
        "lead",
        ["team_id", "owner_id", "next_followup_at", "stage", "deleted_at"],
        sqlite_where=sa.text(OPEN_FOLLOWUP),
        postgresql_where=sa.text(OPEN_FOLLOWUP),
    )


def downgrade() -> None:
    op.drop_index("ix_lead_open_followup", table_name="lead")
