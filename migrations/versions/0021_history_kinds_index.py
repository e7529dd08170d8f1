"""a partial index of the lead history kinds for the stage walk

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 07:40:00

/summary's walk over the moved leads' history (analytics/moves.py) reads each lead's created,
stage and grade events. From ix_leadevent_lead_history it stepped over the lead's contacts and
notes too (three quarters of the events); this index holds the three kinds alone. The query
names them as literals, which SQLite needs to use a partial index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('created', 'stage', 'grade')"


def upgrade() -> None:
    op.create_index(
        "ix_leadevent_history_kinds",
        "leadevent",
        ["lead_id", "at", "kind", "from_value", "to_value", "grade", "id"],
        sqlite_where=sa.text(KINDS),
        postgresql_where=sa.text(KINDS),
    )


def downgrade() -> None:
    op.drop_index("ix_leadevent_history_kinds", table_name="leadevent")
