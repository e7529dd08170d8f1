"""Rates and their format, and counting a period's events into stage counts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
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
    if type(numerator) is int and type(denominator) is int and denominator > 0:
        # int / int is correctly rounded, as the Fraction's float is: the same value, without
        # building three Fractions (a /summary computes some 70 rates).
        return numerator * 100 / denominator
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
