from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

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
