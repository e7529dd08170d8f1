"""After-sale steps for a customer (a won lead). Pure: dates passed in.

| step    | when                                      |
| ------- | ----------------------------------------- |
| visit   | won + 30 days (the follow-up cadence, 5.1) |
| before  | CHECK_BEFORE days before the event date    |
| after   | CHECK_AFTER days after the event date: the moment to ask for a referral |
A happy customer (satisfaction of HAPPY or more) is asked for a referral at once too.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

CHECK_BEFORE: Final = 3
CHECK_AFTER: Final = 2
CHECK_AT: Final = time(10, 0)
HAPPY: Final = 4
_REF: Final = re.compile(
    r"(?:介绍人|推荐人|转介绍自|ref|referrer|referred_by)\s*[:：=]\s*#?(\d{1,9})", re.I
)


def checkins(event_date: date | None, won_on: date) -> dict[str, date]:
    """The after-sale check-in days still relevant for a sale made on `won_on`."""
    if event_date is None:
        return {}
    days = {
        "before": event_date - timedelta(days=CHECK_BEFORE),
        "after": event_date + timedelta(days=CHECK_AFTER),
    }
    return {step: day for step, day in days.items() if day > won_on}


def due_at(day: date, zone: str) -> datetime:
    return datetime.combine(day, CHECK_AT, tzinfo=ZoneInfo(zone))


def split_referrer(text: str) -> tuple[str, int | None]:
    """`王女士 138… 介绍人:12` -> ('王女士 138…', 12)."""
    match = _REF.search(text)
    if match is None:
        return text, None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return " ".join(rest.split()), int(match.group(1))


def asks_referral(satisfaction: int | None) -> bool:
    return satisfaction is not None and satisfaction >= HAPPY
