"""The manager digest (PRODUCT.md 5.2) and milestone alerts (3.4), registered as push kinds.

- `digest`: daily at Person.digest_at (default 09:30, local) on the manager's working days, for
  each non-personal team they own or manage that has other members: the team table for the
  days since the previous working day, escalations (overdue follow-ups, leads 3+ days overdue),
  members more than 20% behind pace with 5 working days left.
- `milestone`: as soon as a member's deals reach 50 / 90 / 100% of their monthly goal, once per
  manager, member, month and milestone (the outbox dedupe key), outside quiet hours.
Both stop with `/digest off`. No client name, phone or WeChat id is shown: leads by number.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Membership, MonthlyGoal, Outbox, Person, Team
from assistant.domain import escalation, funnel
from assistant.domain.localtime import local_today
from assistant.domain.periods import Period
from assistant.domain.pipeline import LOST, WON
from assistant.domain.quiet_hours import is_work_day, next_allowed
from assistant.render import formats
from assistant.scheduling.outbox import existing_keys
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.services import analytics, permissions, team_view
from assistant.services.actor import Actor
from assistant.services.people import change_setting
from assistant.services.pushes import daily_draft, quiet_of
from assistant.services.teams import membership

DIGEST = "digest"
MILESTONE = "milestone"
ESCALATIONS_SHOWN = 10


# --------------------------------------------------------------------------- who gets it


async def _team_sizes(session: AsyncSession) -> dict[int, int]:
    rows = await session.exec(
        select(Membership.team_id, func.count())
        .where(col(Membership.active))
        .group_by(col(Membership.team_id))
    )
    return {int(team_id): int(count) for team_id, count in rows.all()}


async def managed_teams(
    session: AsyncSession, *, person_id: int | None = None
) -> list[tuple[Person, Team]]:
    """(manager, team) for every non-personal team with other members that a reachable person
    with the digest on owns or manages (or only this person's, with `person_id`)."""
    query = (
        select(Person, Team)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .join(Team, col(Team.id) == col(Membership.team_id))
        .where(
            col(Membership.active),
            col(Membership.role).in_(permissions.MANAGING),
            col(Team.personal).is_(False),
        )
    )
    if person_id is not None:
        query = query.where(col(Person.id) == person_id)
    else:
        query = query.where(
            col(Person.chat_id).is_not(None), col(Person.reachable), col(Person.digest_on)
        )
    rows = (await session.exec(query.order_by(col(Person.id), col(Team.id)))).all()
    if not rows:
        return []
    sizes = await _team_sizes(session)
    return [(person, team) for person, team in rows if sizes.get(team.id or 0, 0) > 1]


async def _still_manages(session: AsyncSession, person: Person, team_id: int) -> Team | None:
    team = await session.get(Team, team_id)
    if team is None or team.personal or not person.reachable or not person.digest_on:
        return None
    allowed = await permissions.may_receive_push(session, person=person, team_id=team_id)
    return team if allowed else None


# --------------------------------------------------------------------------- /digest


async def digest_settings(session: AsyncSession, actor: Actor, *, value: str) -> dict[str, Any]:
    """`/digest` shows the setting; `/digest on|off|HH:MM` changes it."""
    person = actor.person
    if value.strip():
        change_setting(person, "digest", value)
    teams = await managed_teams(session, person_id=person.id)
    return {
        "on": person.digest_on,
        "at": person.digest_at,
        "changed": bool(value.strip()),
        "teams": [team.name for _, team in teams],
    }


# --------------------------------------------------------------------------- the digest


def digest_period(day: date, work_days: str) -> Period:
    """From the previous working day to yesterday: Tuesday's digest covers Monday, Monday's
    covers Friday to Sunday (work done at the weekend is not lost)."""
    yesterday = day - timedelta(days=1)
    start = yesterday
    for back in range(1, 8):
        candidate = day - timedelta(days=back)
        if is_work_day(candidate, work_days):
            start = candidate
            break
    if start == yesterday:
        return Period("yesterday", yesterday, yesterday)
    return Period("range", start, yesterday)


async def plan_digest(ctx: PlanContext) -> list[PushDraft]:
    drafts = []
    for person, team in await managed_teams(ctx.session):
        draft = daily_draft(DIGEST, person, person.digest_at, ctx.now)
        if draft is None:
            continue
        day = draft.payload["day"]
        drafts.append(
            replace(
                draft,
                dedupe_key=f"{DIGEST}:{person.id}:{team.id}:{day}",
                team_id=team.id,
                payload={"day": day, "team": team.id},
            )
        )
    return drafts


async def long_overdue(
    session: AsyncSession, *, team_id: int, now: datetime
) -> tuple[int, list[Lead]]:
    """Open leads 3 or more days past their follow-up (oldest first, the first few)."""
    scope = (
        Lead.team_id == team_id,
        col(Lead.deleted_at).is_(None),
        col(Lead.stage).not_in([WON, LOST]),
        col(Lead.next_followup_at).is_not(None),
        col(Lead.next_followup_at) <= now - team_view.LONG_OVERDUE,
    )
    total = (await session.exec(select(func.count()).select_from(Lead).where(*scope))).one()
    leads = await session.exec(
        select(Lead)
        .where(*scope)
        .order_by(col(Lead.next_followup_at), col(Lead.number))
        .limit(ESCALATIONS_SHOWN)
    )
    return int(total), list(leads.all())


async def digest_view(
    session: AsyncSession, *, person: Person, team: Team, day: date, now: datetime
) -> dict[str, Any]:
    assert team.id is not None
    members = await team_view.members_of(session, team.id)
    period = digest_period(day, person.work_days)
    table = await team_view.table_for(
        session, team=team, members=members, period=period, now=now, sort="deals"
    )
    view = team_view.table_view(table)
    names = {member.person.id: member.person.name for member in members}
    total, leads = await long_overdue(session, team_id=team.id, now=now)
    escalations = [
        {
            "number": lead.number,
            "grade": lead.grade,
            "owner": names.get(lead.owner_id) if lead.owner_id is not None else None,
            "days": escalation.days_overdue(lead.next_followup_at or now, now),
        }
        for lead in leads
    ]
    behind = [
        {"name": row.member.person.name, **(team_view.pace_line(row.pace) or {})}
        for row in table.rows
        if row.pace is not None and funnel.behind_pace_alert(row.pace)
    ]
    return {
        **view,
        "day": formats.day(day),
        "overdue_total": view["totals"]["overdue"],
        "long_total": total,
        "escalations": escalations,
        "more": max(0, total - len(escalations)),
        "behind": behind,
    }


async def render_digest(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    person = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if person is None:
        return None
    team = await _still_manages(ctx.session, person, int(row.payload.get("team", 0)))
    if team is None or team.id is None:
        return None
    members = await team_view.members_of(ctx.session, team.id)
    if len(members) < 2:
        return None
    day = date.fromisoformat(str(row.payload.get("day")))
    view = await digest_view(ctx.session, person=person, team=team, day=day, now=ctx.now)
    return PushMessage("pushes/digest", view, person.locale)


# --------------------------------------------------------------------------- milestones


async def plan_milestones(ctx: PlanContext) -> list[PushDraft]:
    """A push per milestone newly reached by a member; when several are reached at once only
    the highest is said (the others are stored as skipped, so they never come later)."""
    recent = (ctx.now - timedelta(days=32)).date().replace(day=1)
    with_goals = set(
        (
            await ctx.session.exec(
                select(MonthlyGoal.team_id).where(col(MonthlyGoal.month) >= recent).distinct()
            )
        ).all()
    )
    if not with_goals:
        return []
    pairs = [pair for pair in await managed_teams(ctx.session) if pair[1].id in with_goals]
    if not pairs:
        return []
    wanted: list[tuple[str, Person, Team, Person, int, funnel.Pace, str]] = []
    cache: dict[int, tuple[list[Person], dict[int, funnel.Pace]]] = {}
    for manager, team in pairs:
        assert team.id is not None
        if team.id not in cache:
            people = [member.person for member in await team_view.members_of(ctx.session, team.id)]
            paces = await analytics.paces_for(ctx.session, team=team, people=people, now=ctx.now)
            cache[team.id] = (people, paces)
        people, paces = cache[team.id]
        for member in people:
            pace = paces.get(member.id or 0)
            if pace is None or member.id == manager.id:
                continue
            month = local_today(ctx.now, member.timezone).strftime("%Y-%m")
            for milestone in funnel.milestones_crossed(pace.target, 0, pace.done):
                key = f"{MILESTONE}:{manager.id}:{team.id}:{member.id}:{month}:{milestone}"
                wanted.append((key, manager, team, member, milestone, pace, month))
    if not wanted:
        return []
    existing = await existing_keys(ctx.session, [item[0] for item in wanted])
    fresh = [item for item in wanted if item[0] not in existing]
    highest: dict[tuple[int, int, int], int] = {}
    for _, manager, team, member, milestone, _, _ in fresh:
        pair = (manager.id or 0, team.id or 0, member.id or 0)
        highest[pair] = max(highest.get(pair, 0), milestone)
    drafts = []
    for key, manager, team, member, milestone, pace, month in fresh:
        assert manager.chat_id is not None
        pair = (manager.id or 0, team.id or 0, member.id or 0)
        due = next_allowed(ctx.now, manager.timezone, quiet_of(manager), manager.work_days)
        drafts.append(
            PushDraft(
                kind=MILESTONE,
                dedupe_key=key,
                chat_id=manager.chat_id,
                due_at=due,
                person_id=manager.id,
                team_id=team.id,
                payload={
                    "team": team.id,
                    "member": member.id,
                    "milestone": milestone,
                    "done": pace.done,
                    "target": pace.target,
                    "month": month,
                    "superseded": milestone < highest[pair],
                },
            )
        )
    return drafts


async def render_milestone(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    if row.payload.get("superseded"):
        return None
    manager = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if manager is None:
        return None
    team = await _still_manages(ctx.session, manager, int(row.payload.get("team", 0)))
    member_id = int(row.payload.get("member", 0))
    if team is None or team.id is None:
        return None
    member = await membership(ctx.session, team_id=team.id, person_id=member_id)
    person = await ctx.session.get(Person, member_id)
    if member is None or not member.active or person is None:
        return None
    context = {
        "team": team.name,
        "name": person.name,
        "milestone": int(row.payload.get("milestone", 0)),
        "done": int(row.payload.get("done", 0)),
        "target": int(row.payload.get("target", 0)),
        "month": str(row.payload.get("month", "")),
    }
    return PushMessage("pushes/milestone", context, manager.locale)


register_push_kind(DIGEST, plan=plan_digest, render=render_digest)
register_push_kind(MILESTONE, plan=plan_milestones, render=render_milestone)
