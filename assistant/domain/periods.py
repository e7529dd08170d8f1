"""Reporting periods in the person's local calendar: today, yesterday, week, month, a day, a range.

`parse_period(text, today)` understands zh and en words, dates with or without a year
(`2026-11-01`, `11-01`, `11/1`, `11月1日`), months (`10月`, `2026-10`) and ranges
(`11-01 11-15`, `11-01~11-15`, `11月1日到11月15日`). A date without a year is the latest
such date not after today, since reports look back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from assistant.domain.funnel import month_bounds


class PeriodError(ValueError):
    """The text does not name a period we understand."""


# Years a report or a goal can be about. Beyond them a date is a typo (0026 for 2026), and at
# the calendar's ends (0001-01-01, 9999-12-31) the day's bounds in a time zone do not exist.
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199


@dataclass(frozen=True)
class Period:
    kind: str  # today yesterday week last_week month last_month day month_of range
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def clipped(self, today: date) -> Period:
        """The same period ending no later than today (a week or month still under way)."""
        return Period(self.kind, self.start, min(self.end, max(today, self.start)))


_WORDS: Final[dict[str, str]] = {
    "": "today",
    "today": "today",
    "day": "today",
    "今天": "today",
    "今日": "today",
    "yesterday": "yesterday",
    "昨天": "yesterday",
    "昨日": "yesterday",
    "week": "week",
    "this week": "week",
    "本周": "week",
    "这周": "week",
    "本星期": "week",
    "周": "week",
    "last week": "last_week",
    "上周": "last_week",
    "上星期": "last_week",
    "month": "month",
    "this month": "month",
    "本月": "month",
    "这个月": "month",
    "月": "month",
    "last month": "last_month",
    "上月": "last_month",
    "上个月": "last_month",
}

_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_FULL_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_MONTH = re.compile(r"^(\d{1,2})\s*月(?:份)?$")
_RANGE_SPLIT = re.compile(r"\s*(?:~|～|到|至|—|–|\bto\b|\s)\s*")


def _make(year: int, month: int, day: int, text: str) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(text)
    try:
        return date(year, month, day)
    except ValueError:
        raise PeriodError(text) from None


def parse_day(text: str, today: date, *, not_before: date | None = None) -> date:
    """A single date. Without a year: the latest such date not after today, or with
    `not_before`, the first such date on or after it (the end of a range)."""
    cleaned = text.strip()
    match = _FULL_DATE.match(cleaned)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]), text)
    match = _MONTH_DAY.match(cleaned)
    if not match:
        raise PeriodError(text)
    month, day = int(match[1]), int(match[2])
    _make(2000, month, day, text)  # a leap year: rejects 2-30 but keeps 2-29
    if not_before is not None:
        for year in range(not_before.year, not_before.year + 5):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate >= not_before:
                return candidate
        raise PeriodError(text)
    for year in range(today.year, today.year - 5, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise PeriodError(text)


def parse_month(text: str, today: date) -> date | None:
    """`10月`, `2026-10`, `2026年10月` -> the first day of that month (latest not after today
    when the year is left out); None if the text is not a month."""
    cleaned = text.strip()
    match = _FULL_MONTH.match(cleaned)
    if match:
        return _make(int(match[1]), int(match[2]), 1, text)
    match = _MONTH.match(cleaned)
    if match:
        month = int(match[1])
        first = _make(today.year, month, 1, text)
        return first if first <= today else first.replace(year=today.year - 1)
    return None


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.isoweekday() - 1)
    return monday, monday + timedelta(days=6)


def parse_period(text: str, today: date) -> Period:
    cleaned = " ".join(text.strip().lower().split())
    kind = _WORDS.get(cleaned)
    if kind == "today":
        return Period(kind, today, today)
    if kind == "yesterday":
        day = today - timedelta(days=1)
        return Period(kind, day, day)
    if kind == "week":
        return Period(kind, *week_of(today))
    if kind == "last_week":
        return Period(kind, *week_of(today - timedelta(days=7)))
    if kind == "month":
        return Period(kind, *month_bounds(today))
    if kind == "last_month":
        return Period(kind, *month_bounds(today.replace(day=1) - timedelta(days=1)))
    month = parse_month(cleaned, today)
    if month is not None:
        return Period("month_of", *month_bounds(month))
    try:
        day = parse_day(cleaned, today)
        return Period("day", day, day)
    except PeriodError:
        pass
    parts = [part for part in _RANGE_SPLIT.split(cleaned) if part]
    if len(parts) != 2:
        raise PeriodError(text)
    start = parse_day(parts[0], today)
    end = parse_day(parts[1], today, not_before=start)
    if end < start:
        raise PeriodError(text)
    return Period("range", start, end)


def month_arg(text: str, today: date) -> date:
    """The month for /goal: this month by default, `next`/下月, `10月`, `2026-12`, `12`.
    A bare month number without a year means the next such month from now (goals look ahead)."""
    cleaned = text.strip().lower()
    if cleaned in ("", "this", "month", "this month", "本月", "这个月"):
        return today.replace(day=1)
    if cleaned in ("next", "next month", "下月", "下个月"):
        return month_bounds(today)[1] + timedelta(days=1)
    match = _FULL_MONTH.match(cleaned)
    if match:
        return _make(int(match[1]), int(match[2]), 1, text)
    match = re.match(r"^(\d{1,2})\s*(?:月|月份)?$", cleaned)
    if match:
        first = _make(today.year, int(match[1]), 1, text)
        return first if first >= today.replace(day=1) else first.replace(year=today.year + 1)
    raise PeriodError(text)
