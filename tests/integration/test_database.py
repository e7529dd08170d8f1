from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from assistant.db import sqlite_thread
from assistant.db.models import Person, Team
from assistant.db.session import Sessionmaker, make_engine, transaction


async def test_models_and_migrations_agree(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    SQLModel.metadata,
                )
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        return
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
    finally:
        await engine.dispose()
    assert (mode, busy, keys) == ("wal", 5000, 1)


async def test_times_come_back_as_the_same_aware_utc_instant(sessionmaker: Sessionmaker) -> None:
    moment = datetime(2026, 11, 25, 23, 30, tzinfo=timezone(timedelta(hours=8)))
    async with transaction(sessionmaker) as session:
        person = Person(tg_user_id=5, name="Ann", created_at=moment)
        session.add(person)
    async with sessionmaker() as session:
        stored = await session.get(Person, person.id)
    assert stored is not None
    assert stored.created_at == moment
    assert stored.created_at.tzinfo == UTC


async def test_a_failed_transaction_leaves_nothing_half_written(sessionmaker: Sessionmaker) -> None:
    try:
        async with transaction(sessionmaker) as session:
            person = Person(tg_user_id=6, name="Ben")
            session.add(person)
            await session.flush()
            session.add(Team(name="broken", owner_id=99999))  # no such person
            await session.flush()
    except Exception:
        pass
    async with sessionmaker() as session:
        assert (await session.exec(text("SELECT count(*) FROM person"))).scalar() == 0  # type: ignore[call-overload]


async def test_sqlite_results_longer_than_one_trip_arrive_whole_and_streamed(
    database_url: str,
) -> None:
    """The SQLite cursor fetches a chunk with the statement and the rest on request."""
    if not database_url.startswith("sqlite"):
        return
    engine = make_engine(database_url)
    count = sqlite_thread.CHUNK * 2 + 7
    query = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
        "SELECT i FROM n"
    )
    try:
        async with engine.connect() as connection:
            whole = (await connection.execute(query, {"count": count})).scalars().all()
            streamed = [
                row[0]
                async for row in await connection.stream(
                    query.execution_options(yield_per=100), {"count": count}
                )
            ]
            exactly_one_chunk = (
                await connection.execute(query, {"count": sqlite_thread.CHUNK})
            ).all()
            await connection.execute(text("CREATE TEMP TABLE t (x INTEGER PRIMARY KEY)"))
            inserted = await connection.execute(
                text("INSERT INTO t (x) VALUES (:x)"), [{"x": 1}, {"x": 2}, {"x": 3}]
            )
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t (x) VALUES (1)"))
    finally:
        await engine.dispose()
    assert whole == list(range(1, count + 1))
    assert streamed == whole
    assert len(exactly_one_chunk) == sqlite_thread.CHUNK
    assert inserted.rowcount == 3
