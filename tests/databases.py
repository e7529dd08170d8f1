"""Test databases: a migrated SQLite file per test, and a PostgreSQL database per run."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from assistant.db.migrate import upgrade_to_head
from assistant.db.session import make_engine

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)


def require_postgres() -> bool:
    return os.environ.get("REQUIRE_POSTGRES", "") not in {"", "0", "false"}


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


def migrate(url: str) -> None:
    asyncio.run(_migrate(url))


class SqliteTemplate:
    """Migrate once, copy the file for each test: fast and fully isolated."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.db"
        migrate(f"sqlite+aiosqlite:///{self.path}")

    def fresh(self, directory: Path) -> str:
        target = directory / f"{uuid.uuid4().hex}.db"
        shutil.copy(self.path, target)
        return f"sqlite+aiosqlite:///{target}"


class PostgresDatabase:
    """A database of our own on the server, created for this run and dropped after it."""

    def __init__(self, *, migrated: bool = True) -> None:
        base = postgres_base_url()
        self.admin_url = base
        self.name = f"sales_test_{uuid.uuid4().hex[:10]}"
        self.url = base.rsplit("/", 1)[0] + "/" + self.name
        asyncio.run(self._admin(f'CREATE DATABASE "{self.name}"'))
        if migrated:
            migrate(self.url)
        self.tables = asyncio.run(self._tables())

    async def _admin(self, statement: str) -> None:
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    async def _tables(self) -> list[str]:
        engine = create_async_engine(self.url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
                return [row[0] for row in rows]
        finally:
            await engine.dispose()

    def truncate(self) -> None:
        names = ", ".join(f'"{name}"' for name in self.tables)
        asyncio.run(self._run(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    async def _run(self, statement: str) -> None:
        engine = create_async_engine(self.url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    def drop(self) -> None:
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def postgres_or_none(*, migrated: bool = True) -> PostgresDatabase | None:
    """The run's PostgreSQL database; None (tests skip) unless REQUIRE_POSTGRES is set."""
    try:
        return PostgresDatabase(migrated=migrated)
    except Exception as error:
        if require_postgres():
            pytest.fail(f"PostgreSQL is required but not usable: {type(error).__name__}: {error}")
        return None


@contextmanager
def empty_postgres() -> Iterator[str]:
    """A new PostgreSQL database with no tables yet (as a first deployment finds it); skips the
    test when the server is not reachable, unless REQUIRE_POSTGRES is set."""
    database = postgres_or_none(migrated=False)
    if database is None:
        pytest.skip("PostgreSQL is not reachable (set REQUIRE_POSTGRES=1 to fail instead)")
    try:
        yield database.url
    finally:
        database.drop()
