"""/team's overdue counts per owner (read from the partial index ix_lead_open_followup) equal
the leads counted one by one: open, not deleted, follow-up due, and due 3+ days ago; with
follow-ups exactly at now and at the 3-day mark, won, lost and deleted leads, leads without a
follow-up, and an owner outside the asked ones (both databases)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from assistant.db.models import Lead, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.services import team_view
from tests.helpers import add_lead, add_member, make_person

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
STAGES = ("new", "valid", "invited", "visited", "won", "lost")


async def test_overdue_counts_equal_the_leads_counted_one_by_one(
    sessionmaker: Sessionmaker,
) -> None:
    rng = random.Random(7)
    owner, team = await make_person(sessionmaker, 1, name="Sh")
    people = [owner]
    for tg_user in (2, 3):
        person, _ = await make_person(sessionmaker, tg_user, name=f"P{tg_user}")
        await add_member(sessionmaker, team, person, "rep")
        people.append(person)
    marks = (NOW, NOW - team_view.LONG_OVERDUE)
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for index in range(150):
            lead = await add_lead(session, stored, people[index % 3], NOW - timedelta(days=30))
            lead.stage = rng.choice(STAGES)
            lead.next_followup_at = rng.choice(
                (
                    None,
                    *marks,
                    *(mark + timedelta(microseconds=step) for mark in marks for step in (-1, 1)),
                    NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 9)),
                    NOW + timedelta(minutes=rng.randint(1, 60 * 24 * 9)),
                )
            )
            if rng.random() < 0.1:
                lead.deleted_at = NOW - timedelta(days=1)
    asked = [person.id or 0 for person in people[:2]]
    async with transaction(sessionmaker) as session:
        found = await team_view.overdue_by_owner(
            session, team_id=team.id or 0, person_ids=asked, now=NOW
        )
        leads = (await session.exec(select(Lead).where(Lead.team_id == team.id))).all()
    expected: dict[int, team_view.Overdue] = {}
    for lead in leads:
        due = lead.next_followup_at
        if (
            lead.owner_id not in asked
            or lead.deleted_at is not None
            or lead.stage in ("won", "lost")
            or due is None
            or due > NOW
        ):
            continue
        before = expected.get(lead.owner_id, team_view.Overdue())
        long = due <= NOW - team_view.LONG_OVERDUE
        expected[lead.owner_id] = team_view.Overdue(before.total + 1, before.long + long)
    assert found == expected
    assert all(overdue.long for overdue in expected.values())  # both ranges were counted
    assert all(overdue.total > overdue.long for overdue in expected.values())
