"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from assistant.db.session import Sessionmaker, make_engine, make_sessionmaker


@pytest.fixture
async def makers(database_url: str) -> AsyncIterator[tuple[Sessionmaker, Sessionmaker]]:
    """Two engines on one database: two people's connections."""
    engines = [make_engine(database_url), make_engine(database_url)]
    yield make_sessionmaker(engines[0]), make_sessionmaker(engines[1])
    for engine in engines:
        await engine.dispose()
