"""/numbers input: a day's marketing figures as typed, in either language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Final

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
