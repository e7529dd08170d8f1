"""`/forecast [month]`: open leads × win probability per stage (rules in domain/forecast.py).

A rep sees their own open leads and goal; a manager or owner the team's (goals summed).
Probabilities are learnt from the team's leads closed in the last 180 days, per stage they
passed through, once there are enough of them; a team setting overrides (`/forecast set 到店 70`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, MonthlyGoal, Team
from assistant.domain import events, forecast, pipeline
from assistant.domain.funnel import month_bounds
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.periods import PeriodError, month_arg
from assistant.render import formats
from assistant.render.formats import money
from assistant.services import leads as svc
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import lock
from assistant.services.errors import UserError

MAX_LISTED = 5


async def stage_history(
    session: AsyncSession, team: Team, now: datetime
) -> tuple[dict[str, forecast.StageHistory], list[float]]:
    """Per stage: leads closed in the window that had been in it, and how many were won;
    and the won amounts in the window (for the average deal)."""
    since = now - timedelta(days=forecast.LEARN_DAYS)
    closes = (
        await session.exec(
            select(LeadEvent.lead_id, LeadEvent.to_value, LeadEvent.payload)
            .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
            .where(
                LeadEvent.team_id == team.id,
                LeadEvent.kind == events.STAGE,
                col(LeadEvent.to_value).in_([pipeline.WON, pipeline.LOST]),
                col(LeadEvent.at) >= since,
                col(Lead.deleted_at).is_(None),
            )
            .order_by(col(LeadEvent.at))
        )
    ).all()
    outcome: dict[int, str] = {}
    amounts: list[float] = []
    for lead_id, stage, payload in closes:
        outcome[lead_id] = str(stage)
        if stage == pipeline.WON:
            amount = (payload or {}).get("amount")
            if isinstance(amount, int | float) and amount > 0:
                amounts.append(float(amount))
    if not outcome:
        return {}, amounts
    passed: dict[int, set[str]] = {lead_id: set() for lead_id in outcome}
    rows = await session.exec(
        select(LeadEvent.lead_id, LeadEvent.from_value, LeadEvent.to_value).where(
            col(LeadEvent.lead_id).in_(list(outcome)),
            col(LeadEvent.kind).in_([events.STAGE, events.CREATED]),
        )
    )
    for lead_id, from_value, to_value in rows.all():
        passed[lead_id].update(v for v in (from_value, to_value) if v)
    history: dict[str, forecast.StageHistory] = {}
    for stage in forecast.open_stages(pipeline.stages(team.pipeline)):
        leads = [lead_id for lead_id, seen in passed.items() if stage in seen]
        won = sum(1 for lead_id in leads if outcome[lead_id] == pipeline.WON)
        history[stage] = forecast.StageHistory(closed=len(leads), won=won)
    return history, amounts


def _money(value: float) -> str:
    return money(value, whole=True)  # estimates: whole units


def _weighted_view(item: forecast.Weighted) -> dict[str, Any]:
    return {
        "number": item.lead.number,
        "name": item.lead.name,
        "stage": item.lead.stage,
        "grade": item.lead.grade,
        "pct": round(item.probability * 100),
        "value": _money(item.value),
    }


def _orders(value: float) -> str:
    """Orders to two decimals at most: 0.95, 2.4, 3."""
    return f"{round(value, 2):g}"


async def _goal_and_won(
    session: AsyncSession, scope: Actor, month: date, now: datetime
) -> tuple[int | None, int, float]:
    """The month's goal (None: none set), the leads won in it and what they brought."""
    goal_query = select(func.sum(MonthlyGoal.orders), func.count()).where(
        MonthlyGoal.team_id == scope.team_id, MonthlyGoal.month == month
    )
    if not permissions.sees_all(scope.member):
        goal_query = goal_query.where(MonthlyGoal.person_id == scope.person_id)
    total, rows = (await session.exec(goal_query)).one()
    first, last = month_bounds(month)
    start = local_day_bounds(first, scope.person.timezone)[0]
    end = local_day_bounds(last, scope.person.timezone)[1]
    won_query = (
        select(LeadEvent.lead_id, Lead.amount)
        .distinct()
        .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
        .where(
            LeadEvent.team_id == scope.team_id,
            LeadEvent.kind == events.STAGE,
            LeadEvent.to_value == pipeline.WON,
            col(LeadEvent.at) >= start,
            col(LeadEvent.at) < end,
            col(Lead.deleted_at).is_(None),
        )
    )
    if not permissions.sees_all(scope.member):
        won_query = won_query.where(LeadEvent.owner_id == scope.person_id)
    won = (await session.exec(won_query)).all()
    amount = sum(float(value or 0) for _, value in won)
    return (int(total) if rows else None), len(won), amount


async def forecast_view(
    session: AsyncSession, scope: Actor, *, text: str, now: datetime
) -> dict[str, Any]:
    person = scope.person
    words = text.split()
    if words and words[0].casefold() in {"set", "设置"}:
        return await _set(session, scope, words[1:])
    today = local_today(now, person.timezone)
    this_month = today.replace(day=1)
    next_month = month_bounds(today)[1] + timedelta(days=1)
    try:
        wanted = month_arg(text, today)
    except PeriodError:
        raise UserError("forecast_month", given=text[:40]) from None
    if wanted not in (this_month, next_month):
        raise UserError("forecast_month", given=text[:40])
    team = scope.team
    order = pipeline.stages(team.pipeline)
    history, amounts = await stage_history(session, team, now)
    overrides = (team.settings or {}).get("forecast")
    chances = forecast.probabilities(
        team.pipeline, order, history, overrides if isinstance(overrides, dict) else None
    )
    conditions: list[Any] = [
        Lead.team_id == scope.team_id,
        col(Lead.deleted_at).is_(None),
        col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
    ]
    if not permissions.sees_all(scope.member):
        conditions.append(Lead.owner_id == scope.person_id)
    else:
        conditions.append(col(Lead.owner_id).is_not(None))  # the pool is nobody's pipeline
    leads = [
        forecast.OpenLead(lead.number, lead.name, lead.stage, lead.grade)
        for lead in (await session.exec(select(Lead).where(*conditions))).all()
    ]
    average = forecast.average_deal(amounts)
    result = forecast.forecast(leads, order, chances, average)
    months = []
    for month, data in ((this_month, result.this_month), (next_month, result.next_month)):
        goal, won, won_amount = await _goal_and_won(session, scope, month, now)
        expected = won + data.orders
        months.append(
            {
                "month": formats.month(month),
                "chosen": month == wanted,
                "won": won,
                "orders": _orders(data.orders),
                "expected": _orders(expected),
                "revenue": _money(won_amount + data.revenue),  # what is won counts in full
                "won_revenue": _money(won_amount),
                "open_revenue": _money(data.revenue),
                "goal": goal,
                "gap": None
                if goal is None
                else _orders(forecast.goal_gap(goal, won, data.orders) or 0.0),
                "leads": [_weighted_view(w) for w in data.leads[:MAX_LISTED]],
            }
        )
    return {
        "team": permissions.sees_all(scope.member),
        "months": months,
        "average": _money(average),
        "chances": [
            {"stage": stage, "pct": round(p * 100), "source": source}
            for stage, (p, source) in chances.items()
        ],
    }


async def _set(session: AsyncSession, scope: Actor, words: list[str]) -> dict[str, Any]:
    permissions.require_manager(scope.member)
    if len(words) != 2:
        raise UserError("forecast_set_usage")
    stage = svc.find_stage(scope.team.pipeline, words[0])
    value = words[1].rstrip("%％")
    if stage is None or pipeline.is_closed(stage) or not value.isdecimal() or int(value) > 100:
        raise UserError("forecast_set_usage", given=" ".join(words)[:40])
    await lock(session, scope.team, "created_at")  # another manager's change is kept too
    stored = dict((scope.team.settings or {}).get("forecast") or {})
    stored[stage] = int(value)
    scope.team.settings = {**(scope.team.settings or {}), "forecast": stored}
    return {"saved": {"stage": stage, "pct": int(value)}}
