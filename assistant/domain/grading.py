"""A–D grading from the event date (PRODUCT.md 2.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

GRADES: Final = ("A", "B", "C", "D")
DEFAULT_THRESHOLDS: Final = {"a_days": 90, "b_days": 180, "c_days": 365}


@dataclass(frozen=True)
class GradeResult:
    grade: str
    date_passed: bool = False  # the event date is before today: "date passed — check"


def grade_for(
    event_date: date | None,
    today: date,
    strong_intent: bool,
    thresholds: Mapping[str, int] = DEFAULT_THRESHOLDS,
) -> GradeResult:
    """A: event within a_days or strong intent; B within b_days; C within c_days; else D.

    `today` is the rep's local today. A past event date grades D with the date_passed flag,
    even for a referral: the date needs checking before anything else.
    """
    if event_date is not None:
        days = (event_date - today).days
        if days < 0:
            return GradeResult("D", date_passed=True)
        if strong_intent or days <= thresholds["a_days"]:
            return GradeResult("A")
        if days <= thresholds["b_days"]:
            return GradeResult("B")
        if days <= thresholds["c_days"]:
            return GradeResult("C")
        return GradeResult("D")
    return GradeResult("A" if strong_intent else "D")


def is_upgrade(old: str, new: str) -> bool:
    """C -> B is an upgrade (a better grade letter)."""
    return new in GRADES and old in GRADES and GRADES.index(new) < GRADES.index(old)
