"""/today's plan counted and ordered by the database equals build_plan() over every open lead."""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from assistant.db.models import Lead, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.services import today
from tests.helpers import actor_of, make_person

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 18:00 the day before in LA


def _shape(plan: today.TodayPlan) -> Any:
    return (
        plan.day,
        plan.total_minutes,
        plan.overdue,
        plan.due_today,
        plan.page,
        plan.remaining,
        [
            (
                g.grade,
                g.minutes,
                g.count,
                [(p.lead.id, p.minutes, p.overdue, p.due_today) for p in g.leads],
            )
            for g in plan.grades
        ],
        plan.scripts,
    )


def _random_lead(rng: random.Random, team: Team, owner: Person, number: int) -> Lead:
    followups = [None, NOW, NOW + timedelta(hours=14), NOW - timedelta(days=2)]
    followups += [NOW + timedelta(minutes=rng.randrange(-3000, 3000)) for _ in range(3)]
    event_dates = [None, date(2026, 12, 1), date(2027, 1, 20)]
    event_dates += [date(2026, 12, 1) + timedelta(days=rng.randrange(200))]
    return Lead(
        team_id=team.id or 0,
        number=number,
        owner_id=owner.id,
        name=f"L{number}",
        grade=rng.choice("AABBBCCDDDX"),  # X: an unknown grade counts as D
        stage=rng.choice(["new", "new", "valid", "invited", "won", "lost"]),
        event_date=rng.choice(event_dates),
        next_followup_at=rng.choice(followups),
        deleted_at=NOW if rng.random() < 0.1 else None,
    )


@pytest.mark.parametrize(
    ("seed", "zone", "leads"),
    [(1, "Asia/Shanghai", 0), (2, "Asia/Shanghai", 6), (3, "Asia/Shanghai", 160),
     (4, "America/Los_Angeles", 160), (5, "Asia/Shanghai", 90)],
)  # fmt: skip
async def test_the_plan_from_sql_is_the_plan_from_every_lead(
    sessionmaker: Sessionmaker, seed: int, zone: str, leads: int
) -> None:
    rng = random.Random(seed)
    person, team = await make_person(sessionmaker, 1, timezone=zone)
    other, _ = await make_person(sessionmaker, 2)
    async with transaction(sessionmaker) as session:
        for number in range(1, leads + 1):
            owner = other if rng.random() < 0.2 else person  # someone else's leads stay out
            session.add(_random_lead(rng, team, owner, number))
    async with sessionmaker() as session:
        actor = await actor_of(session, person)
        every = await today.active_leads(session, actor)
        pages = today.last_page(len(every))
        shown: list[int] = []
        for page in range(1, pages + 2):  # one past the last: a stale button shows the last
            from_sql = await today.plan_for(session, actor, now=NOW, page=page)
            reference = today.build_plan(person, every, NOW, page=page)
            await today.attach_scripts(session, reference, actor, now=NOW)
            assert _shape(from_sql) == _shape(reference)
            assert from_sql.page == min(page, pages)
            if page <= pages:
                shown += [p.lead.id or 0 for g in from_sql.grades for p in g.leads]
    assert sum(g.count for g in reference.grades) == len(every)
    assert sorted(shown) == sorted(lead.id or 0 for lead in every)  # each lead on one page
