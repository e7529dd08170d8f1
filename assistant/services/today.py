"""The daily plan (PRODUCT.md 4): minutes per grade and the leads to work, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person, Team
from assistant.domain.allocation import GRADES, WEIGHTS, allocate, split_evenly
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.pipeline import LOST, WON
from assistant.services.suggestions import script_lines

LEADS_SHOWN_PER_GRADE = 10


@dataclass(frozen=True)
class PlannedLead:
    lead: Lead
    minutes: int
    overdue: bool
    due_today: bool


@dataclass
class GradePlan:
    grade: str
    weight: int
    minutes: int
    count: int
    leads: list[PlannedLead] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.leads)


@dataclass
class TodayPlan:
    day: date
    total_minutes: int
    grades: list[GradePlan]
    overdue: int
    due_today: int
    scripts: dict[int, str] = field(default_factory=dict)  # lead id -> suggested script text

    @property
    def lead_count(self) -> int:
        return sum(grade.count for grade in self.grades)


async def active_leads(session: AsyncSession, *, person: Person, team: Team) -> list[Lead]:
    """The person's own open leads in the team (not won, lost or deleted)."""
    result = await session.exec(
        select(Lead).where(
            Lead.team_id == team.id,
            Lead.owner_id == person.id,
            col(Lead.deleted_at).is_(None),
            col(Lead.stage).not_in([WON, LOST]),
        )
    )
    return list(result.all())


def _order_key(lead: Lead, now: datetime, today_end: datetime) -> tuple[int, float, int, date, int]:
    followup = lead.next_followup_at
    overdue = followup is not None and followup <= now
    due_today = followup is not None and not overdue and followup < today_end
    rank = 0 if overdue else 1 if due_today else 2
    when = followup.timestamp() if followup is not None and rank < 2 else 0.0
    no_date = 1 if lead.event_date is None else 0
    return rank, when, no_date, lead.event_date or date.max, lead.number


def build_plan(person: Person, leads: list[Lead], now: datetime) -> TodayPlan:
    """Split the person's working minutes across grades, then across each grade's leads.

    Within a grade: overdue follow-ups first (oldest first), then today's follow-ups, then by
    event date (nearest first, unknown dates last). Earlier leads get the larger minute shares.
    """
    day = local_today(now, person.timezone)
    _, today_end = local_day_bounds(day, person.timezone)
    by_grade: dict[str, list[Lead]] = {grade: [] for grade in GRADES}
    for lead in leads:
        by_grade.setdefault(lead.grade if lead.grade in by_grade else "D", []).append(lead)
    minutes = allocate(person.work_minutes, {g: len(v) for g, v in by_grade.items()})
    grades: list[GradePlan] = []
    overdue_total = due_total = 0
    for grade in GRADES:
        ordered = sorted(by_grade[grade], key=lambda lead: _order_key(lead, now, today_end))
        shares = split_evenly(minutes[grade], len(ordered))
        plan = GradePlan(grade, WEIGHTS[grade], minutes[grade], len(ordered))
        for lead, share in zip(ordered, shares, strict=True):
            rank = _order_key(lead, now, today_end)[0]
            overdue_total += rank == 0
            due_total += rank == 1
            if len(plan.leads) < LEADS_SHOWN_PER_GRADE:
                plan.leads.append(PlannedLead(lead, share, rank == 0, rank == 1))
        grades.append(plan)
    return TodayPlan(day, person.work_minutes, grades, overdue_total, due_total)


async def attach_scripts(
    session: AsyncSession, plan: TodayPlan, *, person: Person, team: Team, now: datetime
) -> TodayPlan:
    """Fill in the suggested script for every lead the plan shows."""
    shown = [planned.lead for grade in plan.grades for planned in grade.leads]
    plan.scripts = await script_lines(session, person=person, team=team, leads=shown, now=now)
    return plan


async def plan_for(
    session: AsyncSession, *, person: Person, team: Team, now: datetime
) -> TodayPlan:
    plan = build_plan(person, await active_leads(session, person=person, team=team), now)
    return await attach_scripts(session, plan, person=person, team=team, now=now)
