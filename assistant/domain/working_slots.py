"""Where a follow-up made by the cadence lands in its owner's day (PRODUCT.md 5.1).

The cadence counts days (a contact + 3 days, a visit + 7); the clock time of the action that
started it says nothing about a good time to call, and kept as it is a lead added at 01:05
would be due at 02:05. So a cadence-made follow-up lands on a working slot in the owner's time
zone: on its own local day, or the next working day when that is a day off, at the first free
slot from 10:00, in 15-minute steps, never in quiet hours. A slot is free when none of the
owner's other follow-ups in the team falls inside its 15 minutes, so ten leads logged at once
come up at 10:00, 10:15, 10:30… instead of all at the same minute. A day with no free slot
left passes to the next working day.

The first contact of a new lead ("within 1 hour") keeps its exact time when that falls in
working time (a working day, outside quiet hours): a lead added at 15:00 is due at 16:00. One
added at 01:05 lands on the first free slot of the working day. A time the person typed (/fu,
the follow-up buttons, snooze) is kept to the minute and never comes through here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from assistant.domain.quiet_hours import Quiet, at_local, is_work_day

WORK_START: Final = time(10)
SLOT: Final = timedelta(minutes=15)
SEARCH_DAYS: Final = 14  # working days tried before giving up on a free slot


@dataclass(frozen=True)
class WorkingHours:
    """A person's zone, quiet hours and working days (ISO weekdays, Monday = 1)."""

    zone: str
    quiet: Quiet
    work_days: str

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone))

    def is_work_day(self, day: date) -> bool:
        return not self.work_days or is_work_day(day, self.work_days)

    def is_working(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_work_day(local.date()) and not self.quiet.contains(local.time())

    def working_day(self, day: date) -> date:
        """`day` itself when one works on it, else the next day one does."""
        for _ in range(7):
            if self.is_work_day(day):
                return day
            day += timedelta(days=1)
        return day

    def slots(self, day: date) -> list[datetime]:
        """The slots of a local day from 10:00, outside quiet hours, as aware instants."""
        return list(_slots(self.zone, self.quiet, day))


@lru_cache(maxsize=512)  # a batch (the regrade) looks at the same few days again and again
def _slots(zone: str, quiet: Quiet, day: date) -> tuple[datetime, ...]:
    found = []
    clock = datetime.combine(day, WORK_START)
    while clock.date() == day:
        if not quiet.contains(clock.time()):
            found.append(at_local(day, clock.time(), zone))
        clock += SLOT
    return tuple(found)


def free_slot(
    day: date, hours: WorkingHours, taken: Iterable[datetime], *, after: datetime
) -> datetime | None:
    """The first slot of `day` later than `after` with no follow-up inside it, or None."""
    busy = sorted(taken)
    for slot in _slots(hours.zone, hours.quiet, day):
        if slot <= after:
            continue
        first = bisect.bisect_left(busy, slot)  # the first follow-up at or after the slot
        if first == len(busy) or busy[first] >= slot + SLOT:
            return slot
    return None


def first_day(due: datetime, hours: WorkingHours, *, after: datetime) -> date:
    """The local working day to look for a slot on: the due moment's own, at the earliest the
    day of `after`."""
    return hours.working_day(max(hours.local(due).date(), hours.local(after).date()))


def first_contact_time(due: datetime, hours: WorkingHours) -> datetime:
    """A first contact's hour as it is in working time, else the next working day's first slot
    (for a batch, such as an import, that does not look at the slots already taken)."""
    if hours.is_working(due):
        return due
    day = first_day(due, hours, after=due)
    for _ in range(SEARCH_DAYS):
        slot = free_slot(day, hours, (), after=due)
        if slot is not None:
            return slot
        day = hours.working_day(day + timedelta(days=1))
    return due
