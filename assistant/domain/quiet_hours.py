"""Quiet hours, working days and push times in a person's local time (PRODUCT.md 5.2).

All functions take aware datetimes and IANA zone names; results are aware UTC instants.
Local wall times that do not exist (spring-forward gap) move forward by the gap; local times
that happen twice (fall-back) mean the first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_HHMM = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?")


def parse_hhmm(text: str) -> time:
    """'09:30' (or '9') -> time; anything else raises ValueError."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a clock time: {text!r}")
    return time(int(match.group(1)), int(match.group(2) or 0))


@dataclass(frozen=True)
class Quiet:
    """A daily quiet window; `start` > `end` means it crosses midnight (22:00-08:00)."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> Quiet:
        return cls(parse_hhmm(start), parse_hhmm(end))

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def at_local(day: date, clock: time, zone: str) -> datetime:
    """The UTC instant of a local wall-clock time on a local day, DST-safe."""
    # fold=0: a skipped wall time is read with the old offset (so it lands just after the
    # gap) and a repeated one means its first occurrence.
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def is_work_day(day: date, work_days: str) -> bool:
    return str(day.isoweekday()) in work_days


def next_allowed(
    moment: datetime,
    zone: str,
    quiet: Quiet,
    work_days: str | None = None,
) -> datetime:
    """The earliest instant at or after `moment` outside quiet hours (and on a working day,
    when `work_days` is given). A day off moves the push to the next working day's end of
    quiet hours."""
    tz = ZoneInfo(zone)
    candidate = moment.astimezone(UTC)
    for _ in range(16):
        local = candidate.astimezone(tz)
        if work_days is not None and work_days and not is_work_day(local.date(), work_days):
            day = local.date() + timedelta(days=1)
            while not is_work_day(day, work_days):
                day += timedelta(days=1)
            start = quiet.end if quiet.start != quiet.end else time(0)
            candidate = at_local(day, start, zone)
            continue
        if quiet.contains(local.time().replace(tzinfo=None)):
            end_day = local.date()
            if quiet.start > quiet.end and local.time() >= quiet.start:
                end_day += timedelta(days=1)
            candidate = at_local(end_day, quiet.end, zone)
            continue
        return candidate
    return candidate


def daily_due(
    day: date,
    at: str,
    zone: str,
    quiet: Quiet,
    work_days: str | None,
) -> datetime | None:
    """When a daily push for local `day` is due: its local time, moved out of quiet hours.

    None when `day` is not a working day (and working days apply) or when quiet hours push
    it past the end of that local day.
    """
    if work_days is not None and not is_work_day(day, work_days):
        return None
    due = next_allowed(at_local(day, parse_hhmm(at), zone), zone, quiet)
    if due.astimezone(ZoneInfo(zone)).date() != day:
        return None
    return due


def end_of_local_day(day: date, zone: str) -> datetime:
    return at_local(day + timedelta(days=1), time(0), zone)
