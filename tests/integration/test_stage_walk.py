"""The stage figures of the rollup path (analytics/moves.py: stage counts and losses counted in
SQL, each moved lead's history walked from sorted rows) equal those of the straightforward path
(every move and history row to funnel.count_events), on both databases: days in stage to the
last bit, lost reasons with their ties, A-lead conversion, on a varied store with grade moves,
moves at the same instant as a creation or a grade, reopened and twice-lost leads, skipped
stages, reasons with spaces, handovers between owners within the period, a soft-deleted lead,
both pipelines, one owner at a time and all at once, with and without the history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.domain.periods import Period
from assistant.domain.pipeline import LOST, stages
from assistant.services.analytics import counts_by_owner, moves, utc_bounds
from tests.helpers import add_event, add_lead, add_member, make_person

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
REASONS = ("price", " price ", "far", "", "  ", "timing")


async def _store(sessionmaker: Sessionmaker, pipeline: str, seed: int) -> tuple[Team, list[Person]]:
    rng = random.Random(seed)
    owner, team = await make_person(sessionmaker, 1, name="Sh")
    second, _ = await make_person(sessionmaker, 2, name="Sh2")
    york, _ = await make_person(sessionmaker, 3, name="Ny", timezone="America/New_York")
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        stored.personal = False
        stored.pipeline = pipeline
    for person in (second, york):
        await add_member(sessionmaker, team, person, "rep")
    people = [owner, second, york]
    order = stages(pipeline)
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for index in range(90):
            created = NOW - timedelta(days=rng.randint(0, 70), minutes=rng.randint(0, 1400))
            lead = await add_lead(
                session, stored, people[index % 3], created, grade=rng.choice("ABCDA")
            )
            await _history(session, rng, lead, people, order, created)
            if index % 23 == 7:
                lead.deleted_at = NOW
    return team, people


async def _history(
    session: AsyncSession,
    rng: random.Random,
    lead: Lead,
    people: list[Person],
    order: tuple[str, ...],
    created: datetime,
) -> None:
    at, kinds_now = created, {events.CREATED}
    for _ in range(rng.randint(1, 9)):
        roll = rng.random()
        kind = events.GRADE if roll < 0.2 else events.STAGE if roll >= 0.4 else events.CONTACT
        # A third of the steps at the very instant of the one before (a creation, a grade, a
        # move), but never two grades or two moves at once: their order would be arbitrary.
        if rng.random() > 0.3 or kind in kinds_now:
            step = timedelta(hours=rng.randint(1, 90), microseconds=rng.randint(0, 999_999))
            at, kinds_now = at + step, set()
        if at > NOW + timedelta(hours=3):
            return
        kinds_now.add(kind)
        if roll < 0.2:
            grade = rng.choice("ABCD")
            add_event(session, lead, events.GRADE, at, from_value=lead.grade, to_value=grade)
            lead.grade = grade
        elif roll < 0.3:  # a handover: later moves are the new owner's
            lead.owner_id = rng.choice(people).id
        elif roll < 0.4:
            add_event(session, lead, events.CONTACT, at, payload={"grade": lead.grade})
        else:
            target = rng.choice([*order[1:], LOST, LOST, order[0]])
            source = rng.choice([lead.stage, lead.stage, lead.stage, None, ""])
            payload = {"reason": rng.choice(REASONS)} if target == LOST else {}
            if target == order[-1]:
                payload = {"amount": rng.choice((100, 2500.5))}
            add_event(session, lead, events.STAGE, at, from_value=source, to_value=target,
                      payload=payload)  # fmt: skip
            lead.stage = target


def _periods() -> list[Period]:
    today = date(2026, 11, 25)
    return [
        Period("today", today, today),
        Period("week", today - timedelta(days=6), today),
        Period("month", today.replace(day=1), today),
        Period("range", date(2026, 9, 20), date(2026, 11, 30)),
    ]


@pytest.mark.parametrize(("pipeline", "seed"), [("store", 3), ("store", 11), ("b2b", 5)])
async def test_the_stage_figures_walked_from_sorted_rows_equal_those_counted_from_every_event(
    sessionmaker: Sessionmaker, pipeline: str, seed: int
) -> None:
    team, people = await _store(sessionmaker, pipeline, seed)
    seen = {"stage_days": 0, "a_won": 0, "a_lost": 0, "lost_reasons": 0, "lost": 0}
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for period in _periods():
            days = (period.start, period.end)
            for history in (True, False):
                # Everyone in the Shanghai zone at once (as /team reads them), New York alone.
                for group in ([people[0], people[1]], [people[2]]):
                    ids = [person.id or 0 for person in group]
                    start, end = utc_bounds(period, group[0].timezone)
                    common = {"team": stored, "person_ids": ids, "start": start, "end": end,
                              "history": history}  # fmt: skip
                    walked = await counts_by_owner(session, **common, days=days)
                    counted = await counts_by_owner(session, **common)
                    for pid in ids:
                        assert walked[pid].__dict__ | {"revenue": 0} == counted[pid].__dict__ | {
                            "revenue": 0
                        }, (period, history, pid)
                        for name in seen:
                            seen[name] += bool(getattr(walked[pid], name))
    assert all(seen.values()), seen  # every figure had something to compare


async def test_the_walk_reads_each_moved_leads_history_from_the_index_of_its_kinds(
    sessionmaker: Sessionmaker,
) -> None:
    # The partial index holds only created, stage and grade events; the statement names those
    # kinds as literals, else SQLite would not use it.
    team, people = await _store(sessionmaker, "store", 3)
    async with transaction(sessionmaker) as session:
        connection = await session.connection()
        postgres = connection.dialect.name == "postgresql"
        if postgres:  # the test store is tiny: a sequential scan would win
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            await connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        start, end = utc_bounds(_periods()[2], people[0].timezone)
        bound = {"team_id": team.id, "owners": [people[0].id], "start": start, "end": end}
        sent: list[tuple[str, Any]] = []
        engine = connection.sync_connection.engine  # type: ignore[union-attr]

        def keep(_c: Any, _cursor: Any, sql: str, parameters: Any, *_rest: Any) -> None:
            sent.append((sql, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            await connection.execute(moves.moves_statement(stages("store"), True), bound)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        sql, parameters = sent[-1]
        prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = " ".join(
            str(value)
            for row in (await connection.exec_driver_sql(prefix + sql, parameters)).all()
            for value in row
        )
    assert "ix_leadevent_history_kinds" in plan, plan
