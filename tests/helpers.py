"""People, teams, leads and events written straight to the database for tests, in the vocabulary
of assistant/domain/events.py: every lead gets a "created" event, as /add writes it.

Functions that take a session write inside the caller's transaction (flushed at its commit);
those that take a Sessionmaker open and commit their own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.domain.pipeline import first_stage
from assistant.services.actor import Actor
from assistant.services.leads import actor_of as actor_of  # the person in their active team
from assistant.services.leads.events import record_event
from assistant.services.people import Profile, ensure_person
from tests.harness import DEFAULT_NOW, Harness, User


def local(zone: str, year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in a zone, as the aware UTC instant the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def sessionmaker_of(bot: Harness) -> Sessionmaker:
    maker: Sessionmaker = bot.app.bot_data["app"].sessionmaker
    return maker


# ---------------------------------------------------------------- people and teams


async def person(
    session: AsyncSession,
    tg_user_id: int,
    name: str,
    zone: str = "Asia/Shanghai",
    now: datetime = datetime(2026, 10, 1, tzinfo=UTC),
) -> Person:
    """A person as their first message makes them (zh-Hans, a personal team)."""
    found, _ = await ensure_person(
        session,
        profile=Profile(tg_user_id, tg_user_id, name, None, "zh-hans"),
        default_timezone=zone,
        default_locale="zh-Hans",
        now=now,
    )
    found.timezone = zone
    return found


async def user_scope(
    session: AsyncSession, tg_user_id: int = 1, now: datetime = DEFAULT_NOW
) -> Actor:
    """What the lead services see of person `P<tg_user_id>` (made on first use)."""
    return await actor_of(session, await person(session, tg_user_id, f"P{tg_user_id}", now=now))


async def find_person(session: AsyncSession, tg_user_id: int) -> Person:
    return (await session.exec(select(Person).where(Person.tg_user_id == tg_user_id))).one()


async def person_by_tg(sessionmaker: Sessionmaker, tg_user_id: int) -> Person:
    async with sessionmaker() as session:
        return await find_person(session, tg_user_id)


async def person_of(bot: Harness, user: User) -> Person:
    return await person_by_tg(sessionmaker_of(bot), user.id)


async def team_of(sessionmaker: Sessionmaker, user: User) -> Team:
    """The user's active team."""
    person = await person_by_tg(sessionmaker, user.id)
    async with sessionmaker() as session:
        team = await session.get(Team, person.active_team_id)
    assert team is not None
    return team


async def team_named(bot: Harness, name: str) -> Team:
    async with sessionmaker_of(bot)() as session:
        return (await session.exec(select(Team).where(Team.name == name))).one()


async def membership_of(bot: Harness, user: User, team: Team) -> Membership:
    person = await person_of(bot, user)
    async with sessionmaker_of(bot)() as session:
        query = select(Membership).where(
            Membership.team_id == team.id, Membership.person_id == person.id
        )
        return (await session.exec(query)).one()


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


# ---------------------------------------------------------------- leads


async def insert_leads(session: AsyncSession, team: Team, count: int, **fields: Any) -> list[Lead]:
    """`count` leads numbered from the team's counter, each with its "created" event at the
    lead's created_at, by its owner."""
    leads = []
    for _ in range(count):
        leads.append(Lead(team_id=team.id or 0, number=team.next_lead_number, **fields))
        team.next_lead_number += 1
    session.add_all(leads)
    await session.flush()
    for lead in leads:
        payload = {"source": lead.source, "grade": lead.grade}
        add_event(session, lead, events.CREATED, lead.created_at, to_value=lead.stage,
                  payload=payload)  # fmt: skip
    return leads


async def add_lead(
    session: AsyncSession,
    team: Team,
    owner: Person,
    at: datetime,
    *,
    grade: str = "B",
    source: str = "百度",
    name: str = "客户",
) -> Lead:
    """A lead in the first stage of the team's pipeline, created at `at`."""
    [lead] = await insert_leads(
        session, team, 1, owner_id=owner.id, name=name, source=source,
        stage=first_stage(team.pipeline), grade=grade, created_at=at, updated_at=at,
    )  # fmt: skip
    return lead


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
        [lead] = await insert_leads(
            session, stored_team, 1, owner_id=owner.id if owner else None, name=name,
            grade=grade, stage=stage, event_date=event_date, next_followup_at=next_followup_at,
            last_contact_at=last_contact_at, **({"created_at": created_at} if created_at else {}),
        )  # fmt: skip
    return lead


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
    async with transaction(maker) as session:
        team = await session.get(Team, team_id)
        assert team is not None
        leads = await insert_leads(
            session, team, count, owner_id=owner_id, name=name, phone=phone, wechat=wechat,
            created_at=now, updated_at=now, **fields,
        )  # fmt: skip
    return [lead.number for lead in leads]


async def lead_by_id(sessionmaker: Sessionmaker, lead_id: int) -> Lead:
    async with sessionmaker() as session:
        lead = await session.get(Lead, lead_id)
    assert lead is not None
    return lead


async def leads_by_number(maker: Sessionmaker, team_id: int) -> dict[int, Lead]:
    async with maker() as session:
        rows = (await session.exec(select(Lead).where(Lead.team_id == team_id))).all()
    return {lead.number: lead for lead in rows}


# ---------------------------------------------------------------- events


def add_event(
    session: AsyncSession,
    lead: Lead,
    kind: str,
    at: datetime,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    payload: dict[str, Any] | None = None,
) -> LeadEvent:
    """An event on the lead, as its owner did it (written the one way the bot writes them)."""
    return record_event(
        session, lead_id=lead.id or 0, team_id=lead.team_id, owner_id=lead.owner_id,
        actor_id=lead.owner_id, kind=kind, at=at, from_value=from_value, to_value=to_value,
        payload=payload,
    )  # fmt: skip


async def add_events(
    maker: Sessionmaker,
    lead: Lead,
    *items: tuple[str, datetime, str | None],
) -> None:
    """Write (kind, at, to_value) events for a lead, as its current owner did them."""
    async with transaction(maker) as session:
        for kind, at, to_value in items:
            add_event(session, lead, kind, at, to_value=to_value)


async def lead_events(sessionmaker: Sessionmaker, lead_id: int) -> list[LeadEvent]:
    async with sessionmaker() as session:
        query = select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(col(LeadEvent.id))
        return list((await session.exec(query)).all())


async def events_of(maker: Sessionmaker, team_id: int, kind: str) -> list[LeadEvent]:
    async with maker() as session:
        query = select(LeadEvent).where(LeadEvent.team_id == team_id, LeadEvent.kind == kind)
        return list((await session.exec(query)).all())


async def move(session: AsyncSession, lead: Lead, stage: str, at: datetime, **payload: Any) -> None:
    """A stage event (won: amount=..., lost: reason=...), and the lead's stage follows."""
    add_event(session, lead, events.STAGE, at, from_value=lead.stage, to_value=stage,
              payload=payload)  # fmt: skip
    lead.stage = stage
    if stage == "won":
        lead.amount = payload.get("amount")
    if stage == "lost":
        lead.lost_reason = payload.get("reason")


async def contact(session: AsyncSession, lead: Lead, at: datetime, note: str = "聊了套餐") -> None:
    add_event(session, lead, events.CONTACT, at, payload={"note": note, "grade": lead.grade})
    lead.last_contact_at = at


async def got_phone(session: AsyncSession, lead: Lead, at: datetime) -> None:
    add_event(session, lead, events.PHONE, at, to_value="1")
    lead.phone_obtained = True


async def got_wechat(session: AsyncSession, lead: Lead, at: datetime) -> None:
    add_event(session, lead, events.WECHAT, at, to_value="1")
    lead.wechat_added = True


async def delete(session: AsyncSession, lead: Lead, at: datetime) -> None:
    add_event(session, lead, events.DELETED, at)
    lead.deleted_at = at


async def bulk_leads(
    sessionmaker: Sessionmaker, team_id: int, owner_id: int, count: int, **fields: Any
) -> None:
    """`count` leads numbered from 1, in one executemany and without events: a big store for
    scheduling tests in a second. Columns not given take the model's defaults."""
    rows = [
        {"team_id": team_id, "number": number, "owner_id": owner_id, "name": f"L{number}",
         **fields}
        for number in range(1, count + 1)
    ]  # fmt: skip
    async with transaction(sessionmaker) as session:
        connection = await session.connection()
        await connection.execute(Lead.__table__.insert(), rows)  # type: ignore[attr-defined]
