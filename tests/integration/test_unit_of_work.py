"""The unit of work: one transaction, the update claimed once, the person asking found once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from assistant.config import Settings
from assistant.db.models import Lead, Membership, Person, Team
from assistant.db.session import Sessionmaker
from assistant.services import permissions
from assistant.services.people import Profile
from assistant.services.uow import DuplicateUpdate, UnitOfWork, claim_alone

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ANN = Profile(tg_user_id=7001, chat_id=7001, name="Ann", username=None, language_code="en")


def opened(sessionmaker: Sessionmaker, settings: Settings, update_id: int | None) -> UnitOfWork:
    return UnitOfWork(
        sessionmaker, update_id=update_id, profile=ANN, settings=settings, clock=lambda: NOW
    )


async def test_a_first_message_creates_the_person_with_a_personal_team_they_work_in(
    sessionmaker: Sessionmaker, settings: Settings
) -> None:
    async with opened(sessionmaker, settings, 1) as uow:
        actor = await uow.actor()
        assert uow.created and uow.now == NOW
        assert actor.person.name == "Ann"
        assert actor.team.personal and actor.role == "owner" and permissions.sees_all(actor.member)
    async with opened(sessionmaker, settings, 2) as uow:
        assert not uow.created
        assert (await uow.actor()).team_id == actor.team_id


async def test_a_redelivered_update_stops_at_the_door_and_changes_nothing(
    sessionmaker: Sessionmaker, settings: Settings
) -> None:
    async with opened(sessionmaker, settings, 10):
        pass
    with pytest.raises(DuplicateUpdate):
        async with opened(sessionmaker, settings, 10):
            raise AssertionError("a redelivered update never reaches the use case")
    assert not await claim_alone(sessionmaker, 10)


async def test_an_error_rolls_back_everything_and_the_update_can_then_be_claimed_alone(
    sessionmaker: Sessionmaker, settings: Settings
) -> None:
    with pytest.raises(RuntimeError):
        async with opened(sessionmaker, settings, 20) as uow:
            actor = await uow.actor()
            uow.session.add(Lead(team_id=actor.team_id, number=1, name="郑女士", created_at=NOW))
            await uow.session.flush()
            raise RuntimeError("the use case failed")
    async with sessionmaker() as session:
        assert (await session.exec(select(Person))).all() == []
        assert (await session.exec(select(Lead))).all() == []
    assert await claim_alone(sessionmaker, 20)
    assert not await claim_alone(sessionmaker, 20)


async def test_the_actor_follows_a_switch_of_the_active_team_within_one_unit_of_work(
    sessionmaker: Sessionmaker, settings: Settings
) -> None:
    async with opened(sessionmaker, settings, 30) as uow:
        personal = await uow.actor()
        assert await uow.actor() is personal  # resolved once
        team = Team(name="Sales", owner_id=personal.person_id, created_at=NOW)
        uow.session.add(team)
        await uow.session.flush()

        uow.session.add(
            Membership(team_id=team.id, person_id=personal.person_id, role="rep", joined_at=NOW)
        )
        uow.person.active_team_id = team.id
        await uow.session.flush()
        switched = await uow.actor()
        assert switched.team.name == "Sales" and switched.role == "rep"
        assert not permissions.sees_all(switched.member)


async def test_a_unit_of_work_without_a_profile_has_a_session_but_no_person(
    sessionmaker: Sessionmaker,
) -> None:
    async with UnitOfWork(sessionmaker) as uow:
        assert (await uow.session.exec(select(Team))).all() == []
        with pytest.raises(RuntimeError):
            _ = uow.person
