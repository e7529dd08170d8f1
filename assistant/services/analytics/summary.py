"""/summary: the funnel of a period with its diagnosis, and the rows of its chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Team
from assistant.domain import funnel
from assistant.domain.funnel import (
    Marketing,
    PeriodCounts,
    format_number,
)
from assistant.domain.periods import Period
from assistant.domain.pipeline import stages
from assistant.domain.team_settings import effective
from assistant.render.formats import money
from assistant.services.actor import Actor
from assistant.services.analytics.queries import marketing_between, period_counts, utc_bounds
from assistant.services.analytics.views import (
    _checks_view,
    _marketing_view,
    _pct,
    _rule_view,
    _stages_view,
    pace_for,
    period_view,
)

# --------------------------------------------------------------------------- /summary


def _diagnosis_view(found: funnel.Diagnosis, checks: list[funnel.RateCheck]) -> dict[str, Any]:
    gap = next((c.gap for c in checks if c.key == found.subject), None)
    return {
        "reason": found.reason,
        "subject": found.subject,
        "gap": format_number(None if gap is None else round(abs(gap), 1)),
        **(_rule_view(found.rule) or {}),
    }


@dataclass(frozen=True)
class Funnel:
    """A computed period, for the summary text and the chart alike."""

    team: Team
    period: Period
    counts: PeriodCounts
    checks: list[funnel.RateCheck]
    targets: dict[str, Any]
    marketing: Marketing


async def compute(session: AsyncSession, actor: Actor, *, period: Period) -> Funnel:
    """The actor's own funnel in their team over a local period."""
    team, person = actor.team, actor.person
    assert team.id is not None and person.id is not None
    start, end = utc_bounds(period, person.timezone)
    counts = await period_counts(
        session, team=team, person_id=person.id, start=start, end=end,
        days=(period.start, period.end),
    )  # fmt: skip
    targets = effective(team.settings)["targets"]
    marketing = await marketing_between(
        session, team_id=team.id, person_id=person.id, first=period.start, last=period.end
    )
    return Funnel(team, period, counts, funnel.rate_checks(counts, targets), targets, marketing)


async def summary(
    session: AsyncSession, actor: Actor, *, period: Period, now: datetime
) -> dict[str, Any]:
    """The /summary view model for the actor's own numbers in a local period (a manager
    drilling down from /team passes the member as the actor, in the manager's team)."""
    data = await compute(session, actor, period=period)
    counts = data.counts
    order = stages(counts.pipeline)
    all_steps = funnel.steps(order, counts.stage_counts())
    drop = funnel.biggest_drop(all_steps)
    found = funnel.diagnose(data.checks, drop, data.marketing)
    return {
        "period": period_view(period),
        "team": data.team.name,
        "pipeline": counts.pipeline,
        "messenger": data.team.messenger,
        "counts": {
            "new": counts.created,
            "contacted": counts.contacted,
            "contacts": counts.contacts,
            "phone": counts.phone,
            "wechat": counts.wechat,
            **{stage: counts.reached.get(stage, 0) for stage in order[1:]},
            "lost": counts.lost,
        },
        "revenue": money(counts.revenue),
        "has_revenue": counts.revenue > 0,
        "empty": counts.created == 0
        and counts.contacts == 0
        and not any(counts.reached.values())
        and counts.lost == 0
        and counts.phone == 0
        and counts.wechat == 0,
        "stages": _stages_view(counts, data.targets),
        "checks": _checks_view(data.checks),
        "drop": None
        if drop is None
        else {
            "source": drop.source,
            "target": drop.target,
            "loss": drop.loss,
            "loss_rate": _pct(drop.loss_rate),
        },
        "diagnosis": None if found is None else _diagnosis_view(found, data.checks),
        "lost_reasons": [{"reason": r, "count": n} for r, n in counts.lost_reasons],
        "marketing": _marketing_view(data.marketing),
        "pace": await pace_for(session, team=data.team, person=actor.person, now=now),
    }


# --------------------------------------------------------------------------- chart data


def chart_rows(data: Funnel) -> list[dict[str, Any]]:
    """Per stage: count, conversion from the previous stage, and the count a target expects."""
    order = stages(data.counts.pipeline)
    per_stage = data.counts.stage_counts()
    target_for = {"valid": ("new", "valid_rate"), "visited": ("valid", "valid_to_visit")}
    target_for["won"] = ("visited", "visit_deal")
    rows = []
    previous: str | None = None
    for stage in order:
        rate = None if previous is None else funnel.percent(per_stage[stage], per_stage[previous])
        expected = None
        if data.counts.pipeline == "store" and stage in target_for:
            base, key = target_for[stage]
            if per_stage[base]:
                expected = per_stage[base] * float(data.targets.get(key, 0)) / 100
        rows.append({"stage": stage, "count": per_stage[stage], "rate": rate, "expected": expected})
        previous = stage
    return rows
