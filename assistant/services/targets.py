"""/targets: a team's rate targets, grading thresholds, cadence, pipeline template, chat app
and phone region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, MonthlyGoal, Person, Team
from assistant.domain import team_targets
from assistant.domain.localtime import local_today
from assistant.render import formats
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import lock, one_at_a_time
from assistant.services.errors import UserError


@dataclass(frozen=True)
class TargetsView:
    team: Team
    values: dict[str, Any]
    change: team_targets.Change | None = None


async def show(actor: Actor) -> TargetsView:
    team, member = actor.team, actor.member
    permissions.require_manager(member)
    return TargetsView(team, team_targets.view(team.settings))


async def change(session: AsyncSession, actor: Actor, *, words: Sequence[str]) -> TargetsView:
    team, member = actor.team, actor.member
    permissions.require_manager(member)
    await lock(session, team, "created_at")  # two managers changing settings: both kept
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
        elif wanted.section == "messenger":
            team.messenger = wanted.value  # leads keep the app their own ids are on
        elif wanted.section == "region":
            team.phone_region = wanted.value  # numbers stored before are E.164 already
        else:
            team.settings = team_targets.apply_change(team.settings, wanted)
    except team_targets.TargetError as error:
        raise UserError(f"targets_{error.reason}", given=error.given) from None
    return TargetsView(team, team_targets.view(team.settings), wanted)


# --------------------------------------------------------------------------- per-member goals

GOAL_WORDS = frozenset({"goal", "goals", "目标", "月目标"})


@dataclass(frozen=True)
class MemberGoal:
    team: Team
    member: Person
    orders: int
    month: str  # YYYY-MM
    previous: int | None


async def set_member_goal(
    session: AsyncSession, actor: Actor, *, words: Sequence[str], now: datetime
) -> MemberGoal:
    """`/targets goal <member> <orders> [month]`: a manager sets a member's monthly order goal,
    stored like the member's own /goal (so /summary, /team and the digest see it)."""
    from assistant.services.analytics import parse_goal
    from assistant.services.teams import find_member, roster

    team = actor.team
    permissions.require_manager(actor.member)
    members = await roster(session, actor.team_id)
    if len(words) < 2:
        raise UserError("member_goal_usage", given=" ".join(words))
    chosen = find_member(members, words[0], me=actor.person)
    text = " ".join(words[1:])
    try:
        orders, month = parse_goal(text, local_today(now, chosen.person.timezone))
    except UserError as error:
        if error.key == "bad_goal":
            raise UserError("member_goal_usage", given=text) from None
        raise
    assert team.id is not None and chosen.person.id is not None
    await one_at_a_time(session, chosen.person)  # the member may be setting it themselves
    goal = (
        await session.exec(
            select(MonthlyGoal).where(
                MonthlyGoal.team_id == team.id,
                MonthlyGoal.person_id == chosen.person.id,
                MonthlyGoal.month == month,
            )
        )
    ).first()
    previous = goal.orders if goal is not None else None
    if goal is None:
        goal = MonthlyGoal(team_id=team.id, person_id=chosen.person.id, month=month, orders=orders)
        session.add(goal)
    goal.orders = orders
    goal.set_at = now
    await session.flush()
    return MemberGoal(team, chosen.person, orders, formats.month(month), previous)
