"""A zone change at the same moment as a write of the same person's events: the rollup still
equals a rebuild from the events, each event on its day in the zone that won (both databases;
the race is real on PostgreSQL, where the two transactions run side by side)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import rollups
from assistant.db.models import Lead, LeadRollup, Person
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.services import people
from tests.helpers import add_event, make_lead, make_person
from tests.integration.racing import race

# 17:30 UTC on 25 November: the 26th in Shanghai, still the 25th in New York.
LATE = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
NEW_YORK = date(2026, 11, 25)


async def kept_and_rebuilt(maker: Sessionmaker) -> tuple[set[Any], set[Any]]:
    async with transaction(maker) as session:
        kept = await session.run_sync(lambda sync: rollups.rows(sync.connection()))
        await session.run_sync(lambda sync: rollups.rebuild(sync.connection()))
        rebuilt = await session.run_sync(lambda sync: rollups.rows(sync.connection()))
    return kept, rebuilt


async def contact_days(maker: Sessionmaker, owner_id: int) -> list[tuple[date, int]]:
    async with maker() as session:
        found = await session.exec(
            select(LeadRollup).where(
                LeadRollup.owner_id == owner_id, LeadRollup.kind == events.CONTACT
            )
        )
        return sorted((row.day, row.count) for row in found.all() if row.count)


async def shanghai_rep_with_a_lead(maker: Sessionmaker) -> tuple[Person, Lead]:
    person, team = await make_person(maker, 31, name="Rita", timezone="Asia/Shanghai")
    lead = await make_lead(maker, team, person, name="王女士")
    return person, lead


def moving_to_new_york(person: Person) -> Any:
    async def run(session: AsyncSession) -> str:
        stored = await session.get(Person, person.id)
        assert stored is not None
        return people.set_timezone(stored, "America/New_York")

    return run


def logging_a_contact(person: Person, lead: Lead) -> Any:
    async def run(session: AsyncSession) -> None:
        # As a command does: the sender (and so their zone) is read first.
        sender = await session.get(Person, person.id)
        assert sender is not None
        stored = await session.get(Lead, lead.id)
        assert stored is not None
        add_event(session, stored, events.CONTACT, LATE, payload={"grade": "B"})
        await session.flush()

    return run


async def test_a_contact_logged_while_its_owner_changes_zone_lands_on_the_new_zones_day(
    makers: tuple[Sessionmaker, Sessionmaker],
) -> None:
    person, lead = await shanghai_rep_with_a_lead(makers[0])
    assert person.id is not None
    await race(makers, moving_to_new_york(person), logging_a_contact(person, lead))

    assert await contact_days(makers[0], person.id) == [(NEW_YORK, 1)]
    kept, rebuilt = await kept_and_rebuilt(makers[0])
    assert kept == rebuilt


async def test_a_zone_change_while_a_contact_is_being_logged_re_keys_that_contact_too(
    makers: tuple[Sessionmaker, Sessionmaker],
) -> None:
    person, lead = await shanghai_rep_with_a_lead(makers[0])
    assert person.id is not None
    await race(makers, logging_a_contact(person, lead), moving_to_new_york(person))

    assert await contact_days(makers[0], person.id) == [(NEW_YORK, 1)]
    kept, rebuilt = await kept_and_rebuilt(makers[0])
    assert kept == rebuilt


def deleting(lead: Lead) -> Any:
    async def run(session: AsyncSession) -> None:
        stored = await session.get(Lead, lead.id)
        assert stored is not None
        stored.deleted_at = LATE
        await session.flush()

    return run


@pytest.mark.parametrize("delete_first", [False, True], ids=["zone first", "delete first"])
async def test_a_lead_deleted_while_its_owner_changes_zone_leaves_no_day_behind(
    makers: tuple[Sessionmaker, Sessionmaker], delete_first: bool
) -> None:
    person, lead = await shanghai_rep_with_a_lead(makers[0])
    assert person.id is not None
    async with transaction(makers[0]) as session:
        stored = await session.get(Lead, lead.id)
        assert stored is not None
        add_event(session, stored, events.CONTACT, LATE, payload={"grade": "B"})
    moves = [moving_to_new_york(person), deleting(lead)]
    if delete_first:
        moves.reverse()
    await race(makers, moves[0], moves[1])

    assert await contact_days(makers[0], person.id) == []
    kept, rebuilt = await kept_and_rebuilt(makers[0])
    assert kept == rebuilt
