"""Activation campaigns (PRODUCT.md 5.4): picking dormant leads and rating a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

DORMANT_AFTER: Final = timedelta(days=7)
DEFAULT_BATCH: Final = 10
MAX_BATCH: Final = 30
# D and C first (they are the ones going cold), then B and A.
GRADE_ORDER: Final = {"D": 0, "C": 1, "B": 2, "A": 3}

Rating = Literal["good", "pass", "poor"]


@dataclass(frozen=True)
class Candidate:
    lead_id: int
    grade: str
    last_touch: datetime  # the last contact, or creation when never contacted


def is_dormant(last_touch: datetime, now: datetime) -> bool:
    return now - last_touch >= DORMANT_AFTER


def pick_batch(candidates: Sequence[Candidate], now: datetime, size: int) -> list[Candidate]:
    """Up to `size` dormant leads: D and C first, the longest-silent first within a grade."""
    dormant = [c for c in candidates if is_dormant(c.last_touch, now)]
    dormant.sort(key=lambda c: (GRADE_ORDER.get(c.grade, 0), c.last_touch, c.lead_id))
    return dormant[: max(0, size)]


def rate(replied: int, size: int) -> Rating:
    """≥ 8 of 10 replied is good, ≥ 5 passes, ≤ 4 is poor; other sizes scale the same way."""
    if size <= 0:
        raise ValueError("a batch has at least one lead")
    if not 0 <= replied <= size:
        raise ValueError("replied must be between 0 and the batch size")
    if replied * 10 >= 8 * size:
        return "good"
    if replied * 10 >= 5 * size:
        return "pass"
    return "poor"


def raised_grade(grade: str) -> str:
    """A lead that answered an activation message moves one grade up (D→C→B), never to A:
    an A needs a near date or strong intent, which a reply alone does not show."""
    return {"D": "C", "C": "B"}.get(grade, grade)
