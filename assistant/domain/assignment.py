"""Giving pool leads to people, and taking stale ones back. Pure: dates and times passed in.

Two policies (a team setting, "pool.mode"):
- round_robin: members in a fixed order, continuing after whoever got the last lead;
- weighted: each lead goes to the member with the highest score = conversion / (open A/B load
  + 1), where conversion is won ÷ closed over recent weeks with one won and one lost assumed
  (so a newcomer starts at 50%) and the load grows with every lead handed out.
Members away (`/away` until a date, inclusive) get nothing.

Stale leads: an owned open lead untouched (no contact, no new owner) for N days (A leads: their
own, shorter N; never less than the grade's follow-up cadence + 1 day) is warned about one day
before and goes back to the pool at N days, but never less than WARNING_NOTICE after the warning
was actually sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Final

ROUND_ROBIN: Final = "round_robin"
WEIGHTED: Final = "weighted"
MODES: Final = (ROUND_ROBIN, WEIGHTED)
POOL_DEFAULTS: Final[dict[str, Any]] = {
    "mode": ROUND_ROBIN,
    "claim": False,
    "stale_days": 14,
    "stale_days_a": 3,
}
WARNING_BEFORE: Final = timedelta(days=1)
WARNING_NOTICE: Final = timedelta(hours=12)


def pool_settings(team_settings: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(POOL_DEFAULTS)
    stored = (team_settings or {}).get("pool")
    if isinstance(stored, Mapping):
        merged.update({key: value for key, value in stored.items() if key in POOL_DEFAULTS})
    return merged


@dataclass(frozen=True)
class Candidate:
    person_id: int
    away_until: date | None = None  # away up to and including this day
    open_ab: int = 0  # open A and B leads they own now
    won: int = 0  # recent deals
    lost: int = 0  # recent losses


def is_away(candidate: Candidate, today: date) -> bool:
    return candidate.away_until is not None and today <= candidate.away_until


def conversion(candidate: Candidate) -> float:
    """won ÷ closed with one of each assumed, so little history means about 50%."""
    return (candidate.won + 1) / (candidate.won + candidate.lost + 2)


class NobodyAvailable(Exception):
    """Every candidate is away (or there are none)."""


def round_robin(
    candidates: Sequence[Candidate], count: int, today: date, last_person_id: int | None
) -> list[int]:
    """`count` person ids in turn, by person id, starting after `last_person_id`."""
    ring = sorted(c.person_id for c in candidates if not is_away(c, today))
    if not ring:
        raise NobodyAvailable
    start = 0
    if last_person_id is not None:
        start = next((i for i, pid in enumerate(ring) if pid > last_person_id), 0)
    return [ring[(start + i) % len(ring)] for i in range(count)]


def weighted(candidates: Sequence[Candidate], count: int, today: date) -> list[int]:
    """`count` person ids, each to the best conversion ÷ (load + 1); ties to the lower id."""
    present = [c for c in candidates if not is_away(c, today)]
    if not present:
        raise NobodyAvailable
    load = {c.person_id: c.open_ab for c in present}
    rate = {c.person_id: conversion(c) for c in present}
    order = sorted(load)
    chosen: list[int] = []
    for _ in range(count):
        best = max(order, key=lambda pid: (rate[pid] / (load[pid] + 1), -pid))
        chosen.append(best)
        load[best] += 1
    return chosen


def assign(
    mode: str,
    candidates: Sequence[Candidate],
    count: int,
    today: date,
    last_person_id: int | None = None,
) -> list[int]:
    if mode == WEIGHTED:
        return weighted(candidates, count, today)
    return round_robin(candidates, count, today, last_person_id)


# ------------------------------------------------------------------ stale leads


class Stale(Enum):
    FRESH = "fresh"
    WARN = "warn"
    RETURN = "return"


def stale_limit(
    grade: str, settings: Mapping[str, Any], cadence: Mapping[str, int] | None = None
) -> timedelta:
    """The grade's limit, but never before the follow-up cadence asks for the next contact
    (so a D lead on a 14-day cadence is not taken while its reminder is due): cadence + 1 day."""
    days = int(settings["stale_days_a"] if grade == "A" else settings["stale_days"])
    if cadence is not None and grade in cadence:
        days = max(days, int(cadence[grade]) + 1)
    return timedelta(days=days)


def stale_state(
    *,
    last_touch: datetime,
    grade: str,
    now: datetime,
    settings: Mapping[str, Any],
    warned_at: datetime | None,
    cadence: Mapping[str, int] | None = None,
) -> Stale:
    """What to do with an owned open lead last touched at `last_touch`."""
    limit = stale_limit(grade, settings, cadence)
    idle = now - last_touch
    if idle < limit - WARNING_BEFORE:
        return Stale.FRESH
    if idle >= limit and warned_at is not None and now - warned_at >= WARNING_NOTICE:
        return Stale.RETURN
    return Stale.WARN


def warn_at(last_touch: datetime, grade: str, settings: Mapping[str, Any]) -> datetime:
    return last_touch + stale_limit(grade, settings) - WARNING_BEFORE


def return_at(
    last_touch: datetime, grade: str, settings: Mapping[str, Any], warned_at: datetime
) -> datetime:
    return max(last_touch + stale_limit(grade, settings), warned_at + WARNING_NOTICE)
