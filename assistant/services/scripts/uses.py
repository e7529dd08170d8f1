"""Uses and credit: recording that a script was sent, and per-script statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, ScriptUse, Team, TeamScript
from assistant.domain import events
from assistant.domain import scripts as domain
from assistant.domain.scripts import Script, UseStats
from assistant.i18n import LOCALES
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event
from assistant.services.scripts.shipped import DOUBLE_TAP, RANKING_WINDOW, library_scripts
from assistant.services.scripts.team import as_script

# --- uses and credit -------------------------------------------------------------------------


async def find_script(session: AsyncSession, *, team: Team, script_id: str, locale: str) -> Script:
    if domain.parse_team_script_id(script_id) is not None and script_id.startswith("t"):
        row = await session.get(TeamScript, domain.parse_team_script_id(script_id))
        if row is not None and row.team_id == team.id:
            return as_script(row)
        raise UserError("script_not_found", given=script_id)
    for candidate_locale in (locale, *LOCALES):
        for script in library_scripts(candidate_locale):
            if script.id == script_id:
                return script
    raise UserError("script_not_found", given=script_id)


async def record_use(
    session: AsyncSession, actor: Actor, *, lead: Lead, script: Script, now: datetime
) -> tuple[ScriptUse, bool]:
    """The 'used it' button: a script-use row and a LeadEvent of kind 'script' on the lead.

    A second tap on the same script for the same lead within the hour is not counted again;
    the second value says whether this call recorded a new use.
    """
    team, person = actor.team, actor.person
    assert team.id is not None and person.id is not None and lead.id is not None
    earlier = (
        await session.exec(
            select(ScriptUse).where(
                ScriptUse.lead_id == lead.id,
                ScriptUse.person_id == person.id,
                ScriptUse.script_id == script.id,
                ScriptUse.used_at > now - DOUBLE_TAP,
            )
        )
    ).first()
    if earlier is not None:
        return earlier, False
    use = ScriptUse(
        team_id=team.id,
        person_id=person.id,
        lead_id=lead.id,
        script_id=script.id,
        locale=script.locale,
        used_at=now,
    )
    session.add(use)
    record_event(
        session,
        lead_id=lead.id,
        team_id=team.id,
        owner_id=lead.owner_id,
        actor_id=person.id,
        kind=events.SCRIPT,
        to_value=script.id,
        payload={"script": script.id, "situation": script.situation},
        at=now,
    )
    await session.flush()
    return use, True


@dataclass(frozen=True)
class StatRow:
    script_id: str
    situation: str
    uses: int
    credited: int

    @property
    def percent(self) -> int:
        return round(100 * self.credited / self.uses) if self.uses else 0


async def use_stats(
    session: AsyncSession, *, team_id: int, person_id: int | None, since: datetime | None = None
) -> dict[str, UseStats]:
    """Uses and credited conversions per script id, for one person or the whole team."""
    query = select(ScriptUse).where(ScriptUse.team_id == team_id)
    if person_id is not None:
        query = query.where(ScriptUse.person_id == person_id)
    if since is not None:
        query = query.where(ScriptUse.used_at >= since)
    rows = (await session.exec(query)).all()
    uses = [
        domain.Use(id=row.id or 0, lead_id=row.lead_id, script_id=row.script_id, at=row.used_at)
        for row in rows
    ]
    lead_ids = sorted({use.lead_id for use in uses if use.lead_id is not None})
    moves: list[domain.StageMove] = []
    if lead_ids:
        earliest = min(use.at for use in uses)
        stage_rows = await session.exec(
            select(LeadEvent).where(
                col(LeadEvent.lead_id).in_(lead_ids),
                LeadEvent.kind == events.STAGE,
                LeadEvent.at >= earliest,
                LeadEvent.at <= max(use.at for use in uses) + domain.CREDIT_WINDOW,
            )
        )
        moves = [
            domain.StageMove(lead_id=row.lead_id, to_stage=row.to_value or "", at=row.at)
            for row in stage_rows.all()
        ]
    return domain.summarize(uses, domain.credited_uses(uses, moves))


async def stats_for(session: AsyncSession, actor: Actor) -> tuple[Team, bool, list[StatRow]]:
    """Per-script stats: the team's for managers, the person's own for reps."""
    team, member, person = actor.team, actor.member, actor.person
    assert team.id is not None
    whole_team = permissions.sees_all(member) and not team.personal
    stats = await use_stats(session, team_id=team.id, person_id=None if whole_team else person.id)
    known: dict[str, str] = {}
    for locale in LOCALES:
        for script in library_scripts(locale):
            known.setdefault(script.id, script.situation)
    team_rows = await session.exec(select(TeamScript).where(TeamScript.team_id == team.id))
    for row in team_rows.all():
        assert row.id is not None
        known[domain.team_script_id(row.id)] = row.situation
    rows = [
        StatRow(script_id, known.get(script_id, ""), value.uses, value.credited)
        for script_id, value in stats.items()
    ]
    rows.sort(
        key=lambda row: (-row.credited / row.uses if row.uses else 0, -row.uses, row.script_id)
    )
    return team, whole_team, rows


async def team_stats_map(
    session: AsyncSession, *, team_id: int, now: datetime
) -> dict[str, UseStats]:
    """The team's recent conversion per script, used to nudge proven scripts up the ranking."""
    since = now - RANKING_WINDOW
    count = (
        await session.exec(
            select(func.count())
            .select_from(ScriptUse)
            .where(ScriptUse.team_id == team_id, ScriptUse.used_at >= since)
        )
    ).one()
    if not count:
        return {}
    return await use_stats(session, team_id=team_id, person_id=None, since=since)


CREDIT_DAYS = domain.CREDIT_WINDOW // timedelta(days=1)
