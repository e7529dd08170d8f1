"""/today (the daily plan) and /activate (activation batches)."""

from __future__ import annotations

from assistant.services import today
from assistant.services.teams import active_team
from assistant.tg.common import Reply, Request
from assistant.tg.registry import CommandSpec, Feature


async def today_command(request: Request) -> Reply:
    team, _ = await active_team(request.session, request.person)
    plan = await today.plan_for(request.session, person=request.person, team=team, now=request.now)
    return Reply("work/today", {"plan": plan, "rep": request.person.name})


FEATURE = Feature(
    commands=[
        CommandSpec("today", "work", today_command),
    ],
)
