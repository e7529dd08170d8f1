"""Test helpers for team features: leads and events written straight to the database.

Leads and events follow assistant/domain/events.py, as the lead commands would write them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from tests.harness import Harness, User


def sessionmaker_of(bot: Harness) -> Sessionmaker:
    maker: Sessionmaker = bot.app.bot_data["app"].sessionmaker
    return maker


async def person_of(bot: Harness, user: User) -> Person:
    async with transaction(sessionmaker_of(bot)) as session:
        person = (await session.exec(select(Person).where(Person.tg_user_id == user.id))).one()
    return person


async def team_named(bot: Harness, name: str) -> Team:
    async with transaction(sessionmaker_of(bot)) as session:
        team = (await session.exec(select(Team).where(Team.name == name))).one()
    return team


async def membership_of(bot: Harness, user: User, team: Team) -> Membership:
    person = await person_of(bot, user)
    async with transaction(sessionmaker_of(bot)) as session:
        member = (
            await session.exec(
                select(Membership).where(
                    Membership.team_id == team.id, Membership.person_id == person.id
                )
            )
        ).one()
    return member


async def add_leads(
    maker: Sessionmaker,
    *,
    team_id: int,
    owner_id: int | None,
    count: int,
    now: datetime,
    name: str = "王女士",
    phone: str | None = "+8613800138000",
    wechat: str | None = "wx_wang",
    **fields: Any,
) -> list[int]:
    """Create `count` leads with a "created" event each; returns their numbers."""
    numbers: list[int] = []
    async with transaction(maker) as session:
        team = await session.get(Team, team_id)
        assert team is not None
        leads = []
        for _ in range(count):
            lead = Lead(
                team_id=team_id,
                number=team.next_lead_number,
                owner_id=owner_id,
                name=name,
                phone=phone,
                wechat=wechat,
                created_at=now,
                updated_at=now,
                **fields,
            )
            team.next_lead_number += 1
            numbers.append(lead.number)
            leads.append(lead)
        session.add_all(leads)
        await session.flush()
        session.add_all(
            [
                LeadEvent(
                    lead_id=lead.id or 0,
                    team_id=team_id,
                    owner_id=owner_id,
                    actor_id=owner_id,
                    kind=events.CREATED,
                    to_value=lead.stage,
                    payload={"source": None, "grade": lead.grade},
                    at=now,
                )
                for lead in leads
            ]
        )
    return numbers


async def leads_by_number(maker: Sessionmaker, team_id: int) -> dict[int, Lead]:
    async with transaction(maker) as session:
        rows = (await session.exec(select(Lead).where(Lead.team_id == team_id))).all()
    return {lead.number: lead for lead in rows}


async def events_of(maker: Sessionmaker, team_id: int, kind: str) -> list[LeadEvent]:
    async with transaction(maker) as session:
        rows = (
            await session.exec(
                select(LeadEvent).where(LeadEvent.team_id == team_id, LeadEvent.kind == kind)
            )
        ).all()
    return list(rows)


async def add_events(
    maker: Sessionmaker,
    lead: Lead,
    *items: tuple[str, datetime, str | None],
) -> None:
    """Write (kind, at, to_value) events for a lead, as its current owner did them."""
    async with transaction(maker) as session:
        for kind, at, to_value in items:
            session.add(
                LeadEvent(
                    lead_id=lead.id or 0,
                    team_id=lead.team_id,
                    owner_id=lead.owner_id,
                    actor_id=lead.owner_id,
                    kind=kind,
                    to_value=to_value,
                    at=at,
                )
            )
