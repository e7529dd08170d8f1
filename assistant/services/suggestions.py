"""The script line suggested next to each lead in /today, the morning briefing and /activate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person, Team
from assistant.services.scripts import suggest_for_lead, team_scripts


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

    D leads (and every lead of an activation batch) get a light touch rather than a pitch:
    D leads a "light_touch" script, dormant C and better ones a "reactivation" script.
    """
    extra = await team_scripts(session, team_id=team.id or 0, locale=person.locale)
    lines: dict[int, str] = {}
    for lead in leads:
        situation = None
        if lead.grade == "D":
            situation = "light_touch"
        elif activation:
            situation = "reactivation"
        suggestion = suggest_for_lead(
            lead,
            locale=person.locale,
            rep_name=person.name,
            team_settings=team.settings,
            pipeline=team.pipeline,
            team_name=None if team.personal else team.name,
            now=now,
            extra_scripts=extra,
            situation=situation,
        )
        if suggestion is not None and lead.id is not None:
            lines[lead.id] = suggestion.text
    return lines
