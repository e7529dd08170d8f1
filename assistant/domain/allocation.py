"""Time allocation (PRODUCT.md 4): the working day split 60/25/10/5 across grades A/B/C/D.

Grades without active leads give their share to the others in proportion to their weights,
and whole minutes always add up to the working day (largest-remainder rounding).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Final

GRADES: Final = ("A", "B", "C", "D")
WEIGHTS: Final[Mapping[str, int]] = {"A": 60, "B": 25, "C": 10, "D": 5}


def largest_remainder(total: int, shares: Sequence[Fraction]) -> list[int]:
    """Whole numbers proportional to `shares` that add up to exactly `total`.

    Ties in the remainders go to the earlier position, so the result is deterministic.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    weight = sum(shares, Fraction(0))
    if not shares:
        return []
    if weight <= 0:
        raise ValueError("at least one share must be positive")
    exact = [total * share / weight for share in shares]
    floors = [int(value) for value in exact]
    left = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return floors


def allocate(
    total_minutes: int,
    counts: Mapping[str, int],
    weights: Mapping[str, int] = WEIGHTS,
) -> dict[str, int]:
    """Minutes per grade for a working day of `total_minutes`.

    Only grades with at least one active lead get time. With no active leads at all, the day
    is split by the plain weights, so the plan still shows where new effort should go.
    """
    grades = [grade for grade in weights if weights[grade] > 0]
    active = [grade for grade in grades if counts.get(grade, 0) > 0] or grades
    minutes = largest_remainder(total_minutes, [Fraction(weights[grade]) for grade in active])
    result = dict.fromkeys(weights, 0)
    result.update(zip(active, minutes, strict=True))
    return result


def split_evenly(total: int, parts: int) -> list[int]:
    """`total` minutes over `parts` leads, as even as whole numbers allow (larger first)."""
    if parts <= 0:
        return []
    if total < 0:
        raise ValueError("total must not be negative")
    # largest_remainder() with equal shares, without a Fraction per lead: every remainder ties,
    # so the leftover minutes go to the earliest leads.
    whole, left = divmod(total, parts)
    return [whole + 1] * left + [whole] * (parts - left)
