"""Acting on a follow-up from its reminder: done, snooze, tomorrow, and reassigning an
overdue lead (the last step of the escalation ladder).

Each button is one use case (`done`, `postpone`, `reassign_choices`, `reassign`) that takes the
person pressing it: a reminder may be about a lead of a team other than their active one, so
the actor is resolved in the lead's own team (`lead_for`), not taken from the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.domain import events
from assistant.domain.quiet_hours import at_local, parse_hhmm
from assistant.services import leads, permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import hold, hold_lead
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event
from assistant.services.pushes import followup_stamp

SNOOZE = timedelta(hours=1)
PRESETS: Final = ("hour", "tomorrow", "3days", "week")  # the lead card's follow-up menu


async def _membership(session: AsyncSession, team_id: int, person_id: int) -> Membership | None:
    result = await session.exec(
        select(Membership).where(
            Membership.team_id == team_id, Membership.person_id == person_id, Membership.active
        )
    )
    return result.first()


async def lead_for(session: AsyncSession, person: Person, lead_id: str) -> tuple[Actor, Lead]:
    """The lead behind a button and the person pressing it, in the lead's own team, if they
    may act on it: its owner, or a manager of its team. Anything else reads as "not found", so
    ids reveal nothing."""
    lead = await session.get(Lead, int(lead_id)) if lead_id.isdigit() else None
    if lead is None or lead.deleted_at is not None:
        raise UserError("followup_not_found")
    member = await _membership(session, lead.team_id, person.id or 0)
    if member is None or not permissions.can_view_lead(member, lead):
        raise UserError("followup_not_found")
    team = await session.get(Team, lead.team_id)
    assert team is not None
    return Actor(person, team, member), lead


def _handled(lead: Lead, stamp: str | None) -> bool:
    """The button belongs to a follow-up that was already handled (pressed twice, or done
    from another reminder): it must not log or move anything again. Buttons sent before
    they carried a stamp have none and still work."""
    return stamp is not None and stamp != followup_stamp(lead)


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


async def done(
    session: AsyncSession, person: Person, *, lead_id: str, stamp: str | None, now: datetime
) -> tuple[Lead, str]:
    """Done ✓: the follow-up happened, so log a contact; the next one follows the cadence of
    PRODUCT.md 5.1 (by grade for open leads, the visited / won / lost sequences otherwise).
    The state says what the reminder shows: "done", or "handled" when nothing was logged."""
    actor, lead = await lead_for(session, person, lead_id)
    if _handled(lead, stamp) or lead.next_followup_at is None or not await take(session, lead):
        return lead, "handled"
    await leads.log_contact(session, actor, lead, "", now)
    return lead, "done"


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


async def postpone(
    session: AsyncSession,
    person: Person,
    *,
    lead_id: str,
    stamp: str | None,
    until: Callable[[Person, datetime], datetime],
    now: datetime,
) -> tuple[Lead, bool]:
    """Snooze 1h / Tomorrow: the follow-up moves to `until(person, now)` (in_an_hour,
    tomorrow_morning); False when it was handled already and nothing moved."""
    _, lead = await lead_for(session, person, lead_id)
    if _handled(lead, stamp) or not await take(session, lead):
        return lead, False
    _schedule(session, lead, person, until(person, now), "snooze", now)
    return lead, True


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str


async def reassign_choices(
    session: AsyncSession, person: Person, *, lead_id: str
) -> tuple[Lead, list[Candidate]]:
    """Reassign…: the lead and the members of its team it could go to (a manager only)."""
    actor, lead = await lead_for(session, person, lead_id)
    if not permissions.is_manager(actor.member):
        raise UserError("followup_not_found")
    rows = await session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.team_id == lead.team_id, Membership.active)
        .order_by(col(Person.name))
    )
    return lead, [
        Candidate(member.id or 0, member.name)
        for member in rows.all()
        if member.id != lead.owner_id
    ]


async def reassign(
    session: AsyncSession, person: Person, *, lead_id: str, to_person_id: str, now: datetime
) -> tuple[Lead, Person]:
    """Hand the lead to another member: history stays with the lead, the follow-up is due now."""
    actor, lead = await lead_for(session, person, lead_id)
    if not permissions.is_manager(actor.member):
        raise UserError("followup_not_found")
    target = await session.get(Person, int(to_person_id)) if to_person_id.isdigit() else None
    if target is None or await _membership(session, lead.team_id, target.id or 0) is None:
        raise UserError("reassign_not_member")
    if target.id == lead.owner_id:
        return lead, target
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
    return lead, target
