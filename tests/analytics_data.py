"""Build leads and their events straight in the database, in the vocabulary of
assistant/domain/events.py, for the numbers tests (the lead commands live elsewhere)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Person, Team
from assistant.domain import events as ev
from assistant.domain.pipeline import first_stage
from assistant.services.people import Profile, ensure_person


def local(zone: str, year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in a zone, as the aware UTC instant the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def person(
    session: AsyncSession, tg_user_id: int, name: str, zone: str = "Asia/Shanghai"
) -> Person:
    found, _ = await ensure_person(
        session,
        profile=Profile(tg_user_id, tg_user_id, name, None, "zh-hans"),
        default_timezone=zone,
        default_locale="zh-Hans",
        now=datetime(2026, 10, 1, tzinfo=UTC),
    )
    found.timezone = zone
    return found


async def person_by_tg(session: AsyncSession, tg_user_id: int) -> Person:
    result = await session.exec(select(Person).where(Person.tg_user_id == tg_user_id))
    return result.one()


async def add_event(
    session: AsyncSession,
    lead: Lead,
    kind: str,
    at: datetime,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    payload: dict[str, Any] | None = None,
) -> LeadEvent:
    event = LeadEvent(
        lead_id=lead.id or 0,
        team_id=lead.team_id,
        owner_id=lead.owner_id,
        actor_id=lead.owner_id,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        payload=payload or {},
        at=at,
    )
    session.add(event)  # flushed with the next lead, or at commit
    return event


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
    stage = first_stage(team.pipeline)
    lead = Lead(
        team_id=team.id or 0,
        number=team.next_lead_number,
        owner_id=owner.id,
        name=name,
        source=source,
        stage=stage,
        grade=grade,
        created_at=at,
        updated_at=at,
    )
    team.next_lead_number += 1
    session.add(lead)
    await session.flush()
    await add_event(
        session, lead, ev.CREATED, at, to_value=stage, payload={"source": source, "grade": grade}
    )
    return lead


async def move(session: AsyncSession, lead: Lead, stage: str, at: datetime, **payload: Any) -> None:
    """A stage event (won: amount=..., lost: reason=...), and the lead's stage follows."""
    await add_event(
        session, lead, ev.STAGE, at, from_value=lead.stage, to_value=stage, payload=payload
    )
    lead.stage = stage
    if stage == "won":
        lead.amount = payload.get("amount")
    if stage == "lost":
        lead.lost_reason = payload.get("reason")


async def contact(session: AsyncSession, lead: Lead, at: datetime, note: str = "聊了套餐") -> None:
    await add_event(session, lead, ev.CONTACT, at, payload={"note": note, "grade": lead.grade})
    lead.last_contact_at = at


async def got_phone(session: AsyncSession, lead: Lead, at: datetime) -> None:
    await add_event(session, lead, ev.PHONE, at, to_value="1")
    lead.phone_obtained = True


async def got_wechat(session: AsyncSession, lead: Lead, at: datetime) -> None:
    await add_event(session, lead, ev.WECHAT, at, to_value="1")
    lead.wechat_added = True


async def regrade(session: AsyncSession, lead: Lead, grade: str, at: datetime) -> None:
    await add_event(
        session,
        lead,
        ev.GRADE,
        at,
        from_value=lead.grade,
        to_value=grade,
        payload={"manual": True, "auto": False},
    )
    lead.grade = grade


async def delete(session: AsyncSession, lead: Lead, at: datetime) -> None:
    await add_event(session, lead, ev.DELETED, at)
    lead.deleted_at = at
