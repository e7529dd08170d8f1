"""Picking scripts for a lead: the lead's facts, ranking, and the rendered suggestions."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Team
from assistant.domain import events, lead_lines
from assistant.domain import scripts as domain
from assistant.domain.scripts import LeadFacts, Script, UseStats
from assistant.domain.team_settings import effective
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.scripts.shipped import (
    RenderedScript,
    fill_context,
    library_scripts,
    render_script,
)

# --- picking for a lead ----------------------------------------------------------------------


def _shown_lead(member: Membership, lead: Lead | None) -> Lead | None:
    """The lead if it is not deleted and this member may see it (services/permissions.py)."""
    if lead is None or lead.deleted_at is not None:
        return None
    return lead if permissions.can_view_lead(member, lead) else None


async def lead_by_id(session: AsyncSession, actor: Actor, *, lead_id: int | None) -> Lead | None:
    """A lead by database id (from a signed button), if the actor may see it."""
    lead = await session.get(Lead, lead_id) if lead_id is not None else None
    return _shown_lead(actor.member, lead)


async def lead_by_number(session: AsyncSession, actor: Actor, *, number: int) -> Lead | None:
    row = (
        await session.exec(select(Lead).where(Lead.team_id == actor.team_id, Lead.number == number))
    ).first()
    return _shown_lead(actor.member, row)


async def lead_facts(
    session: AsyncSession, *, lead: Lead, pipeline: str, now: datetime
) -> LeadFacts:
    last_contact = (
        await session.exec(
            select(LeadEvent)
            .where(LeadEvent.lead_id == lead.id, LeadEvent.kind == events.CONTACT)
            .order_by(col(LeadEvent.at).desc())
            .limit(1)
        )
    ).first()
    return facts_for(lead, pipeline=pipeline, now=now, last_contact=last_contact)


def facts_for(
    lead: Lead,
    *,
    pipeline: str,
    now: datetime,
    last_contact: LeadEvent | None = None,
    last_note: str | None = None,
) -> LeadFacts:
    contacted_at = lead.last_contact_at or (last_contact.at if last_contact else None)
    note = last_contact.payload.get("note") if last_contact is not None else last_note
    return LeadFacts(
        pipeline=pipeline,
        stage=lead.stage,
        grade=lead.grade if lead.grade in domain.GRADES else "D",
        has_event_date=lead.event_date is not None,
        contacted=contacted_at is not None,
        days_since_contact=(now - contacted_at).days if contacted_at is not None else None,
        last_note=note if isinstance(note, str) else None,
        has_phone=bool(lead.phone) or lead.phone_obtained,
        number=lead.number,
    )


def rank_for_lead(
    scripts: Iterable[Script],
    facts: LeadFacts,
    stats: dict[str, UseStats] | None = None,
    recent: Collection[str] = (),
) -> list[Script]:
    return lead_lines.pick(scripts, facts, stats=stats, recent=recent)


async def recent_script_ids(session: AsyncSession, *, lead_id: int, now: datetime) -> set[str]:
    """Scripts already sent to this lead in the last two weeks ("used it")."""
    rows = await session.exec(
        select(LeadEvent.to_value).where(
            LeadEvent.lead_id == lead_id,
            LeadEvent.kind == events.SCRIPT,
            LeadEvent.at >= now - timedelta(days=domain.RECENT_DAYS),
        )
    )
    return {value for value in rows.all() if value}


def render_for_lead(
    script: Script,
    *,
    lead: Lead,
    locale: str,
    rep_name: str | None,
    team_name: str | None,
    team_settings: dict[str, Any] | None,
) -> RenderedScript:
    context = fill_context(
        locale=locale,
        lead_name=lead.name,
        event_date=lead.event_date,
        rep_name=rep_name,
        team_name=team_name,
        team_settings=team_settings,
    )
    return RenderedScript(script, render_script(script, context))


def suggest_for_lead(
    lead: Lead,
    *,
    locale: str,
    rep_name: str | None,
    team_settings: dict[str, Any] | None = None,
    pipeline: str = "store",
    team_name: str | None = None,
    now: datetime | None = None,
    extra_scripts: Sequence[Script] = (),
    situation: str | None = None,
    light: bool = False,
    activation: bool = False,
    last_note: str | None = None,
) -> RenderedScript | None:
    """The best script for this lead, filled in, or None when nothing fits.

    No I/O: uses the shipped library plus `extra_scripts` (e.g. from `team_scripts`) and the
    note of the lead's last contact when the caller has it. `light` and `activation` ask for a
    light touch (lead_lines.light_situations); `situation` forces one (e.g. "referral").
    """
    scripts = [*extra_scripts, *library_scripts(locale)]
    facts = facts_for(lead, pipeline=pipeline, now=now or lead.updated_at, last_note=last_note)
    if situation is None:
        ranked = lead_lines.pick(scripts, facts, light=light, activation=activation)
    else:
        ranked = domain.rank(
            scripts,
            stage=facts.stage,
            grade=facts.grade,
            situations=[situation],
            has_event_date=facts.has_event_date,
        ) or domain.rank(scripts, situations=[situation], has_event_date=facts.has_event_date)
    if not ranked:
        return None
    settings = effective(team_settings) if team_settings is not None else None
    return render_for_lead(
        ranked[0],
        lead=lead,
        locale=locale,
        rep_name=rep_name,
        team_name=team_name,
        team_settings=settings,
    )


def render_plain(
    script: Script, *, locale: str, rep_name: str | None, team: Team
) -> RenderedScript:
    """A script filled in without a lead (by stage or situation): the lead's name stays generic."""
    context = fill_context(
        locale=locale,
        lead_name=None,
        event_date=None,
        rep_name=rep_name,
        team_name=None if team.personal else team.name,
        team_settings=team.settings,
    )
    return RenderedScript(script, render_script(script, context))
