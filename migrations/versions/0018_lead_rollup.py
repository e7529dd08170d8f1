"""lead rollup: counted lead events per team, owner and local day, back-filled from the events

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 01:30:00

LeadRollup holds, per (team, owner, owner's local day, kind, grade, to_value), how many counted
events (created, contact, phone, wechat, stage) the live leads have, and the cents of the won
ones (assistant/db/rollups.py). The back-fill is one INSERT … SELECT … GROUP BY over leadevent,
the same statement the bot rebuilds rows with, so it runs in the database on either backend.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leadrollup",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("to_value", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "owner_id", "day", "kind", "grade", "to_value"),
        sqlite_with_rowid=False,  # rows stored in key order: a person's month is one range
    )
    from assistant.db import rollups

    rollups.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("leadrollup")
