"""The shared parts of the date parser: errors, numbers, calendar arithmetic, text clean-up."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

DEFAULT_HOUR: Final = 10
MAX_TEXT: Final = 100


class DateParseError(ValueError):
    """The text is not a date (or time) we understand; `reason` is unknown | invalid | past."""

    def __init__(self, text: str, reason: str = "unknown") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.text = text
        self.reason = reason


# ---------------------------------------------------------------- numbers

_CN_DIGITS: Final = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                     "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_EN_NUMBERS: Final = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                      "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                      "twelve": 12}  # fmt: skip
CN_NUM: Final = r"(?:\d{1,3}|[零〇一二两三四五六七八九十]{1,3})"
EN_NUM: Final = r"(?:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


def cn_number(text: str) -> int:
    """'5' -> 5, '十一' -> 11, '二十' -> 20, '三十一' -> 31, '两' -> 2."""
    if text.isascii() and text.isdigit():
        return int(text)
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            raise ValueError(text)
        value = (_CN_DIGITS[tens] if tens else 1) * 10
        return value + (_CN_DIGITS[ones] if ones else 0)
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    raise ValueError(text)


# ---------------------------------------------------------------- calendar helpers


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def valid(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(text, "invalid") from None


def roll_forward(month: int, day: int, today: date, text: str) -> date:
    """The next month-day on or after today (Feb 29 waits for a leap year)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31 or day > (29 if month == 2 else 31):
        raise DateParseError(text, "invalid")
    if day > calendar.monthrange(2024, month)[1]:  # 4月31日 never exists
        raise DateParseError(text, "invalid")
    year = today.year
    while True:
        try:
            candidate = date(year, month, day)
        except ValueError:  # Feb 29 outside a leap year
            year += 1
            continue
        if candidate >= today:
            return candidate
        year += 1


def roll_edge(month: int, edge: str, today: date, text: str) -> date:
    if not 1 <= month <= 12:
        raise DateParseError(text, "invalid")
    year = today.year
    candidate = edge_day(year, month, edge)
    if candidate < today:
        candidate = edge_day(year + 1, month, edge)
    return candidate


def edge_day(year: int, month: int, edge: str) -> date:
    if edge in {"底", "末", "end"}:
        return month_end(year, month)
    if edge == "中":
        return date(year, month, 15)
    return date(year, month, 1)


# ---------------------------------------------------------------- patterns

YEAR_WORDS: Final = {"今年": 0, "明年": 1, "后年": 2, "去年": -1, "前年": -2}
HOLIDAYS: Final = {"五一": (5, 1), "劳动节": (5, 1), "国庆": (10, 1), "国庆节": (10, 1),
                    "十一": (10, 1), "元旦": (1, 1), "圣诞": (12, 25), "圣诞节": (12, 25),
                    "情人节": (2, 14)}  # fmt: skip
ZH_WEEKDAYS: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                       "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}  # fmt: skip
EN_WEEKDAYS: Final = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
EN_MONTHS: Final = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7,
                     "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
MONTH_RE: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY_RE: Final = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
ZH_YEAR: Final = r"(?P<yw>今年|明年|后年|去年|前年|(?<!\d)(?P<y>\d{4})\s*年)"
ORD: Final = r"(?:st|nd|rd|th)?"


def group(match: re.Match[str], name: str) -> Any:
    """A named group's text, or None when the rule has no such group or it did not match."""
    return match.groupdict().get(name)


def year_of(match: re.Match[str], today: date) -> int | None:
    if match.groupdict().get("y"):
        return int(match.group("y"))
    word = match.groupdict().get("yw")
    if word in YEAR_WORDS:
        return today.year + YEAR_WORDS[word]
    return None


def en_month(text: str) -> int:
    return EN_MONTHS[text[:3]]


Handler = Callable[[re.Match[str], date, str], date]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    handler: Handler
    in_text: bool = True  # also searched for inside a longer sentence (capture)


def make_rule(pattern: str, handler: Handler, in_text: bool = True) -> Rule:
    return Rule(re.compile(pattern, re.IGNORECASE), handler, in_text)


def prepare(text: str) -> str:
    """Full-width digits and punctuation to ASCII, single spaces; case kept."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def normalize(text: str) -> str:
    """`prepare` plus lower case, keeping every character's position (spans stay valid)."""
    return "".join(low if len(low := char.lower()) == 1 else char for char in prepare(text))
