"""covering indexes for period counts, lead history and overdue counts; event grade column

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 19:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELETED = "deleted_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("leadevent") as batch:
        batch.add_column(sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        grade = "payload->>'grade'"
    else:
        grade = "json_extract(payload, '$.grade')"
    op.execute(
        f"UPDATE leadevent SET grade = {grade} "
        f"WHERE {grade} IN ('A', 'B', 'C', 'D')"
    )
    op.drop_index("ix_leadevent_team_owner_at", table_name="leadevent")
    op.create_index(
        "ix_leadevent_team_owner_kind_at",
        "leadevent",
        ["team_id", "owner_id", "kind", "at", "lead_id", "grade", "from_value", "to_value", "id"],
    )
    op.drop_index("ix_leadevent_lead_at", table_name="leadevent")
    op.create_index(
        "ix_leadevent_lead_history",
        "leadevent",
        ["lead_id", "at", "kind", "from_value", "to_value", "grade"],
    )
    op.drop_index("ix_lead_team_owner_followup", table_name="lead")
    op.create_index(
        "ix_lead_team_owner_followup",
        "lead",
        ["team_id", "owner_id", "next_followup_at", "stage", "deleted_at"],
    )
    op.create_index(
        "ix_lead_team_deleted",
        "lead",
        ["team_id", "deleted_at"],
        sqlite_where=sa.text(DELETED),
        postgresql_where=sa.text(DELETED),
    )


def downgrade() -> None:
    op.drop_index("ix_lead_team_deleted", table_name="lead")
    op.drop_index("ix_lead_team_owner_followup", table_name="lead")
    op.create_index(
        "ix_lead_team_owner_followup", "lead", ["team_id", "owner_id", "next_followup_at"]
    )
    op.drop_index("ix_leadevent_lead_history", table_name="leadevent")
    op.create_index("ix_leadevent_lead_at", "leadevent", ["lead_id", "at"])
    op.drop_index("ix_leadevent_team_owner_kind_at", table_name="leadevent")
    op.create_index("ix_leadevent_team_owner_at", "leadevent", ["team_id", "owner_id", "at"])
    with op.batch_alter_table("leadevent") as batch:
        batch.drop_column("grade")
