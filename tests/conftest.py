"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from assistant.config import Settings
from assistant.db.session import Sessionmaker, make_engine, make_sessionmaker
from tests.databases import PostgresDatabase, SqliteTemplate, postgres_or_none
from tests.harness import Harness, MutableClock

# No per-example deadline: a loaded CI machine must not turn slowness into failures. In CI the
# examples are derandomized so a run is repeatable; locally they stay random to find new bugs.
hypothesis_settings.register_profile("local", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase | None]:
    database = postgres_or_none()
    yield database
    if database is not None:
        database.drop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: SqliteTemplate
) -> str:
    """A migrated, empty database; every test using it runs once per backend."""
    if request.param == "sqlite":
        return sqlite_template.fresh(tmp_path)
    database: PostgresDatabase | None = request.getfixturevalue("postgres_database")
    if database is None:
        pytest.skip("PostgreSQL is not reachable (set REQUIRE_POSTGRES=1 to fail instead)")
    database.truncate()
    return database.url


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, telegram_bot_token=None)  # type: ignore[call-arg]


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[Sessionmaker]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def bot(settings: Settings, clock: MutableClock) -> AsyncIterator[Harness]:
    harness = Harness(settings, clock)
    await harness.start()
    yield harness
    await harness.stop()
