"""the name a rep signs client messages with

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 23:00:00

Person.rep_name is what scripts say after "我是…" / "… here": the person's Telegram first name
until they type /name. Empty for everyone stored before this revision; it is filled from the
first name their next message carries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rep_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("rep_name")
