"""Acting on a follow-up from its reminder: done, snooze, tomorrow, and reassigning an
overdue lead (the last step of the escalation ladder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Person
from assistant.domain import events
from assistant.domain.quiet_hours import at_local, parse_hhmm
from assistant.services import leads, permissions
from assistant.services.concurrency import hold, hold_lead
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event

SNOOZE = timedelta(hours=1)
PRESETS: Final = ("hour", "tomorrow", "3days", "week")  # the lead card's follow-up menu


async def _membership(session: AsyncSession, team_id: int, person_id: int) -> Membership | None:
    result = await session.exec(
        select(Membership).where(
            Membership.team_id == team_id, Membership.person_id == person_id, Membership.active
        )
    )
    return result.first()


async def lead_for(session: AsyncSession, *, person: Person, lead_id: str) -> Lead:
    """The lead behind a button, if this person may act on it: its owner, or a manager of its
    team. Anything else reads as "not found", so ids reveal nothing."""
    lead = await session.get(Lead, int(lead_id)) if lead_id.isdigit() else None
    if lead is None or lead.deleted_at is not None:
        raise UserError("followup_not_found")
    member = await _membership(session, lead.team_id, person.id or 0)
    if member is None or not permissions.can_view_lead(member, lead):
        raise UserError("followup_not_found")
    return lead


async def is_manager(session: AsyncSession, *, person: Person, team_id: int) -> bool:
    member = await _membership(session, team_id, person.id or 0)
    return member is not None and permissions.is_manager(member)


def _event(
    session: AsyncSession, lead: Lead, actor: Person, kind: str, now: datetime, **fields: Any
) -> LeadEvent:
    return record_event(
        session, lead_id=lead.id or 0, team_id=lead.team_id, owner_id=lead.owner_id,
        actor_id=actor.id, kind=kind, at=now, **fields,
    )  # fmt: skip


def _schedule(
    session: AsyncSession, lead: Lead, actor: Person, at: datetime, reason: str, now: datetime
) -> None:
    lead.next_followup_at = at
    lead.followup_manual = reason != "cadence"  # a snooze is the person's own choice
    lead.updated_at = now
    _event(
        session, lead, actor, events.FOLLOWUP, now,
        to_value=at.isoformat(), payload={"reason": reason},
    )  # fmt: skip


async def take(session: AsyncSession, lead: Lead) -> bool:
    """This follow-up is still the one the button was about, and now this press's to handle
    (Done pressed on two devices at once: the second finds it handled, as after a reload)."""
    return await hold(session, lead, "next_followup_at")


async def mark_done(session: AsyncSession, *, person: Person, lead: Lead, now: datetime) -> Lead:
    """The follow-up happened: log a contact; the next one follows the cadence of PRODUCT.md 5.1
    (by grade for open leads, the visited / won / lost sequences otherwise)."""
    scope = await leads.scope_for_lead(session, person, lead)
    await leads.log_contact(session, scope, lead, "", now)
    return lead


def in_an_hour(person: Person, now: datetime) -> datetime:
    return now + SNOOZE


def morning_clock(person: Person) -> time:
    """The person's morning briefing time (09:00 unless changed): when "tomorrow" starts."""
    try:
        return parse_hhmm(person.morning_at)
    except ValueError:
        return time(9)


def tomorrow_morning(person: Person, now: datetime) -> datetime:
    """Tomorrow at the person's morning briefing time, local: what every "tomorrow" button
    means (the reminder's and the lead card's follow-up menu)."""
    zone = person.timezone
    tomorrow = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return at_local(tomorrow, morning_clock(person), zone)


def preset_time(code: str, person: Person, now: datetime) -> datetime:
    """When a follow-up menu preset (PRESETS) puts the follow-up: in an hour, tomorrow
    morning, in three days, or next Monday at 10:00 local."""
    if code == "hour":
        return in_an_hour(person, now)
    if code == "tomorrow":
        return tomorrow_morning(person, now)
    if code == "3days":
        return now + timedelta(days=3)
    if code != "week":
        raise UserError("bad_button")
    zone = ZoneInfo(person.timezone)
    local_now = now.astimezone(zone)
    monday = local_now.date() + timedelta(days=7 - local_now.weekday())
    return datetime.combine(monday, time(10), tzinfo=zone)


def postpone(
    session: AsyncSession, *, person: Person, lead: Lead, until: datetime, now: datetime
) -> Lead:
    """Snooze 1h / Tomorrow: the follow-up moves to `until` (in_an_hour, tomorrow_morning)."""
    _schedule(session, lead, person, until, "snooze", now)
    return lead


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str


async def reassign_choices(session: AsyncSession, *, person: Person, lead: Lead) -> list[Candidate]:
    if not await is_manager(session, person=person, team_id=lead.team_id):
        raise UserError("followup_not_found")
    rows = await session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.team_id == lead.team_id, Membership.active)
        .order_by(col(Person.name))
    )
    return [
        Candidate(member.id or 0, member.name)
        for member in rows.all()
        if member.id != lead.owner_id
    ]


async def reassign(
    session: AsyncSession, *, person: Person, lead: Lead, to_person_id: str, now: datetime
) -> Person:
    """Hand the lead to another member: history stays with the lead, the follow-up is due now."""
    if not await is_manager(session, person=person, team_id=lead.team_id):
        raise UserError("followup_not_found")
    target = await session.get(Person, int(to_person_id)) if to_person_id.isdigit() else None
    if target is None or await _membership(session, lead.team_id, target.id or 0) is None:
        raise UserError("reassign_not_member")
    if target.id == lead.owner_id:
        return target
    await hold_lead(session, lead, "owner_id")  # two managers reassigning it at once
    old = lead.owner_id
    _event(
        session, lead, person, events.ASSIGNED, now,
        from_value=str(old) if old is not None else None,
        to_value=str(target.id),
        payload={"by": person.id},
    )  # fmt: skip
    lead.owner_id = target.id
    _schedule(session, lead, person, now, "cadence", now)
    return target
