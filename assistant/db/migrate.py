"""Run Alembic migrations from code, on the bot's own async engine.

Alembic takes most of a second to import, so start-up first compares the database's version
with the heads named in migrations/versions and only loads Alembic when they differ.

Several processes may start at once on one PostgreSQL database (`replicas: 3`). The upgrade
runs under a transaction-level advisory lock: one process migrates, the others wait for its
commit, and then Alembic, reading the version table afresh, finds the schema at head and does
nothing. (SQLite serialises writers itself; its store serves one process.)
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
# Any fixed 64-bit number, the same in every process of this bot: "the schema is being migrated".
MIGRATION_LOCK = 0x5A1E_0001
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@cache
def head_revisions() -> frozenset[str]:
    """Revisions no other migration builds on, read from the files without importing them."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        down = _DOWN.search(source)
        if revision:
            revisions.add(revision.group(1))
        if down:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return frozenset(revisions - parents)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


async def current_revisions(engine: AsyncEngine) -> frozenset[str]:
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(row[0] for row in rows)
    except DBAPIError:  # no version table yet: a new database
        return frozenset()


async def upgrade_to_head(engine: AsyncEngine) -> None:
    if await current_revisions(engine) == head_revisions():
        return
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Released by the commit (or rollback) that ends this transaction.
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        await connection.run_sync(_upgrade)
