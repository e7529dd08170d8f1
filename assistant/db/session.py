"""Async engine and sessions; SQLite gets WAL, a busy timeout and foreign keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import sqlite_thread

Sessionmaker = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Sessions always end their transaction (commit, or rollback on close), so the pool's
        # own ROLLBACK on return is one more trip to the aiosqlite thread per update for nothing.
        engine = create_async_engine(
            url,
            pool_reset_on_return=None,
            connect_args={"async_creator_fn": sqlite_thread.connect},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessionmaker: Sessionmaker) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends, rolls everything back on error."""
    async with sessionmaker() as session, session.begin():
        yield session
