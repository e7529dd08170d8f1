"""The one money formatter and the one date formatter every view uses (templates show what they
return; the Renderer registers them as filters: `{{ plan.day | day }}`, `{{ due | time }}`).

Dates read the same in every locale (2026-11-25, 2026-11, 11-25 10:00) except a follow-up's
moment, which English writes with its weekday (Thu 26 Nov 09:00) and Chinese as 11-26 09:00.
A datetime is shown as given: the caller converts it to the person's zone first.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime as DateTime
from datetime import time as Time


def money(value: float, *, whole: bool = False) -> str:
    """An amount as people write it: thousands separated, cents only when there are any
    (12,800 and 12,800.50). `whole` rounds to whole units, for estimates such as a forecast."""
    if whole or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def day(value: Date) -> str:
    """A calendar day: 2026-11-25 (a datetime shows its own date)."""
    return value.strftime("%Y-%m-%d")


def month(value: Date) -> str:
    """A month: 2026-11."""
    return value.strftime("%Y-%m")


def month_day(value: Date) -> str:
    """A day within a year everyone knows: 11-25."""
    return value.strftime("%m-%d")


def time(value: Time | DateTime) -> str:
    """A time of day: 09:00."""
    return value.strftime("%H:%M")


def date_time(value: DateTime) -> str:
    """A full local moment: 2026-11-26 09:00."""
    return value.strftime("%Y-%m-%d %H:%M")


def short(value: DateTime) -> str:
    """A moment this year: 11-26 09:00."""
    return value.strftime("%m-%d %H:%M")


def moment(value: DateTime, locale: str) -> str:
    """When a follow-up is due, in a push: Thu 26 Nov 09:00 in English, 11-26 09:00 in Chinese."""
    if locale == "en":
        return value.strftime("%a %d %b %H:%M")
    return short(value)


def day_span(first: Date, last: Date) -> str:
    """A day, or a range of days: 2026-11-25, or 2026-11-01 – 2026-11-25."""
    return day(first) if first == last else f"{day(first)} – {day(last)}"
