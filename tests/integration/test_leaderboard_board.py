"""The leaderboard counted by the database equals leaderboard.rank() over the whole event log."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events, leaderboard
from assistant.services import groups
from tests.helpers import add_member, make_person

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai
KINDS = [events.CONTACT] * 4 + [events.FOLLOWUP] * 3 + [events.STAGE] * 2
KINDS += [events.ASSIGNED, events.NOTE, events.CREATED]


def _to_value(rng: random.Random, kind: str, at: datetime, owners: list[int]) -> str | None:
    if kind == events.FOLLOWUP:
        due = at + timedelta(hours=rng.choice([-2, 3, 20, 30, 50]))
        return rng.choice([due.isoformat(), due.isoformat(), "not a date", None])
    if kind == events.STAGE:
        return rng.choice(["visited", "won", "invited", "needs"])
    if kind == events.ASSIGNED:
        return str(rng.choice(owners))
    return None


async def _reference(session: AsyncSession, team: Team, period: str, zone: str) -> list:
    """The board as it was computed before: every fact since facts_since(), ranked in Python."""
    members = (
        await session.exec(
            select(Membership.person_id).where(Membership.team_id == team.id, Membership.active)
        )
    ).all()
    since = leaderboard.facts_since(period, NOW, zone)
    rows = (
        await session.exec(
            select(  # type: ignore[call-overload]
                LeadEvent.lead_id, LeadEvent.owner_id, LeadEvent.kind, LeadEvent.at,
                LeadEvent.to_value,
            )
            .where(LeadEvent.team_id == team.id, LeadEvent.at >= since, LeadEvent.at <= NOW)
            .order_by(col(LeadEvent.at), col(LeadEvent.id))
        )
    ).all()  # fmt: skip
    facts = [leaderboard.Fact(*row) for row in rows]
    board = leaderboard.rank(
        list(members), facts, pipeline=team.pipeline, period=period, now=NOW, zone=zone
    )
    return [
        (r.rank, r.member_id, r.points, r.on_time, r.visits, r.deals, r.streak) for r in board.rows
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_board_from_sql_is_the_board_from_every_event(
    sessionmaker: Sessionmaker, seed: int
) -> None:
    rng = random.Random(seed)
    owner, team = await make_person(sessionmaker, 1)
    people = [owner]
    for tg_user in (2, 3, 4):
        person, _ = await make_person(sessionmaker, tg_user, name=f"R{tg_user}")
        await add_member(sessionmaker, team, person, "rep")
        people.append(person)
    outsider, elsewhere = await make_person(sessionmaker, 9)  # events of another team stay out
    owners = [person.id or 0 for person in people] + [outsider.id or 0]
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        stored.pipeline = rng.choice(["store", "b2b"])
        leads = []
        for number in range(1, 16):
            lead = Lead(team_id=team.id or 0, number=number, owner_id=rng.choice(owners))
            session.add(lead)
            leads.append(lead)
        other = Lead(team_id=elsewhere.id or 0, number=1, owner_id=outsider.id)
        session.add(other)
        await session.flush()
        for index in range(900):
            lead = rng.choice(leads)
            days_back = 100 if index % 2 else 9  # half of them in the last days
            at = NOW - timedelta(minutes=rng.randrange(-2 * 24 * 60, days_back * 24 * 60))
            kind = rng.choice(KINDS)
            session.add(
                LeadEvent(
                    lead_id=lead.id or 0,
                    team_id=team.id or 0,
                    owner_id=rng.choice([*owners, None]) if rng.random() < 0.3 else lead.owner_id,
                    kind=kind,
                    to_value=_to_value(rng, kind, at, owners),
                    at=at,
                )
            )
        for period in leaderboard.PERIODS:  # contacts right on the edges of every period
            start, end = leaderboard.period_bounds(period, NOW, "Asia/Shanghai")
            for at in (start, end - timedelta(microseconds=1), end):
                session.add(
                    LeadEvent(lead_id=leads[0].id or 0, team_id=team.id or 0,
                              owner_id=owners[rng.randrange(4)], kind=events.CONTACT, at=at)
                )  # fmt: skip
        session.add(
            LeadEvent(lead_id=other.id or 0, team_id=elsewhere.id or 0, owner_id=owners[1],
                      kind=events.CONTACT, at=NOW - timedelta(hours=1))
        )  # fmt: skip
    seen = []
    async with sessionmaker() as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for period in leaderboard.PERIODS:
            for zone in ("Asia/Shanghai", "America/Los_Angeles"):
                view = await groups.team_board(
                    session, team=stored, period=period, now=NOW, zone=zone
                )
                lines = [
                    (line.rank, line.name, line.points, line.on_time, line.visits, line.deals,
                     line.streak)
                    for line in view.lines
                ]  # fmt: skip
                names = {person.id: person.name for person in people}
                expected = [
                    (rank, names[member], *rest)
                    for rank, member, *rest in await _reference(session, stored, period, zone)
                ]
                assert lines == expected, (period, zone)
                seen += lines
    assert any(line[3] for line in seen) and any(line[6] for line in seen)  # on time, streaks
