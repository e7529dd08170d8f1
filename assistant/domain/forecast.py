"""Weighted forecast: open leads × win probability per stage. Pure arithmetic.

Win probability per stage, first found wins:
1. the team's own setting ("forecast": {"visited": 70, ...}, percent);
2. learnt from the team's last LEARN_DAYS days: of the leads that were in the stage and have
   closed since, the share that was won — used once MIN_HISTORY such leads exist;
3. the defaults below (store 5/15/35/60%).

Which month a lead is expected to close in: leads in the later half of the open stages
(store: invited, visited; b2b: proposal, negotiation) this month, the others next month.
Expected revenue = expected orders × the team's average deal over the learning window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

LEARN_DAYS: Final = 180
MIN_HISTORY: Final = 20
DEFAULTS: Final[dict[str, dict[str, int]]] = {
    "store": {"new": 5, "valid": 15, "invited": 35, "visited": 60},
    "b2b": {"lead": 5, "qualified": 10, "needs": 20, "proposal": 40, "negotiation": 60},
}
TOP_LEADS: Final = 5


def open_stages(stage_order: Sequence[str]) -> list[str]:
    return [stage for stage in stage_order if stage not in {"won", "lost"}]


def closes_this_month(stage: str, stage_order: Sequence[str]) -> bool:
    stages = open_stages(stage_order)
    if stage not in stages:
        return False
    return stages.index(stage) >= math.ceil(len(stages) / 2)


@dataclass(frozen=True)
class StageHistory:
    closed: int  # leads that were in the stage and have closed since
    won: int  # of those, won


def probabilities(
    pipeline: str,
    stage_order: Sequence[str],
    history: Mapping[str, StageHistory],
    overrides: Mapping[str, Any] | None,
) -> dict[str, tuple[float, str]]:
    """Per open stage: (probability 0–1, where it came from: "team" | "learnt" | "default")."""
    defaults = DEFAULTS.get(pipeline, DEFAULTS["store"])
    result: dict[str, tuple[float, str]] = {}
    for stage in open_stages(stage_order):
        override = (overrides or {}).get(stage)
        seen = history.get(stage)
        if isinstance(override, int | float) and not isinstance(override, bool):
            result[stage] = (float(override) / 100, "team")
        elif seen is not None and seen.closed >= MIN_HISTORY:
            result[stage] = (seen.won / seen.closed, "learnt")
        else:
            result[stage] = (defaults.get(stage, 0) / 100, "default")
    return result


@dataclass(frozen=True)
class OpenLead:
    number: int
    name: str
    stage: str
    grade: str


@dataclass(frozen=True)
class Weighted:
    lead: OpenLead
    probability: float
    value: float


@dataclass
class MonthForecast:
    orders: float = 0.0
    revenue: float = 0.0
    leads: list[Weighted] = field(default_factory=list)


@dataclass(frozen=True)
class Forecast:
    this_month: MonthForecast
    next_month: MonthForecast
    average_deal: float


def forecast(
    leads: Sequence[OpenLead],
    stage_order: Sequence[str],
    chances: Mapping[str, tuple[float, str]],
    average_deal: float,
) -> Forecast:
    this, following = MonthForecast(), MonthForecast()
    for lead in leads:
        chance = chances.get(lead.stage)
        if chance is None:
            continue
        probability = chance[0]
        item = Weighted(lead, probability, probability * average_deal)
        month = this if closes_this_month(lead.stage, stage_order) else following
        month.orders += probability
        month.revenue += item.value
        month.leads.append(item)
    for month in (this, following):
        month.leads.sort(key=lambda w: (-w.probability, w.lead.grade, w.lead.number))
    return Forecast(this, following, average_deal)


def average_deal(amounts: Sequence[float]) -> float:
    return sum(amounts) / len(amounts) if amounts else 0.0


def goal_gap(goal: int | None, won_so_far: int, expected: float) -> float | None:
    """Orders still missing after what is won and what the open leads should bring."""
    if goal is None:
        return None
    return max(0.0, goal - won_so_far - expected)
