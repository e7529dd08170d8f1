"""Helpers for the daily-work tests: people, teams and leads written straight to the database,
following assistant/domain/events.py (a created event per lead)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import select

from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events


async def person_by_tg(sessionmaker: Sessionmaker, tg_user_id: int) -> Person:
    async with sessionmaker() as session:
        person = (await session.exec(select(Person).where(Person.tg_user_id == tg_user_id))).one()
    return person


async def make_person(
    sessionmaker: Sessionmaker,
    tg_user_id: int,
    *,
    name: str = "Rep",
    timezone: str = "Asia/Shanghai",
    locale: str = "en",
    created_at: datetime | None = None,
    **fields: Any,
) -> tuple[Person, Team]:
    """A person with a private chat and a personal team, as /start makes them."""
    async with transaction(sessionmaker) as session:
        person = Person(
            tg_user_id=tg_user_id,
            chat_id=tg_user_id,
            name=name,
            timezone=timezone,
            locale=locale,
            **({"created_at": created_at} if created_at else {}),
            **fields,
        )
        session.add(person)
        await session.flush()
        team = Team(name=name, personal=True, owner_id=person.id or 0)
        session.add(team)
        await session.flush()
        session.add(Membership(team_id=team.id or 0, person_id=person.id or 0, role="owner"))
        person.active_team_id = team.id
    return person, team


async def add_member(sessionmaker: Sessionmaker, team: Team, person: Person, role: str) -> None:
    async with transaction(sessionmaker) as session:
        session.add(Membership(team_id=team.id or 0, person_id=person.id or 0, role=role))
        stored = await session.get(Person, person.id)
        assert stored is not None
        stored.active_team_id = team.id


async def make_lead(
    sessionmaker: Sessionmaker,
    team: Team,
    owner: Person | None,
    *,
    name: str,
    grade: str = "B",
    stage: str = "new",
    event_date: date | None = None,
    next_followup_at: datetime | None = None,
    last_contact_at: datetime | None = None,
    created_at: datetime | None = None,
) -> Lead:
    async with transaction(sessionmaker) as session:
        stored_team = await session.get(Team, team.id)
        assert stored_team is not None
        number = stored_team.next_lead_number
        stored_team.next_lead_number = number + 1
        extra: dict[str, Any] = {"created_at": created_at} if created_at else {}
        lead = Lead(
            team_id=team.id or 0,
            number=number,
            owner_id=owner.id if owner else None,
            name=name,
            grade=grade,
            stage=stage,
            event_date=event_date,
            next_followup_at=next_followup_at,
            last_contact_at=last_contact_at,
            **extra,
        )
        session.add(lead)
        await session.flush()
        session.add(
            LeadEvent(
                lead_id=lead.id or 0,
                team_id=team.id or 0,
                owner_id=lead.owner_id,
                actor_id=lead.owner_id,
                kind=events.CREATED,
                to_value=stage,
                payload={"source": None, "grade": grade},
                **({"at": created_at} if created_at else {}),
            )
        )
    return lead


async def lead_by_id(sessionmaker: Sessionmaker, lead_id: int) -> Lead:
    async with sessionmaker() as session:
        lead = await session.get(Lead, lead_id)
    assert lead is not None
    return lead


async def lead_events(sessionmaker: Sessionmaker, lead_id: int) -> list[LeadEvent]:
    async with sessionmaker() as session:
        rows = await session.exec(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)  # type: ignore[arg-type]
        )
        return list(rows.all())
