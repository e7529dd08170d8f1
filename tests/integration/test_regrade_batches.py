"""The hourly regrade as the scheduler runs it: batch after batch, each committed on its own."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, func, select

from assistant.db.models import Lead, LeadEvent
from assistant.db.session import Sessionmaker
from assistant.scheduling.regrade import regrade_in_batches
from assistant.services.leads import REGRADE_BATCH
from tests.harness import DEFAULT_NOW
from tests.helpers import bulk_leads, make_person


async def test_every_lead_of_a_big_team_is_regraded_across_batches(
    sessionmaker: Sessionmaker,
) -> None:
    owner, team = await make_person(sessionmaker, 6000)
    leads = 2 * REGRADE_BATCH + 1
    wedding = date(2026, 11, 25) + timedelta(days=60)  # within 90 days: grade A
    assert owner.id is not None and team.id is not None
    await bulk_leads(sessionmaker, team.id, owner.id, leads, grade="C", event_date=wedding)

    assert await regrade_in_batches(sessionmaker, now=DEFAULT_NOW) == leads
    assert await regrade_in_batches(sessionmaker, now=DEFAULT_NOW) == 0  # nothing left to do
    async with sessionmaker() as session:
        grades = (await session.exec(select(Lead.grade).distinct())).all()
        events = (
            await session.exec(
                select(func.count()).select_from(LeadEvent).where(col(LeadEvent.kind) == "grade")
            )
        ).one()
    assert grades == ["A"] and events == leads
