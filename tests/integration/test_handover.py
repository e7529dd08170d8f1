"""Handing over 1,000 leads is one transaction: all move, or none do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from assistant.db.models import Lead, LeadEvent, Person
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.services import handover, teams
from assistant.services.people import Profile, ensure_person
from tests.helpers import actor_of, add_leads

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
COUNT = 1000


async def _setup(maker: Sessionmaker) -> tuple[int, Person, Person, Person]:
    async with transaction(maker) as session:
        people = []
        for user_id, name in ((1, "Ann"), (2, "Ben"), (3, "Cat")):
            person, _ = await ensure_person(
                session,
                profile=Profile(user_id, user_id, name, None, "en"),
                default_timezone="Asia/Shanghai",
                default_locale="zh-Hans",
                now=NOW,
            )
            people.append(person)
        owner, ben, cat = people
        team, invite = await teams.create_team(session, person=owner, name="Big", now=NOW)
        for person in (ben, cat):
            await teams.join_team(session, person=person, code=invite.code, now=NOW)
    assert team.id is not None
    await add_leads(maker, team_id=team.id, owner_id=ben.id, count=COUNT, now=NOW)
    return team.id, owner, ben, cat


async def _owners(maker: Sessionmaker, team_id: int) -> dict[int | None, int]:
    async with transaction(maker) as session:
        rows = (
            await session.exec(
                select(Lead.owner_id, func.count())
                .where(Lead.team_id == team_id)
                .group_by(Lead.owner_id)  # type: ignore[arg-type]
            )
        ).all()
    return dict(rows)


async def _assigned(maker: Sessionmaker) -> int:
    async with transaction(maker) as session:
        return (
            await session.exec(
                select(func.count()).select_from(LeadEvent).where(LeadEvent.kind == events.ASSIGNED)
            )
        ).one()


async def test_a_1000_lead_handover_is_all_or_nothing(
    sessionmaker: Sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    team_id, owner, ben, cat = await _setup(sessionmaker)
    real = handover.assigned_event
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 700:  # after two flushes have already written 500 moves
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    async def hand_over_all() -> handover.Handover:
        async with transaction(sessionmaker) as session:
            person = await session.get(Person, owner.id)
            assert person is not None
            manager = await actor_of(session, person)
            return await handover.hand_over(session, manager, args=["Ben", "Cat", "all"], now=NOW)

    with monkeypatch.context() as patch:
        patch.setattr(handover, "assigned_event", failing)
        with pytest.raises(RuntimeError):
            await hand_over_all()
    assert calls["n"] == 700
    assert await _owners(sessionmaker, team_id) == {ben.id: COUNT}
    assert await _assigned(sessionmaker) == 0

    result = await hand_over_all()
    assert result.moved == COUNT
    assert await _owners(sessionmaker, team_id) == {cat.id: COUNT}
    assert await _assigned(sessionmaker) == COUNT
