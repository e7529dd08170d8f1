"""`/sources [period]`: which channel pays, and `/numbers <source> 花费 500` to cost a channel.

A cohort view: the leads created in the period (a rep's own, or for managers the team's),
grouped by source, and what has become of them since: reached valid (b2b: qualified),
reached a visit (b2b: proposal), won, revenue, and cost per won lead when costs for the
source were entered for days in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, SourceCost
from assistant.domain import events, funnel, pipeline
from assistant.domain.localtime import local_today
from assistant.domain.periods import Period, PeriodError, parse_period
from assistant.domain.sources import source_key
from assistant.render import formats
from assistant.render.formats import money
from assistant.services import analytics, permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import one_at_a_time
from assistant.services.errors import UserError

MILESTONES: Final = {"store": ("valid", "visited"), "b2b": ("qualified", "proposal")}
SOURCE_LIMIT: Final = 64


@dataclass
class SourceRow:
    source: str
    leads: int = 0
    valid: int = 0
    visited: int = 0
    won: int = 0
    revenue: float = 0.0
    cost: float | None = None

    @property
    def valid_rate(self) -> float | None:
        return self.valid / self.leads if self.leads else None

    @property
    def visit_rate(self) -> float | None:
        return self.visited / self.leads if self.leads else None

    @property
    def cost_per_won(self) -> float | None:
        return self.cost / self.won if self.cost is not None and self.won else None


async def source_rows(session: AsyncSession, scope: Actor, period: Period) -> list[SourceRow]:
    start, end = analytics.utc_bounds(period, scope.person.timezone)
    conditions: list[Any] = [
        Lead.team_id == scope.team_id,
        col(Lead.deleted_at).is_(None),
        col(Lead.created_at) >= start,
        col(Lead.created_at) < end,
    ]
    if not permissions.sees_all(scope.member):
        conditions.append(Lead.owner_id == scope.person_id)
    leads = list((await session.exec(select(Lead).where(*conditions))).all())
    order = pipeline.stages(scope.team.pipeline)
    valid_stage, visit_stage = MILESTONES.get(scope.team.pipeline, MILESTONES["store"])
    reached: dict[int, int] = {lead.id or 0: pipeline.stage_index(scope.team.pipeline, lead.stage)
                               for lead in leads if lead.stage != pipeline.LOST}  # fmt: skip
    if leads:
        stage_rows = await session.exec(
            select(LeadEvent.lead_id, LeadEvent.to_value, LeadEvent.from_value).where(
                LeadEvent.kind == events.STAGE,
                col(LeadEvent.lead_id).in_([lead.id for lead in leads]),
            )
        )
        for lead_id, to_value, from_value in stage_rows.all():
            for stage in (to_value, from_value):
                if stage in order:
                    reached[lead_id] = max(reached.get(lead_id, 0), order.index(stage))
    rows: dict[str, SourceRow] = {}
    for lead in leads:
        key = source_key(lead.source) or ""
        row = rows.setdefault(key, SourceRow(key))
        row.leads += 1
        furthest = reached.get(lead.id or 0, -1)
        row.valid += furthest >= order.index(valid_stage)
        row.visited += furthest >= order.index(visit_stage)
        if lead.stage == pipeline.WON:
            row.won += 1
            row.revenue += lead.amount or 0.0
    cost_conditions: list[Any] = [
        SourceCost.team_id == scope.team_id,
        col(SourceCost.day) >= period.start,
        col(SourceCost.day) <= period.end,
    ]
    if not permissions.sees_all(scope.member):
        cost_conditions.append(SourceCost.person_id == scope.person_id)
    costs = await session.exec(
        select(SourceCost.source, func.sum(SourceCost.cost))
        .where(*cost_conditions)
        .group_by(col(SourceCost.source))
    )
    for source, total in costs.all():
        key = source_key(source) or ""
        row = rows.setdefault(key, SourceRow(key))
        row.cost = (row.cost or 0.0) + float(total or 0)
    return sorted(rows.values(), key=lambda r: (-r.won, -r.leads, r.source == "", r.source))


def _pct(value: float | None) -> str:
    return funnel.format_percent(None if value is None else value * 100)


def _money(value: float | None) -> str:
    return "" if value is None else money(value)


async def sources_view(
    session: AsyncSession, scope: Actor, *, text: str, now: datetime
) -> dict[str, Any]:
    person = scope.person
    today = local_today(now, person.timezone)
    try:
        period = parse_period(text or "month", today)
    except PeriodError:
        raise UserError("bad_period", given=text, command="/sources") from None
    rows = await source_rows(session, scope, period)
    return {
        "period": analytics.period_view(period),
        "team": permissions.sees_all(scope.member),
        "rows": [
            {
                "source": row.source,
                "leads": row.leads,
                "valid_rate": _pct(row.valid_rate),
                "visit_rate": _pct(row.visit_rate),
                "won": row.won,
                "revenue": _money(row.revenue) if row.revenue else "",
                "cost": _money(row.cost),
                "cost_per_won": _money(row.cost_per_won),
            }
            for row in rows
        ],
    }


async def record_source_cost(
    session: AsyncSession, scope: Actor, *, text: str, now: datetime
) -> dict[str, Any] | None:
    """`/numbers 抖音 花费 500 [day]`: the cost of one source; None when the text is not that."""
    person = scope.person
    try:
        entry = funnel.parse_numbers(text)
    except funnel.NumbersError:
        return None
    if set(entry.values) != {"cost"} or not entry.rest:
        return None
    today = local_today(now, person.timezone)
    try:
        analytics.numbers_day(entry.rest, today)
        return None  # a plain day's cost, not a source
    except PeriodError:
        pass
    first, _, rest = entry.rest.partition(" ")
    try:
        day = analytics.numbers_day(rest, today)
    except PeriodError:
        raise UserError("bad_numbers", given=text) from None
    if day > today:
        raise UserError("numbers_future", day=formats.day(day))
    source = (source_key(first) or first)[:SOURCE_LIMIT]
    await one_at_a_time(session, person)
    row = (
        await session.exec(
            select(SourceCost).where(
                SourceCost.team_id == scope.team_id,
                SourceCost.person_id == scope.person_id,
                SourceCost.day == day,
                SourceCost.source == source,
            )
        )
    ).first()
    old = row.cost if row is not None else None
    if row is None:
        row = SourceCost(team_id=scope.team_id, person_id=scope.person_id, day=day,
                         source=source, cost=0.0)  # fmt: skip
        session.add(row)
    row.cost = float(entry.values["cost"])
    row.updated_at = now
    await session.flush()
    return {"source": source, "day": formats.day(day), "cost": _money(row.cost),
            "old": _money(old) if old is not None and old != row.cost else ""}  # fmt: skip


@dataclass(frozen=True)
class NumbersEntry:
    """What /numbers did: "shown" today's figures, saved one source's "cost", or "saved" a
    day's figures; `view` is what the reply shows."""

    kind: str
    view: dict[str, Any]


async def numbers_command(
    session: AsyncSession, actor: Actor, *, text: str, now: datetime
) -> NumbersEntry:
    """`/numbers` shows today's figures; `/numbers 抖音 花费 500 [day]` is one source's cost;
    anything else is a day's figures (analytics.record_numbers)."""
    if not text:
        return NumbersEntry("shown", await analytics.numbers_today(session, actor, now=now))
    costed = await record_source_cost(session, actor, text=text, now=now)
    if costed is not None:
        return NumbersEntry("cost", costed)
    return NumbersEntry("saved", await analytics.record_numbers(session, actor, text=text, now=now))
