"""/targets: a team's rate targets, grading thresholds, cadence and pipeline template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person, Team
from assistant.domain import team_targets
from assistant.services import permissions
from assistant.services.errors import UserError
from assistant.services.teams import active_team


@dataclass(frozen=True)
class TargetsView:
    team: Team
    values: dict[str, Any]
    change: team_targets.Change | None = None


async def show(session: AsyncSession, *, person: Person) -> TargetsView:
    team, member = await active_team(session, person)
    permissions.require_manager(member)
    return TargetsView(team, team_targets.view(team.settings))


async def change(session: AsyncSession, *, person: Person, words: Sequence[str]) -> TargetsView:
    team, member = await active_team(session, person)
    permissions.require_manager(member)
    try:
        wanted = team_targets.parse_change(words)
        if wanted.section == "pipeline":
            if wanted.value != team.pipeline:
                leads = (
                    await session.exec(
                        select(func.count()).select_from(Lead).where(Lead.team_id == team.id)
                    )
                ).one()
                if leads:
                    raise UserError("targets_pipeline_has_leads", count=leads)
                team.pipeline = wanted.value
        else:
            team.settings = team_targets.apply_change(team.settings, wanted)
    except team_targets.TargetError as error:
        raise UserError(f"targets_{error.reason}", given=error.given) from None
    return TargetsView(team, team_targets.view(team.settings), wanted)
