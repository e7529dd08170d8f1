"""Cadence-made follow-up times, moved onto a working slot of the owner's day.

The rules are in assistant/domain/working_slots.py; this module finds the owner's working
hours and the slots their other follow-ups already take that day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person
from assistant.domain.localtime import local_day_bounds
from assistant.domain.quiet_hours import Quiet
from assistant.domain.working_slots import SEARCH_DAYS, WorkingHours, first_day, free_slot

DEFAULT_QUIET = Quiet.parse("22:00", "08:00")

# The owner's follow-ups in the team on one local day: the (team, owner, follow-up) index.
_TAKEN = select(Lead.next_followup_at).where(
    Lead.team_id == bindparam("team"),
    Lead.owner_id == bindparam("owner"),
    col(Lead.next_followup_at) >= bindparam("start"),
    col(Lead.next_followup_at) < bindparam("end"),
    col(Lead.deleted_at).is_(None),
    col(Lead.id) != bindparam("lead"),
)


def _other_leads_pending(session: AsyncSession, lead_id: int | None) -> bool:
    """Whether another lead is added or changed in this session and not yet written: its
    follow-up may take a slot, so the look-up must see it (this lead's own is left out)."""
    return any(
        isinstance(item, Lead) and (item.id is None or item.id != lead_id)
        for pending in (session.new, session.dirty)
        for item in pending
    )


def working_hours(person: Person) -> WorkingHours:
    try:
        quiet = Quiet.parse(person.quiet_start, person.quiet_end)
    except ValueError:
        quiet = DEFAULT_QUIET
    return WorkingHours(person.timezone, quiet, person.work_days)


async def land(
    session: AsyncSession,
    *,
    team_id: int,
    owner: Person | None,
    lead_id: int | None,
    due: datetime,
    now: datetime,
    first_contact: bool = False,
) -> datetime:
    """`due` moved onto the owner's first free working slot of its day (or a later working
    day); a first contact already in working time keeps its minute. A lead with no owner (the
    team's pool) keeps `due`."""
    if owner is None or owner.id is None:
        return due
    hours = working_hours(owner)
    if first_contact and hours.is_working(due):
        return due
    after = due if first_contact else now
    day = first_day(due, hours, after=after)
    # The slots only depend on the other leads: this lead's pending change (the contact being
    # logged, its events) can wait for the next flush and go with the rest, in fewer statements.
    if _other_leads_pending(session, lead_id):
        await session.flush()
    for _ in range(SEARCH_DAYS):
        start, end = local_day_bounds(day, hours.zone)
        params = {"team": team_id, "owner": owner.id, "start": start, "end": end,
                  "lead": lead_id or 0}  # fmt: skip
        with session.no_autoflush:
            found = (await session.exec(_TAKEN, params=params)).all()
        taken = [moment for moment in found if moment]
        slot = free_slot(day, hours, taken, after=after)
        if slot is not None:
            return slot
        day = hours.working_day(day + timedelta(days=1))
    return due


async def land_for_lead(
    session: AsyncSession, lead: Lead, due: datetime, now: datetime, *, first_contact: bool = False
) -> datetime:
    owner = await session.get(Person, lead.owner_id) if lead.owner_id is not None else None
    return await land(
        session, team_id=lead.team_id, owner=owner, lead_id=lead.id, due=due, now=now,
        first_contact=first_contact,
    )  # fmt: skip
