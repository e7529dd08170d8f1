"""The funnel (PRODUCT.md section 3): counts from events, rates, drop-offs, diagnosis, goals, pace.

Pure: no I/O; every moment and day is passed in. A rate whose denominator is zero is `None`
and is shown as "—", never as an error or 0%.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cache
from itertools import pairwise
from typing import Any, Final

from assistant.domain import events as ev
from assistant.domain.pipeline import LOST, WON, stages

DASH: Final = "—"
Number = int | float | Fraction

# Stage moves whose payload the funnel reads: the amount of a win, the reason of a loss.
CLOSING_STAGES = frozenset({WON, LOST})


# --------------------------------------------------------------------------- rates and format


def percent(numerator: Number, denominator: Number) -> float | None:
    """numerator ÷ denominator × 100, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return float(Fraction(numerator) * 100 / Fraction(denominator))


def format_percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return DASH
    return f"{value:.{digits}f}%"


def format_number(value: float | None, digits: int = 1) -> str:
    """Whole numbers without decimals, others with `digits` decimals; None as a dash."""
    if value is None:
        return DASH
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"


_EIGHTHS: Final = " ▏▎▍▌▋▊▉"


def text_bar(value: float, maximum: float, width: int = 10) -> str:
    """A compact bar of block glyphs that reads on a phone; empty when there is nothing."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = round(min(value, maximum) / maximum * width * 8)
    eighths = max(eighths, 1)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


# --------------------------------------------------------------------------- counting events


@dataclass(frozen=True)
class EventRow:
    """One LeadEvent as the funnel needs it (see assistant/domain/events.py)."""

    lead_id: int
    kind: str
    at: datetime
    from_value: str | None = None
    to_value: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodCounts:
    """What happened in a period: each count is of distinct leads unless said otherwise."""

    pipeline: str
    created: int = 0
    contacted: int = 0
    contacts: int = 0  # contact events, not leads
    phone: int = 0
    wechat: int = 0
    reached: Mapping[str, int] = field(default_factory=dict)  # stage -> leads that entered it
    lost: int = 0
    revenue: float = 0.0
    a_won: int = 0
    a_lost: int = 0
    lost_reasons: tuple[tuple[str, int], ...] = ()
    stage_days: Mapping[str, float] = field(default_factory=dict)  # mean days spent per stage
    contact_grades: Mapping[str, int] = field(default_factory=dict)  # contacts per grade

    @property
    def won(self) -> int:
        return self.reached.get(WON, 0)

    def stage_counts(self) -> dict[str, int]:
        """Leads per pipeline stage: the first stage is the new leads, the rest entered it."""
        order = stages(self.pipeline)
        counts = {order[0]: self.created}
        for stage in order[1:]:
            counts[stage] = self.reached.get(stage, 0)
        return counts

    def count(self, name: str) -> int:
        if name in ("new", "created"):
            return self.created
        if name in ("phone", "wechat", "contacted", "lost", "a_won", "a_lost"):
            value: int = getattr(self, name)
            return value
        return self.reached.get(name, 0)


def _index(order: Sequence[str], stage: str | None) -> int:
    if stage in order:
        return order.index(stage)
    return -1


def count_events(
    period_events: Iterable[EventRow],
    *,
    pipeline: str,
    start: datetime,
    end: datetime,
    history: Iterable[EventRow] = (),
    top_reasons: int = 3,
) -> PeriodCounts:
    """Count one person's events between `start` (inclusive) and `end` (exclusive).

    A stage move counts for every stage it passes, so a lead moved from new straight to
    visited has also become valid and invited. Each lead counts once per stage and period.
    `history` holds the created, stage and grade events of the leads that moved in the
    period (any time before `end`): it gives the days spent in each stage and the grade a
    lead had when it was won or lost.
    """
    order = stages(pipeline)
    created: set[int] = set()
    contacted: set[int] = set()
    contacts = 0
    phone: set[int] = set()
    wechat: set[int] = set()
    reached: dict[str, set[int]] = {stage: set() for stage in order[1:]}
    lost: set[int] = set()
    revenue = 0.0
    reasons: Counter[str] = Counter()
    grades: Counter[str] = Counter()
    for event in period_events:
        if not start <= event.at < end:
            continue
        if event.kind == ev.CREATED:
            created.add(event.lead_id)
        elif event.kind == ev.CONTACT:
            contacted.add(event.lead_id)
            contacts += 1
            grade = str(event.payload.get("grade") or "")
            if grade in ("A", "B", "C", "D"):
                grades[grade] += 1
        elif event.kind == ev.PHONE:
            phone.add(event.lead_id)
        elif event.kind == ev.WECHAT:
            wechat.add(event.lead_id)
        elif event.kind == ev.STAGE:
            if event.to_value == LOST:
                if event.lead_id not in lost:
                    lost.add(event.lead_id)
                    reason = str(event.payload.get("reason") or "").strip()
                    if reason:
                        reasons[reason] += 1
                continue
            target = _index(order, event.to_value)
            source = _index(order, event.from_value) if event.from_value != LOST else target - 1
            for position in range(max(source + 1, 1), target + 1):
                reached[order[position]].add(event.lead_id)
            if event.to_value == WON:
                revenue += _amount(event.payload.get("amount"))
    a_won, a_lost, stage_days = _from_history(history, order, start, end)
    return PeriodCounts(
        pipeline=pipeline,
        created=len(created),
        contacted=len(contacted),
        contacts=contacts,
        phone=len(phone),
        wechat=len(wechat),
        reached={stage: len(leads) for stage, leads in reached.items()},
        lost=len(lost),
        revenue=revenue,
        a_won=a_won,
        a_lost=a_lost,
        lost_reasons=tuple(reasons.most_common(top_reasons)),
        stage_days=stage_days,
        contact_grades=dict(grades),
    )


def _amount(value: Any) -> float:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return 0.0
    return amount if math.isfinite(amount) and amount > 0 else 0.0


def _from_history(
    history: Iterable[EventRow], order: Sequence[str], start: datetime, end: datetime
) -> tuple[int, int, dict[str, float]]:
    by_lead: dict[int, list[EventRow]] = {}
    for event in history:
        if event.kind in (ev.CREATED, ev.STAGE, ev.GRADE) and event.at < end:
            by_lead.setdefault(event.lead_id, []).append(event)
    a_won: set[int] = set()
    a_lost: set[int] = set()
    spent: dict[str, list[float]] = {}
    for lead_id, rows in by_lead.items():
        rows.sort(key=lambda row: (row.at, row.kind != ev.CREATED))
        stage: str | None = None
        entered: datetime | None = None
        grade: str | None = None
        for row in rows:
            if row.kind == ev.CREATED:
                stage, entered = row.to_value or order[0], row.at
                grade = str(row.payload.get("grade") or "") or grade
            elif row.kind == ev.GRADE:
                grade = row.to_value or grade
            else:
                left = row.from_value or stage
                if (
                    left is not None
                    and start <= row.at
                    and entered is not None
                    and left in order
                    and left != WON
                ):
                    spent.setdefault(left, []).append((row.at - entered) / timedelta(days=1))
                if start <= row.at and grade == "A":
                    if row.to_value == WON:
                        a_won.add(lead_id)
                    elif row.to_value == LOST:
                        a_lost.add(lead_id)
                stage, entered = row.to_value, row.at
    days = {name: sum(values) / len(values) for name, values in spent.items() if values}
    return len(a_won), len(a_lost), days


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


# --------------------------------------------------------------------------- diagnosis (3.3)


@dataclass(frozen=True)
class Rule:
    """A weak layer: the causes to check and the one action to take (wording in templates)."""

    key: str
    causes: tuple[str, ...]
    action: str


RULES: Final[dict[str, Rule]] = {
    rule.key: rule
    for rule in (
        Rule(
            "impressions", ("keywords", "match_type", "bids", "region_schedule"), "widen_keywords"
        ),
        Rule("ctr", ("ad_relevance", "ranking", "creative"), "rewrite_creative"),
        Rule("visit_rate", ("page_speed", "page_relevance"), "fix_landing_page"),
        Rule("consult_rate", ("contact_hidden", "overpromise"), "show_contacts"),
        Rule("order_rate", ("sales_skill", "offer", "followup_discipline"), "review_offer"),
        Rule("visit_deal", ("sales_skill", "offer", "followup_discipline"), "close_in_store"),
        Rule("phone_rate", ("opening_scripts", "first_reply"), "reply_within_hour"),
        Rule("wechat_rate", ("opening_scripts", "first_reply"), "reply_within_hour"),
        Rule(
            "valid_to_visit", ("invitation_scripts", "qualifying", "lost_visits"), "invite_better"
        ),
        Rule("valid_rate", ("source_quality", "qualifying"), "check_sources"),
        Rule("a_conversion", ("sales_skill", "followup_discipline"), "prioritise_a"),
    )
}

# Which rule explains a loss between two consecutive stages.
STEP_RULES: Final[dict[tuple[str, str], str]] = {
    ("new", "valid"): "valid_rate",
    ("valid", "invited"): "valid_to_visit",
    ("invited", "visited"): "valid_to_visit",
    ("visited", "won"): "visit_deal",
    ("lead", "qualified"): "valid_rate",
    ("qualified", "needs"): "valid_to_visit",
    ("needs", "proposal"): "valid_to_visit",
    ("proposal", "negotiation"): "order_rate",
    ("negotiation", "won"): "order_rate",
}


@dataclass(frozen=True)
class Diagnosis:
    """Why a rule was chosen: 'target' (a rate below target), 'marketing' (a weak ad layer)
    or 'drop' (the biggest drop-off between stages)."""

    rule: Rule
    reason: str
    subject: str


def rule_for_step(step: Step) -> Rule:
    return RULES[STEP_RULES.get((step.source, step.target), "order_rate")]


def marketing_weakness(marketing: Marketing) -> str | None:
    """The weak ad layer, if any: nothing shown, or a click→visit loss above 30%."""
    if marketing.impressions == 0:
        return "impressions"
    if marketing.impressions and marketing.clicks == 0:
        return "ctr"
    if click_visit_flagged(marketing):
        return "visit_rate"
    if marketing.visits and marketing.consultations == 0:
        return "consult_rate"
    if marketing.consultations and marketing.orders == 0:
        return "order_rate"
    return None


def diagnose(
    checks: Sequence[RateCheck],
    drop: Step | None,
    marketing: Marketing | None = None,
) -> Diagnosis | None:
    """One finding: the rate furthest below target, else a weak ad layer, else the biggest
    drop-off between stages; None when there is nothing to say."""
    worst = weakest(checks)
    if worst is not None:
        return Diagnosis(RULES[worst.key], "target", worst.key)
    layer = marketing_weakness(marketing) if marketing is not None else None
    if layer is not None:
        return Diagnosis(RULES[layer], "marketing", layer)
    if drop is not None:
        return Diagnosis(rule_for_step(drop), "drop", f"{drop.source}>{drop.target}")
    return None


def coaching_tip(checks: Sequence[RateCheck]) -> Rule | None:
    """The rule for the weakest rate: below target first, else the lowest against target."""
    worst = weakest(checks) or lowest_against_target(checks)
    return RULES[worst.key] if worst is not None else None


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


# --------------------------------------------------------------------------- /numbers input

LAYER_WORDS: Final[dict[str, str]] = {
    "展现": "impressions",
    "展示": "impressions",
    "曝光": "impressions",
    "impressions": "impressions",
    "impression": "impressions",
    "imp": "impressions",
    "点击": "clicks",
    "clicks": "clicks",
    "click": "clicks",
    "访问": "visits",
    "访客": "visits",
    "visits": "visits",
    "visit": "visits",
    "咨询": "consultations",
    "consultations": "consultations",
    "consultation": "consultations",
    "consults": "consultations",
    "consult": "consultations",
    "订单": "orders",
    "成交": "orders",
    "orders": "orders",
    "order": "orders",
    "花费": "cost",
    "消费": "cost",
    "费用": "cost",
    "cost": "cost",
    "spend": "cost",
}


@cache
def _pair_pattern() -> re.Pattern[str]:
    """Keyword then number, compiled on first use to keep start-up fast."""
    words = "|".join(sorted((re.escape(w) for w in LAYER_WORDS), key=len, reverse=True))
    return re.compile(
        rf"(?<![a-z])({words})(?![a-z])\s*[:：=]?\s*(\d[\d,]*(?:\.\d+)?)\s*(万|w|k|千)?(?![\d.])",
        re.IGNORECASE,
    )


_MULTIPLIERS: Final[dict[str, int]] = {"万": 10000, "w": 10000, "k": 1000, "千": 1000}
MAX_FIGURE: Final = 10**12
MAX_COUNT: Final = 10**9  # a day's impressions, clicks, ...: stored as 32-bit integers


class NumbersError(ValueError):
    """The /numbers text has no figure we can read, or a figure that cannot be right."""


@dataclass(frozen=True)
class NumbersInput:
    values: Mapping[str, float]  # layer or "cost" -> value (layers are whole numbers)
    rest: str  # what is left once the figures are taken out (a date, or nothing)


def parse_numbers(text: str) -> NumbersInput:
    """'展现 12000 点击 360 订单 3 花费 850.5' or 'impressions=12k clicks 360' -> figures.

    Keywords in zh or en with a number after each; 万/w and k/千 multiply. A layer must be a
    whole number; the last of a repeated keyword wins.
    """
    values: dict[str, float] = {}
    for match in _pair_pattern().finditer(text):
        name = LAYER_WORDS[match[1].lower()]
        number = Fraction(match[2].replace(",", ""))
        if match[3]:
            number *= _MULTIPLIERS[match[3].lower()]
        if number > (MAX_FIGURE if name == "cost" else MAX_COUNT):
            raise NumbersError(match[0])
        if name != "cost" and number.denominator != 1:
            raise NumbersError(match[0])
        values[name] = float(number) if name == "cost" else int(number)
    if not values:
        raise NumbersError(text)
    rest = " ".join(_pair_pattern().sub(" ", text).split())
    return NumbersInput(values, rest)
