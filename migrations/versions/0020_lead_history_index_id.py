"""the lead history index ends with id

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 07:10:00

The funnel's walk over the moved leads' history (analytics/moves.py) reads each event's id with
it. PostgreSQL keeps no row id in an index, so without id every history row was a heap fetch
after the index probe; with it the probe is an index-only scan. SQLite already had the rowid.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["lead_id", "at", "kind", "from_value", "to_value", "grade"]


def upgrade() -> None:
    op.drop_index("ix_leadevent_lead_history", table_name="leadevent")
    op.create_index("ix_leadevent_lead_history", "leadevent", [*COLUMNS, "id"])


def downgrade() -> None:
    op.drop_index("ix_leadevent_lead_history", table_name="leadevent")
    op.create_index("ix_leadevent_lead_history", "leadevent", COLUMNS)
