"""The script line suggested next to each lead in /today, the morning briefing and /activate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Person, Team
from assistant.domain import events
from assistant.services.scripts import suggest_for_lead, team_scripts

_LATEST_CONTACT: Final = (
    select(LeadEvent.lead_id, func.max(LeadEvent.at).label("at"))
    .where(
        col(LeadEvent.lead_id).in_(bindparam("leads", expanding=True)),
        LeadEvent.kind == events.CONTACT,
    )
    .group_by(col(LeadEvent.lead_id))
    .subquery()
)
# Built once: building it per /today cost more Python than running it.
_LAST_CONTACTS: Final = (
    select(LeadEvent.lead_id, LeadEvent.payload, LeadEvent.id)
    .join(
        _LATEST_CONTACT,
        (_LATEST_CONTACT.c.lead_id == LeadEvent.lead_id) & (_LATEST_CONTACT.c.at == LeadEvent.at),
    )
    .where(LeadEvent.kind == events.CONTACT)
    .order_by(col(LeadEvent.id))
)


async def last_notes(session: AsyncSession, lead_ids: list[int]) -> dict[int, str]:
    """Lead id -> the note of its latest contact, for the leads that have one."""
    if not lead_ids:
        return {}
    rows = await session.exec(_LAST_CONTACTS, params={"leads": lead_ids})
    notes: dict[int, str] = {}
    for lead_id, payload, _ in rows.all():
        note = (payload or {}).get("note")
        if lead_id is not None and isinstance(note, str):
            notes[lead_id] = note
    return notes


async def script_lines(
    session: AsyncSession,
    *,
    person: Person,
    team: Team,
    leads: Iterable[Lead],
    now: datetime,
    activation: bool = False,
) -> dict[int, str]:
    """Lead id -> the best library or team script, filled in for that lead.

    Picked by assistant.domain.lead_lines from the lead's stage, grade, last contact (and its
    note) and what the card already holds; D leads (and every lead of an activation batch) get
    a light touch rather than a pitch.
    """
    leads = list(leads)
    extra = await team_scripts(session, team_id=team.id or 0, locale=person.locale)
    notes = await last_notes(session, [lead.id for lead in leads if lead.id is not None])
    lines: dict[int, str] = {}
    for lead in leads:
        if lead.id is None:
            continue
        suggestion = suggest_for_lead(
            lead,
            locale=person.locale,
            rep_name=person.rep_name,
            team_settings=team.settings,
            pipeline=team.pipeline,
            team_name=None if team.personal else team.name,
            now=now,
            extra_scripts=extra,
            light=lead.grade == "D",
            activation=activation,
            last_note=notes.get(lead.id),
        )
        if suggestion is not None:
            lines[lead.id] = suggestion.text
    return lines
