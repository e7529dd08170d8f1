"""When to follow up next (PRODUCT.md 5.1). Pure: every time is passed in.

| situation                    | next follow-up                                   |
| ---------------------------- | ------------------------------------------------ |
| new lead, not yet contacted  | created + 1 hour                                 |
| open lead after a contact    | contact + A 1 / B 3 / C 7 / D 14 days (per team) |
| visited, no deal             | visit + 1, 7, 30, 60, 90 days: the next step due  |
| won                          | won + 30 days (after-sale visit)                 |
| lost                         | lost + 90 days (reactivation)                    |

These are raw moments; assistant/domain/working_slots.py moves them onto a working slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

FIRST_CONTACT: Final = timedelta(hours=1)
VISITED_STEPS_DAYS: Final = (1, 7, 30, 60, 90)
AFTER_SALE: Final = timedelta(days=30)
REACTIVATION: Final = timedelta(days=90)
DEFAULT_CADENCE: Final = {"A": 1, "B": 3, "C": 7, "D": 14}
# Stages whose follow-up counts from when the lead entered them; others ignore `stage_since`.
DATED_STAGES: Final = frozenset({"visited", "won", "lost"})


def awaits_first_contact(stage: str, contacted: bool) -> bool:
    """A new lead nobody has contacted yet: its follow-up is the first contact's hour."""
    return not contacted and stage in {"new", "lead"}


def first_followup(created_at: datetime) -> datetime:
    """A new lead is contacted within the hour."""
    return created_at + FIRST_CONTACT


def after_contact(
    contacted_at: datetime, grade: str, cadence: Mapping[str, int] = DEFAULT_CADENCE
) -> datetime:
    return contacted_at + timedelta(days=cadence.get(grade, cadence.get("D", 14)))


def after_visit(visited_at: datetime, now: datetime) -> datetime | None:
    """The first step of +1/+7/+30/+60/+90 days after the visit that is still ahead."""
    for days in VISITED_STEPS_DAYS:
        step = visited_at + timedelta(days=days)
        if step > now:
            return step
    return None


def after_won(won_at: datetime) -> datetime:
    return won_at + AFTER_SALE


def after_lost(lost_at: datetime) -> datetime:
    return lost_at + REACTIVATION


def next_followup(
    *,
    stage: str,
    grade: str,
    now: datetime,
    created_at: datetime,
    contacted: bool,
    stage_since: datetime,
    cadence: Mapping[str, int] = DEFAULT_CADENCE,
) -> datetime | None:
    """The next follow-up for a lead in `stage` as of `now`; None when nothing is due.

    `stage_since` is when the lead entered its stage (the visit, the win, the loss); once the
    after-sale visit or the reactivation date has passed, nothing more is scheduled.
    """
    if stage == "won":
        due = after_won(stage_since)
        return due if due > now else None
    if stage == "lost":
        due = after_lost(stage_since)
        return due if due > now else None
    if awaits_first_contact(stage, contacted):
        return first_followup(created_at)  # stays due (or overdue) until the first contact
    if stage == "visited":
        step = after_visit(stage_since, now)
        if step is not None:
            return step
    return after_contact(now, grade, cadence)
