"""web tokens: one-time links into the Mini App and the browser sessions they open

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import assistant.db.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webtoken",
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", assistant.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", assistant.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", assistant.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index(op.f("ix_webtoken_person_id"), "webtoken", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_webtoken_person_id"), table_name="webtoken")
    op.drop_table("webtoken")
