"""The database goes away for a while: commands say "try again", nothing is half-written, and
the bot works again by itself once the database is back (no restart)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.databases import postgres_base_url
from tests.harness import BOB, Harness

TRY_AGAIN = "please try again"


@asynccontextmanager
async def _sqlite_locked(url: str) -> AsyncIterator[None]:
    """Another process holds the database's write lock (a backup, a stuck writer)."""
    path = make_url(url).database
    assert path is not None
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


@asynccontextmanager
async def _postgres_gone(url: str) -> AsyncIterator[None]:
    """The server refuses new connections and drops every open one (a failover, a restart)."""
    name = make_url(url).database
    admin = create_async_engine(postgres_base_url(), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        yield
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        await admin.dispose()


def _outage(url: str) -> object:
    return _sqlite_locked(url) if url.startswith("sqlite") else _postgres_gone(url)


async def test_while_the_database_is_away_commands_say_try_again_and_nothing_is_half_written(
    bot: Harness, database_url: str
) -> None:
    await bot.send("/start", BOB)
    message = bot._message("/newteam Outage Ltd", BOB, None)
    async with _outage(database_url):  # type: ignore[attr-defined]
        during = await bot.process({"message": message}, update_id=9001)
    assert TRY_AGAIN in " ".join(call.text for call in during)

    # Back by itself: the same update, delivered again by Telegram, is applied in full.
    after = await bot.process({"message": message}, update_id=9001)
    assert "Outage Ltd" in " ".join(call.text for call in after)
    members = await bot.reply_text("/members", BOB)
    assert "Outage Ltd" in members and members.count("Bob") == 1
    teams = await bot.reply_text("/newteam Outage Ltd", BOB)
    assert TRY_AGAIN not in teams
