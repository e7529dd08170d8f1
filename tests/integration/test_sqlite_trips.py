"""SQLite's trips to the connection's thread: deferred writes and prefetched reads
(db/sqlite_thread.py), and what the unit of work saves with them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from assistant.config import Settings
from assistant.db import sqlite_thread
from assistant.db.models import Lead
from assistant.db.session import Sessionmaker, make_engine
from assistant.domain import events
from assistant.services.leads.card import SHOWN_EVENTS, card_facts, shown
from assistant.services.leads.events import record_event
from assistant.services.leads.lifecycle import log_contact, move_stage
from assistant.services.leads.queries import (
    CARD_HISTORY,
    ShownEvent,
    get_lead,
    get_lead_by_id,
    history,
)
from assistant.services.people import Profile
from assistant.services.uow import DuplicateUpdate, UnitOfWork

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
ANN = Profile(tg_user_id=7101, chat_id=7101, name="Ann", username=None, language_code="en")
INSERT = text("INSERT INTO t (x) VALUES (:x)")
ALL = text("SELECT x FROM t ORDER BY x")


class Trips:
    """Counts the calls made on SQLite connections' threads while installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        execute = sqlite_thread.Connection._execute

        async def counted(connection: sqlite_thread.Connection, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await execute(connection, *args, **kwargs)

        monkeypatch.setattr(sqlite_thread.Connection, "_execute", counted)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A SQLite file of its own: trips to a thread are SQLite's, so these run once, not per
    database."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
    yield engine
    await engine.dispose()


async def rows(connection: AsyncConnection) -> list[int]:
    return list((await connection.execute(ALL)).scalars())


async def test_a_deferred_write_goes_in_order_in_the_trip_of_the_next_statement(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.begin() as connection:
        trips = Trips(monkeypatch)
        with sqlite_thread.deferred(connection):
            await connection.execute(INSERT, {"x": 2})
            await connection.execute(INSERT, [{"x": 1}, {"x": 3}])
        assert trips.count == 0
        assert await rows(connection) == [1, 2, 3]
        assert trips.count == 1


async def test_deferred_writes_go_with_the_commit_and_a_rollback_drops_them_unsent(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = Trips(monkeypatch)
    async with engine.begin() as connection:
        with sqlite_thread.deferred(connection):
            await connection.execute(INSERT, {"x": 1})
    committed = trips.count
    async with engine.connect() as connection:
        async with connection.begin() as transaction:
            with sqlite_thread.deferred(connection):
                await connection.execute(INSERT, {"x": 2})
            await transaction.rollback()
        assert trips.count == committed + 1  # the rollback alone
        assert await rows(connection) == [1]
    assert committed == 1  # the insert went with the commit


async def test_a_deferred_write_that_fails_fails_the_next_statement_and_its_transaction(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(INSERT, {"x": 1})
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(INSERT, {"x": 2})
            with sqlite_thread.deferred(connection):
                await connection.execute(INSERT, {"x": 1})  # taken
            await rows(connection)
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(INSERT, {"x": 3})
            with sqlite_thread.deferred(connection):
                await connection.execute(INSERT, {"x": 1})  # the commit fails instead
    async with engine.connect() as connection:
        assert await rows(connection) == [1]


async def test_a_prefetched_read_answers_only_the_same_statement_coming_next(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.begin() as connection:
        trips = Trips(monkeypatch)
        sqlite_thread.prefetch(connection, ALL, {})
        await connection.execute(INSERT, {"x": 5})
        assert await rows(connection) == [5]
        assert trips.count == 1  # the read came with the insert

        sqlite_thread.prefetch(connection, ALL, {})
        await connection.execute(INSERT, {"x": 6})
        await connection.execute(INSERT, {"x": 7})  # not the read: its rows are dropped
        assert await rows(connection) == [5, 6, 7]
        assert trips.count == 4

        sqlite_thread.prefetch(connection, ALL, {})
        with pytest.raises(IntegrityError):
            await connection.execute(INSERT, {"x": 7})  # a failed statement reads nothing
        assert await rows(connection) == [5, 6, 7]


def opened(sessionmaker: Sessionmaker, settings: Settings, update_id: int) -> UnitOfWork:
    return UnitOfWork(
        sessionmaker, update_id=update_id, profile=ANN, settings=settings, clock=lambda: NOW
    )


async def test_the_claim_and_the_senders_look_up_share_a_trip_and_a_redelivery_still_stops(
    sessionmaker: Sessionmaker, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On both databases the behaviour is the unit of work's; on SQLite it costs one trip."""
    sqlite = settings.database_url.startswith("sqlite")
    async with opened(sessionmaker, settings, 1):
        pass  # Ann is created
    trips = Trips(monkeypatch)
    async with opened(sessionmaker, settings, 2) as uow:
        assert not uow.created and uow.person.name == "Ann"
        assert (await uow.actor()).team.personal
        assert trips.count == (1 if sqlite else 0)
    with pytest.raises(DuplicateUpdate):
        async with opened(sessionmaker, settings, 2):
            raise AssertionError("a redelivered update never reaches the use case")
    async with opened(sessionmaker, settings, 3) as uow:
        actor = await uow.actor()
        uow.session.add(Lead(team_id=actor.team_id, number=1, name="郑女士", created_at=NOW))
    async with sessionmaker() as session:
        leads = (await session.exec(text("SELECT count(*) FROM lead"))).scalar()  # type: ignore[call-overload]
    assert leads == 1


async def _lead_with_three_contacts(sessionmaker: Sessionmaker, settings: Settings) -> None:
    async with opened(sessionmaker, settings, 1) as uow:
        actor = await uow.actor()
        lead = Lead(team_id=actor.team_id, number=1, name="郑女士", created_at=NOW)
        uow.session.add(lead)
        await uow.session.flush()
        assert lead.id is not None
        for minutes in range(3):
            record_event(
                uow.session, lead_id=lead.id, team_id=actor.team_id, owner_id=None,
                actor_id=None, kind=events.CONTACT, at=NOW + timedelta(minutes=minutes),
                payload={"note": f"call {minutes}"},
            )  # fmt: skip


def _shown(rows: Sequence[ShownEvent]) -> list[tuple[Any, ...]]:
    return [(row.at, row.kind, row.from_value, row.to_value, row.payload) for row in rows]


@pytest.mark.parametrize("named_by", ["number", "button"])
async def test_a_lead_and_its_card_history_come_in_one_trip_with_the_same_rows(
    sessionmaker: Sessionmaker, settings: Settings, monkeypatch: pytest.MonkeyPatch, named_by: str
) -> None:
    sqlite = settings.database_url.startswith("sqlite")
    await _lead_with_three_contacts(sessionmaker, settings)
    async with opened(sessionmaker, settings, 2) as uow:
        actor = await uow.actor()
        lead_id = (await get_lead(uow.session, actor, 1)).id
    async with opened(sessionmaker, settings, 3) as uow:
        actor = await uow.actor()
        trips = Trips(monkeypatch)
        if named_by == "number":  # /lead 1
            lead = await get_lead(uow.session, actor, 1, with_history=True)
        else:  # a card's button carries the lead's id
            lead = await get_lead_by_id(uow.session, actor, str(lead_id), with_history=True)
        facts = await card_facts(uow.session, actor, lead, locale="en")
        assert trips.count == (1 if sqlite else 0)
    async with opened(sessionmaker, settings, 4) as uow:
        lead = await get_lead(uow.session, await uow.actor(), 1)
        read_alone = await history(uow.session, lead, CARD_HISTORY)
    assert [row.payload["note"] for row in facts.history] == ["call 2", "call 1", "call 0"]
    assert _shown(facts.history) == _shown(read_alone)


async def test_a_changed_leads_card_shows_what_reading_its_history_after_the_change_gives(
    sessionmaker: Sessionmaker, settings: Settings
) -> None:
    await _lead_with_three_contacts(sessionmaker, settings)
    async with opened(sessionmaker, settings, 2) as uow:
        actor = await uow.actor()
        lead = await get_lead(uow.session, actor, 1, with_history=True)
        later = NOW + timedelta(hours=1)
        await log_contact(uow.session, actor, lead, "回访了", later)
        await move_stage(uow.session, actor, lead, "到店", later)
        facts = await card_facts(uow.session, actor, lead, locale="zh-Hans")
        read_after = [row for row in await history(uow.session, lead, CARD_HISTORY) if shown(row)]
    assert _shown(facts.history) == _shown(read_after[:SHOWN_EVENTS])
    assert facts.history[-1].payload == {"note": "call 0"}
    assert any(row.payload.get("note") == "回访了" for row in facts.history[:3])
