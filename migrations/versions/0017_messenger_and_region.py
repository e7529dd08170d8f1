"""a team's chat app and phone region; the app a lead's chat id is on

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 22:30:00

Team.messenger (wechat | line | whatsapp) names the app whose "added" rate the team measures and
the app an unmarked chat id is taken for; Team.phone_region (CN, TW, HK, MO) is where a number
without +country is read. Lead.messenger is the app the lead's chat id (column `wechat`) is on.
Everything stored before this revision was a WeChat id in a mainland team.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int, default: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name,
        sqlmodel.sql.sqltypes.AutoString(length=length),
        nullable=False,
        server_default=default,
    )


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(_text("messenger", 16, "wechat"))
        batch_op.add_column(_text("phone_region", 2, "CN"))
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(_text("messenger", 16, "wechat"))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of team would drop a table
    # that people and leads point at, which SQLite's foreign keys refuse once rows exist.
    op.drop_column('lead', 'messenger')
    op.drop_column('team', 'phone_region')
    op.drop_column('team', 'messenger')
