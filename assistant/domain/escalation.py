"""The escalation ladder for an overdue follow-up (PRODUCT.md 5.3).

| step     | when (after the follow-up time) | to whom                                 |
| -------- | ------------------------------- | --------------------------------------- |
| remind   | at once                         | the lead's owner                        |
| again    | 1 day overdue                   | the lead's owner                        |
| manager  | 3 days overdue                  | the team's managers (a copy)            |
| reassign | 7 days overdue                  | the team's managers, with a reassign button |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

Audience = Literal["owner", "managers"]


@dataclass(frozen=True)
class Step:
    name: str
    after: timedelta
    audience: Audience


LADDER: Final[tuple[Step, ...]] = (
    Step("remind", timedelta(0), "owner"),
    Step("again", timedelta(days=1), "owner"),
    Step("manager", timedelta(days=3), "managers"),
    Step("reassign", timedelta(days=7), "managers"),
)


def reached(followup_at: datetime, now: datetime) -> list[Step]:
    """Every step whose time has come, in ladder order."""
    overdue = now - followup_at
    return [step for step in LADDER if overdue >= step.after]


def current(followup_at: datetime, now: datetime) -> dict[Audience, Step]:
    """The latest step reached for each audience.

    A planner that was stopped for days sends only the latest reminder and the latest manager
    step instead of every missed one.
    """
    latest: dict[Audience, Step] = {}
    for step in reached(followup_at, now):
        latest[step.audience] = step
    return latest


def days_overdue(followup_at: datetime, now: datetime) -> int:
    return max(0, (now - followup_at).days)


def step_due_at(followup_at: datetime, step: Step) -> datetime:
    return followup_at + step.after
