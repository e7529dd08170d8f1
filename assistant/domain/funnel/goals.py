"""Goals (3.4): the reverse plan, pace, milestones; and the effort mix (4)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Final

from assistant.domain.funnel.counts import Number, PeriodCounts, percent
from assistant.domain.funnel.rates import RATE_FORMULAS

# --------------------------------------------------------------------------- goals (3.4)


def as_fraction(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(str(value))


def _ceil(value: Fraction) -> int:
    return math.ceil(value)


@dataclass(frozen=True)
class Plan:
    orders: int
    visits: int
    valid: int
    raw: int


def reverse_plan(
    orders: int, *, visit_deal: Number, valid_to_visit: Number, valid_rate: Number
) -> Plan | None:
    """Work back from orders through the rates (in percent), always rounding up.

    20 orders at 50% / 60% / 70% need 40 visits, 66.67 -> 67 valid and 95.24 -> 96 raw leads.
    None if a rate is zero or less (no number of leads would be enough).
    """
    deal, visit, valid = (as_fraction(r) / 100 for r in (visit_deal, valid_to_visit, valid_rate))
    if deal <= 0 or visit <= 0 or valid <= 0:
        return None
    visits = Fraction(orders) / deal
    valid_leads = visits / visit
    raw = valid_leads / valid
    return Plan(orders, _ceil(visits), _ceil(valid_leads), _ceil(raw))


MIN_HISTORY: Final = 20  # leads in a stage before a person's own rate is trusted


@dataclass(frozen=True)
class UsedRate:
    key: str
    value: Fraction  # percent
    own: bool  # True: the person's own history; False: the team target
    numerator: int = 0
    denominator: int = 0


def goal_rates(
    history: PeriodCounts, targets: Mapping[str, Any], minimum: int = MIN_HISTORY
) -> list[UsedRate]:
    """The three rates for the reverse formula: the person's own (capped at 100%) when every
    stage under them has at least `minimum` leads of history and each rate is above zero;
    otherwise all three team targets, so a plan never mixes the two."""
    own = []
    for key in ("visit_deal", "valid_to_visit", "valid_rate"):
        top, bottom = RATE_FORMULAS[key]
        numerator, denominator = history.count(top), history.count(bottom)
        if denominator < minimum or numerator <= 0:
            return [
                UsedRate(key, as_fraction(targets.get(key, 0)), False)
                for key in ("visit_deal", "valid_to_visit", "valid_rate")
            ]
        value = min(Fraction(numerator * 100, denominator), Fraction(100))
        own.append(UsedRate(key, value, True, numerator, denominator))
    return own


def plan_with(orders: int, used: Sequence[UsedRate]) -> Plan | None:
    rates = {rate.key: rate.value for rate in used}
    return reverse_plan(
        orders,
        visit_deal=rates["visit_deal"],
        valid_to_visit=rates["valid_to_visit"],
        valid_rate=rates["valid_rate"],
    )


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of the month containing `day`."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def working_days(start: date, end: date, work_days: str) -> int:
    """Days from start to end inclusive whose ISO weekday is in `work_days` ('12345')."""
    if end < start:
        return 0
    allowed = {int(ch) for ch in work_days if ch.isdigit()}
    return sum(
        1
        for offset in range((end - start).days + 1)
        if (start + timedelta(days=offset)).isoweekday() in allowed
    )


@dataclass(frozen=True)
class Pace:
    target: int
    done: int
    expected: float  # by the start of today
    total_days: int  # working days in the month
    remaining_days: int  # working days from today to the month's end, today included

    @property
    def left(self) -> int:
        return max(self.target - self.done, 0)

    @property
    def per_day_needed(self) -> float | None:
        if self.left == 0:
            return 0.0
        return None if self.remaining_days == 0 else self.left / self.remaining_days

    @property
    def behind_percent(self) -> float:
        """How far behind the expected count, in percent of it (0 when on or ahead of pace)."""
        if self.expected <= 0 or self.done >= self.expected:
            return 0.0
        return (self.expected - self.done) / self.expected * 100

    @property
    def progress(self) -> float | None:
        return percent(self.done, self.target)


def pace(target: int, done: int, *, today: date, work_days: str) -> Pace:
    """Done so far against what an even spread over the month's working days expects."""
    first, last = month_bounds(today)
    total = working_days(first, last, work_days)
    before = working_days(first, today - timedelta(days=1), work_days)
    remaining = working_days(today, last, work_days)
    expected = target * before / total if total else float(target)
    return Pace(target, done, expected, total, remaining)


@dataclass(frozen=True)
class Breakdown:
    total: int
    per_week: float
    per_day: float


def breakdown(total: int, *, month_day: date, work_days: str) -> Breakdown:
    """A month's number per week (of working days) and per working day."""
    first, last = month_bounds(month_day)
    days = working_days(first, last, work_days)
    week = len({ch for ch in work_days if ch in "1234567"}) or 5
    if days == 0:
        return Breakdown(total, float(total), float(total))
    return Breakdown(total, total * week / days, total / days)


MILESTONES: Final = (50, 90, 100)
BEHIND_ALERT_PERCENT: Final = 20.0
BEHIND_ALERT_DAYS_LEFT: Final = 5


def milestones_crossed(target: int, before: int, after: int) -> list[int]:
    """Milestones (50/90/100% of target) passed when `done` went from before to after."""
    if target <= 0:
        return []
    return [m for m in MILESTONES if before * 100 < m * target <= after * 100]


def behind_pace_alert(current: Pace) -> bool:
    """More than 20% behind pace with 5 working days left (PRODUCT.md 3.4)."""
    return (
        current.remaining_days == BEHIND_ALERT_DAYS_LEFT
        and current.behind_percent > BEHIND_ALERT_PERCENT
    )


# --------------------------------------------------------------------------- effort mix (4)

EFFORT_TARGETS: Final[dict[str, int]] = {"A": 60, "B": 25, "C": 10, "D": 5}


@dataclass(frozen=True)
class EffortShare:
    grade: str
    count: int
    share: float | None  # percent of all contacts
    target: int

    @property
    def gap(self) -> float | None:
        return None if self.share is None else self.share - self.target


def effort_mix(contacts_by_grade: Mapping[str, int]) -> list[EffortShare]:
    total = sum(contacts_by_grade.get(grade, 0) for grade in EFFORT_TARGETS)
    return [
        EffortShare(
            grade,
            contacts_by_grade.get(grade, 0),
            percent(contacts_by_grade.get(grade, 0), total),
            target,
        )
        for grade, target in EFFORT_TARGETS.items()
    ]


def most_off_mix(shares: Sequence[EffortShare]) -> EffortShare | None:
    """The grade whose share of contacts is furthest from its target (None without contacts)."""
    measured = [share for share in shares if share.gap is not None]
    if not measured:
        return None
    return max(measured, key=lambda share: abs(share.gap or 0.0))
