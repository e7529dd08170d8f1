"""View models: plain, JSON-friendly dicts the templates render (stages, rate checks,
marketing, pace)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, MonthlyGoal, Person, Team
from assistant.domain import events as ev
from assistant.domain import funnel
from assistant.domain.funnel import (
    Marketing,
    PeriodCounts,
    format_number,
    format_percent,
)
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.periods import Period
from assistant.domain.pipeline import WON, stages
from assistant.render import formats
from assistant.services.analytics.queries import BAR_WIDTH, _goal_orders, _won_between

# --------------------------------------------------------------------------- view models


def _pct(value: float | None) -> str:
    return format_percent(value)


def period_view(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "start": formats.day(period.start),
        "end": formats.day(period.end),
        "single": period.start == period.end,
    }


def _stages_view(counts: PeriodCounts, targets: dict[str, Any]) -> list[dict[str, Any]]:
    order = stages(counts.pipeline)
    per_stage = counts.stage_counts()
    biggest = max(per_stage.values(), default=0)
    steps = {step.target: step for step in funnel.steps(order, per_stage)}
    rows = []
    for stage in order:
        step = steps.get(stage)
        rows.append(
            {
                "stage": stage,
                "count": per_stage[stage],
                "bar": funnel.text_bar(per_stage[stage], biggest, BAR_WIDTH).ljust(BAR_WIDTH),
                "padded": str(per_stage[stage]).rjust(len(str(biggest))),
                "rate": _pct(step.rate) if step else "",
                "days": format_number(counts.stage_days.get(stage)),
                "has_days": stage in counts.stage_days,
            }
        )
    return rows


def _checks_view(checks: list[funnel.RateCheck]) -> list[dict[str, Any]]:
    return [
        {
            "key": check.key,
            "value": _pct(check.value),
            "target": format_number(check.target),
            "status": check.status,
            "numerator": check.numerator,
            "denominator": check.denominator,
            "gap": format_number(abs(check.gap) if check.gap is not None else None),
        }
        for check in checks
    ]


def _rule_view(rule: funnel.Rule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"key": rule.key, "causes": list(rule.causes), "action": rule.action}


def _marketing_view(marketing: Marketing) -> dict[str, Any] | None:
    if marketing.empty:
        return None
    layers = [
        {"key": name, "count": format_number(marketing.layer(name))} for name in funnel.LAYERS
    ]
    rates = [{"key": rate.key, "value": _pct(rate.value)} for rate in funnel.layer_rates(marketing)]
    loss = funnel.click_visit_loss(marketing)
    return {
        "layers": layers,
        "rates": rates,
        "click_visit_loss": _pct(loss),
        "flagged": funnel.click_visit_flagged(marketing),
        "cost": format_number(marketing.cost, 2) if marketing.cost is not None else None,
        "cost_per_click": format_number(funnel.cost_per(marketing, "clicks"), 2),
        "cost_per_order": format_number(funnel.cost_per(marketing, "orders"), 2),
    }


def pace_view(current: funnel.Pace) -> dict[str, Any]:
    return {
        "target": current.target,
        "done": current.done,
        "expected": format_number(round(current.expected, 1)),
        "left": current.left,
        "remaining_days": current.remaining_days,
        "per_day": format_number(
            None if current.per_day_needed is None else round(current.per_day_needed, 1)
        ),
        "behind": current.done < current.expected,
        "progress": _pct(current.progress),
    }


async def pace_for(
    session: AsyncSession, *, team: Team, person: Person, now: datetime
) -> dict[str, Any] | None:
    assert team.id is not None and person.id is not None
    today = local_today(now, person.timezone)
    first, last = funnel.month_bounds(today)
    orders = await _goal_orders(session, team_id=team.id, person_id=person.id, month=first)
    if orders is None:
        return None
    start = local_day_bounds(first, person.timezone)[0]
    end = local_day_bounds(last, person.timezone)[1]
    done = await _won_between(session, team_id=team.id, person_id=person.id, start=start, end=end)
    current = funnel.pace(orders, done, today=today, work_days=person.work_days)
    return {"month": formats.month(first), **pace_view(current)}


async def won_by_owner(
    session: AsyncSession, *, team_id: int, person_ids: list[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Leads won between two instants, per owner, in one grouped query."""
    if not person_ids:
        return {}
    connection = await session.connection()
    bound = {"team_id": team_id, "owners": person_ids, "start": start, "end": end}
    result = await connection.execute(_won_by_owner_statement(), bound)
    return {int(owner or 0): int(count) for owner, count in result.all()}


# The statements of paces_for, built once with bound parameters: an ORM select built and
# cache-keyed on every call cost more than running it (2 of /team's 3 ms for the goals).


@cache
def _won_by_owner_statement() -> Any:
    owner = col(LeadEvent.owner_id)
    return (
        sa_select(owner, func.count(func.distinct(col(LeadEvent.lead_id))))
        .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
        .where(
            col(LeadEvent.team_id) == bindparam("team_id"),
            owner.in_(bindparam("owners", expanding=True)),
            col(LeadEvent.kind) == ev.STAGE,
            col(LeadEvent.to_value) == WON,
            col(LeadEvent.at) >= bindparam("start"),
            col(LeadEvent.at) < bindparam("end"),
            col(Lead.deleted_at).is_(None),
        )
        .group_by(owner)
    )


@cache
def _goals_statement() -> Any:
    goals: Any = MonthlyGoal.__table__  # type: ignore[attr-defined]
    return sa_select(goals.c.person_id, goals.c.orders).where(
        goals.c.team_id == bindparam("team_id"),
        goals.c.person_id.in_(bindparam("owners", expanding=True)),
        goals.c.month == bindparam("month"),
    )


async def paces_for(
    session: AsyncSession, *, team: Team, people: list[Person], now: datetime
) -> dict[int, funnel.Pace]:
    """`pace_for` for many members at once: each member's monthly goal against the deals won
    so far this month, in their own calendar. Members without a goal are left out."""
    assert team.id is not None
    by_zone: dict[str, list[Person]] = {}
    for person in people:
        by_zone.setdefault(person.timezone, []).append(person)
    paces: dict[int, funnel.Pace] = {}
    for zone, group in by_zone.items():
        today = local_today(now, zone)
        first, last = funnel.month_bounds(today)
        ids = [person.id for person in group if person.id is not None]
        bound = {"team_id": team.id, "owners": ids, "month": first}
        found = await (await session.connection()).execute(_goals_statement(), bound)
        goals = {int(person_id): int(orders) for person_id, orders in found.all()}
        if not goals:
            continue
        won = await won_by_owner(
            session,
            team_id=team.id,
            person_ids=sorted(goals),
            start=local_day_bounds(first, zone)[0],
            end=local_day_bounds(last, zone)[1],
        )
        for person in group:
            if person.id in goals:
                paces[person.id] = funnel.pace(
                    goals[person.id], won.get(person.id, 0), today=today, work_days=person.work_days
                )
    return paces
