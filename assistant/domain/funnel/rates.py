"""Stage conversion, rates against targets, and the five-layer marketing funnel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from assistant.domain.funnel.counts import PeriodCounts, percent

# --------------------------------------------------------------------------- stage conversion


@dataclass(frozen=True)
class Step:
    """From one stage to the next: conversion = next ÷ current × 100."""

    source: str
    target: str
    source_count: int
    target_count: int

    @property
    def rate(self) -> float | None:
        return percent(self.target_count, self.source_count)

    @property
    def loss(self) -> int:
        return max(self.source_count - self.target_count, 0)

    @property
    def loss_rate(self) -> float | None:
        return percent(self.loss, self.source_count)


def steps(order: Sequence[str], counts: Mapping[str, int]) -> list[Step]:
    return [
        Step(first, second, counts.get(first, 0), counts.get(second, 0))
        for first, second in pairwise(order)
    ]


def biggest_drop(all_steps: Sequence[Step]) -> Step | None:
    """The step that loses the most leads (the earliest one on a tie), or None if none loses."""
    best: Step | None = None
    for step in all_steps:
        if step.loss > 0 and (best is None or step.loss > best.loss):
            best = step
    return best


# --------------------------------------------------------------------------- rates vs targets

# rate key -> (numerator, denominator) as names understood by PeriodCounts.count
RATE_FORMULAS: Final[dict[str, tuple[str, str]]] = {
    "valid_rate": ("valid", "new"),
    "phone_rate": ("phone", "new"),
    "wechat_rate": ("wechat", "new"),
    "valid_to_visit": ("visited", "valid"),
    "visit_deal": ("won", "visited"),
    "a_conversion": ("a_won", "a_closed"),
}
PIPELINE_RATES: Final[dict[str, tuple[str, ...]]] = {
    "store": (
        "valid_rate",
        "phone_rate",
        "wechat_rate",
        "valid_to_visit",
        "visit_deal",
        "a_conversion",
    ),
    "b2b": ("a_conversion",),
}


@dataclass(frozen=True)
class RateCheck:
    key: str
    numerator: int
    denominator: int
    target: float

    @property
    def value(self) -> float | None:
        return percent(self.numerator, self.denominator)

    @property
    def status(self) -> str:
        """'above' (target met), 'below', or 'none' when there is nothing to measure."""
        if self.value is None:
            return "none"
        return "above" if self.value >= self.target else "below"

    @property
    def gap(self) -> float | None:
        """Percentage points above (+) or below (-) the target."""
        return None if self.value is None else self.value - self.target


def rate_checks(counts: PeriodCounts, targets: Mapping[str, Any]) -> list[RateCheck]:
    """The rate table of PRODUCT.md 3.1 for the counts' pipeline, against team targets."""
    checks = []
    for key in PIPELINE_RATES.get(counts.pipeline, PIPELINE_RATES["store"]):
        top, bottom = RATE_FORMULAS[key]
        numerator = counts.count(top)
        denominator = counts.a_won + counts.a_lost if bottom == "a_closed" else counts.count(bottom)
        checks.append(RateCheck(key, numerator, denominator, float(targets.get(key, 0))))
    return checks


def weakest(checks: Sequence[RateCheck]) -> RateCheck | None:
    """The rate furthest below its target in percentage points (None if all are met)."""
    below = [check for check in checks if check.status == "below"]
    if not below:
        return None
    return min(below, key=lambda check: check.gap or 0.0)


def lowest_against_target(checks: Sequence[RateCheck]) -> RateCheck | None:
    """The measured rate with the smallest value-to-target ratio, met or not."""
    measured = [c for c in checks if c.value is not None and c.target > 0]
    if not measured:
        return None
    return min(measured, key=lambda c: (c.value or 0.0) / c.target)


# --------------------------------------------------------------------------- five-layer funnel

LAYERS: Final = ("impressions", "clicks", "visits", "consultations", "orders")
LAYER_RATES: Final = (
    ("ctr", "impressions", "clicks"),
    ("visit_rate", "clicks", "visits"),
    ("consult_rate", "visits", "consultations"),
    ("order_rate", "consultations", "orders"),
)
NORMAL_CLICK_VISIT_LOSS: Final = 30.0  # percent; a normal loss is 20-30%


@dataclass(frozen=True)
class Marketing:
    """Top-of-funnel figures for a period; None where nothing was recorded."""

    impressions: int | None = None
    clicks: int | None = None
    visits: int | None = None
    consultations: int | None = None
    orders: int | None = None
    cost: float | None = None

    def layer(self, name: str) -> int | None:
        value: int | None = getattr(self, name)
        return value

    @property
    def empty(self) -> bool:
        return all(self.layer(name) is None for name in LAYERS) and self.cost is None


@dataclass(frozen=True)
class LayerRate:
    key: str
    numerator: int | None
    denominator: int | None

    @property
    def value(self) -> float | None:
        if self.numerator is None or self.denominator is None:
            return None
        return percent(self.numerator, self.denominator)


def layer_rates(marketing: Marketing) -> list[LayerRate]:
    """CTR = clicks ÷ impressions; visit = visits ÷ clicks; consult; order."""
    return [
        LayerRate(key, marketing.layer(top), marketing.layer(bottom))
        for key, bottom, top in LAYER_RATES
    ]


def click_visit_loss(marketing: Marketing) -> float | None:
    rate = LayerRate("visit_rate", marketing.visits, marketing.clicks).value
    return None if rate is None else 100.0 - rate


def click_visit_flagged(marketing: Marketing) -> bool:
    loss = click_visit_loss(marketing)
    return loss is not None and loss > NORMAL_CLICK_VISIT_LOSS


def cost_per(marketing: Marketing, layer: str) -> float | None:
    count = marketing.layer(layer)
    if marketing.cost is None or not count:
        return None
    return marketing.cost / count


def sum_marketing(days: Iterable[Marketing]) -> Marketing:
    totals: dict[str, Any] = {}
    for day in days:
        for name in (*LAYERS, "cost"):
            value = getattr(day, name)
            if value is not None:
                totals[name] = (totals.get(name) or 0) + value
    return Marketing(**totals)
