"""The hourly regrade as the scheduler runs it: batch after batch, each committed on its own."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select

from assistant.db.models import Lead, LeadEvent
from assistant.db.session import Sessionmaker, transaction
from assistant.scheduling.regrade import regrade_in_batches
from assistant.services.leads import REGRADE_BATCH, regrade_batch
from assistant.services.leads import regrade as regrade_module
from assistant.services.leads.events import record_event
from tests.harness import DEFAULT_NOW
from tests.helpers import add_member, bulk_leads, make_person


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


async def _twin_store(sessionmaker: Sessionmaker, first_user: int) -> tuple[int, dict[int, str]]:
    """A team of two owners in different zones (and the pool) whose 120 leads the regrade
    changes in every way it can: grades up and down, a date passing, follow-ups rescheduled
    onto the owners' slots (today's fill up, so later leads pass to later days, around the
    follow-ups of leads it does not touch, won ones too), visited leads with and without their
    visit, manual follow-ups kept or replaced, leads never contacted. The same seed makes the
    same store."""
    owner, team = await make_person(sessionmaker, first_user, name="Owner")
    other, _ = await make_person(
        sessionmaker, first_user + 1, name="Rep", timezone="America/New_York",
        quiet_start="21:30", quiet_end="09:00", work_days="1234",
    )  # fmt: skip
    await add_member(sessionmaker, team, other, "rep")
    assert owner.id is not None and other.id is not None and team.id is not None
    rng = random.Random(7)
    rows, visits = [], []
    for number in range(1, 121):
        contacted = rng.random() < 0.85
        stage = rng.choice(["new", "valid", "invited", "visited", "visited", "won"])
        manual = rng.random() < 0.15
        followup = (
            DEFAULT_NOW + timedelta(hours=rng.randint(-48, 96)) if rng.random() < 0.7 else None
        )
        rows.append(
            {
                "team_id": team.id, "number": number, "name": f"L{number}",
                "owner_id": rng.choice([owner.id, owner.id, other.id, None]),
                "stage": "new" if not contacted else stage,
                "grade": rng.choice("ABCD"),
                "grade_manual": rng.random() < 0.1,
                "event_date": DEFAULT_NOW.date() + timedelta(days=rng.randint(-3, 200)),
                "last_contact_at": DEFAULT_NOW - timedelta(days=rng.randint(1, 40))
                if contacted else None,
                "next_followup_at": followup,
                "followup_manual": manual,
                "created_at": DEFAULT_NOW - timedelta(days=60),
                "updated_at": DEFAULT_NOW - timedelta(days=1),
            }
        )  # fmt: skip
        if stage == "visited" and rng.random() < 0.7:
            visits.append((number, DEFAULT_NOW - timedelta(days=rng.randint(1, 100))))
    async with transaction(sessionmaker) as session:
        connection = await session.connection()
        await connection.execute(Lead.__table__.insert(), rows)  # type: ignore[attr-defined]
        ids = dict(
            (await session.exec(select(Lead.number, Lead.id).where(Lead.team_id == team.id))).all()
        )
        for number, at in visits:
            record_event(
                session, lead_id=ids[number], team_id=team.id, owner_id=None, actor_id=None,
                kind="stage", at=at, from_value="invited", to_value="visited",
            )  # fmt: skip
    return team.id, {owner.id: "owner", other.id: "rep"}


async def _regrade_team(sessionmaker: Sessionmaker, team_id: int) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = []
    after: int | None = 0
    while after is not None:
        async with transaction(sessionmaker) as session:
            changes, after = await regrade_batch(
                session, team_id=team_id, after=after, now=DEFAULT_NOW
            )
        found += [(c.number, c.owner_id, c.old, c.new) for c in changes]
    return found


async def _outcome(
    sessionmaker: Sessionmaker, team_id: int, owners: dict[int, str], changes: list[Any]
) -> tuple[list[Any], list[Any], list[Any]]:
    """What the regrade left, with ids made comparable across the twin teams."""
    async with sessionmaker() as session:
        leads = (
            await session.exec(select(Lead).where(Lead.team_id == team_id).order_by(Lead.number))
        ).all()
        numbers = {lead.id: lead.number for lead in leads}
        written = (
            await session.exec(
                select(LeadEvent)
                .where(LeadEvent.team_id == team_id, col(LeadEvent.kind).in_(["grade", "followup"]))
                .order_by(col(LeadEvent.id))
            )
        ).all()
    return (
        [(number, owners.get(owner), old, new) for number, owner, old, new in changes],
        [
            (lead.number, lead.grade, lead.date_passed, lead.next_followup_at,
             lead.followup_manual, lead.updated_at)
            for lead in leads
        ],
        [
            (numbers[e.lead_id], owners.get(e.owner_id), e.kind, e.from_value, e.to_value,
             e.payload, e.at, e.actor_id)
            for e in written
        ],
    )  # fmt: skip


async def test_a_batch_of_many_changes_ends_as_regrading_one_lead_at_a_time(
    sessionmaker: Sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one, one_owners = await _twin_store(sessionmaker, 7000)
    batched, batch_owners = await _twin_store(sessionmaker, 7100)

    monkeypatch.setattr(regrade_module, "REGRADE_BATCH", 1)  # a transaction per lead
    singles = await _regrade_team(sessionmaker, one_by_one)
    monkeypatch.setattr(regrade_module, "REGRADE_BATCH", 500)  # all 120 leads in one
    together = await _regrade_team(sessionmaker, batched)

    expected = await _outcome(sessionmaker, one_by_one, one_owners, singles)
    found = await _outcome(sessionmaker, batched, batch_owners, together)
    changed, leads, written = found
    assert len(changed) > 40 and sum(1 for e in written if e[2] == "followup") > 20
    assert len({lead[3].date() for lead in leads if lead[3] is not None}) > 3  # days filled up
    assert found == expected
