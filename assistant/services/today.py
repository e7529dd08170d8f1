"""The daily plan (PRODUCT.md 4): minutes per grade and the leads to work, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import and_, bindparam, case, union_all
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person, Team
from assistant.domain.allocation import GRADES, WEIGHTS, allocate, split_evenly
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.pipeline import LOST, WON
from assistant.services.actor import Actor
from assistant.services.suggestions import script_lines

PAGE_SIZE = 10  # leads per message: what a phone shows at a glance; "more" shows the next ones


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
    leads: list[PlannedLead] = field(default_factory=list)  # those on the plan's page

    @property
    def more(self) -> int:
        """The grade's leads not on this page."""
        return self.count - len(self.leads)


@dataclass
class TodayPlan:
    day: date
    total_minutes: int
    grades: list[GradePlan]
    overdue: int
    due_today: int
    scripts: dict[int, str] = field(default_factory=dict)  # lead id -> suggested script text
    page: int = 1  # PAGE_SIZE leads a page, in plan order across the grades

    @property
    def lead_count(self) -> int:
        return sum(grade.count for grade in self.grades)

    @property
    def first_shown(self) -> int:
        """The position of the page's first lead in the whole plan, from 1."""
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + sum(len(grade.leads) for grade in self.grades) - 1

    @property
    def remaining(self) -> int:
        """Leads after this page."""
        return max(self.lead_count - self.last_shown, 0)


def page_slices(counts: dict[str, int], page: int) -> dict[str, tuple[int, int]]:
    """Grade -> (offset, how many) of its leads on `page`: the plan lists A's leads, then B's,
    C's and D's, PAGE_SIZE a page."""
    start, end = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    slices: dict[str, tuple[int, int]] = {}
    position = 0
    for grade in GRADES:
        count = counts.get(grade, 0)
        low, high = max(start - position, 0), min(end - position, count)
        if high > low:
            slices[grade] = (low, high - low)
        position += count
    return slices


def last_page(lead_count: int) -> int:
    return max(-(-lead_count // PAGE_SIZE), 1)


async def active_leads(session: AsyncSession, actor: Actor) -> list[Lead]:
    """The actor's own open leads in their team (not won, lost or deleted)."""
    result = await session.exec(select(Lead).where(*_open_leads_of(actor.person, actor.team)))
    return list(result.all())


def _order_key(lead: Lead, now: datetime, today_end: datetime) -> tuple[int, float, int, date, int]:
    followup = lead.next_followup_at
    overdue = followup is not None and followup <= now
    due_today = followup is not None and not overdue and followup < today_end
    rank = 0 if overdue else 1 if due_today else 2
    when = followup.timestamp() if followup is not None and rank < 2 else 0.0
    no_date = 1 if lead.event_date is None else 0
    return rank, when, no_date, lead.event_date or date.max, lead.number


def _bucket(grade: str) -> str:
    return grade if grade in GRADES else "D"


def _in_bucket(bucket: str) -> Any:
    """The SQL form of _bucket(Lead.grade) == bucket."""
    if bucket == "D":
        return col(Lead.grade).not_in([grade for grade in GRADES if grade != "D"])
    return Lead.grade == bucket


def _day_and_end(person: Person, now: datetime) -> tuple[date, datetime]:
    day = local_today(now, person.timezone)
    return day, local_day_bounds(day, person.timezone)[1]


@dataclass(frozen=True)
class GradeCount:
    count: int = 0
    overdue: int = 0
    due_today: int = 0


def build_plan(person: Person, leads: list[Lead], now: datetime, page: int = 1) -> TodayPlan:
    """Split the person's working minutes across grades, then across each grade's leads.

    Within a grade: overdue follow-ups first (oldest first), then today's follow-ups, then by
    event date (nearest first, unknown dates last). Earlier leads get the larger minute shares.
    """
    _, today_end = _day_and_end(person, now)
    by_grade: dict[str, list[Lead]] = {grade: [] for grade in GRADES}
    for lead in leads:
        by_grade[_bucket(lead.grade)].append(lead)
    counts: dict[str, GradeCount] = {}
    for grade, graded in by_grade.items():
        ranks = [_order_key(lead, now, today_end)[0] for lead in graded]
        counts[grade] = GradeCount(len(graded), ranks.count(0), ranks.count(1))
        graded.sort(key=lambda lead: _order_key(lead, now, today_end))
    page = min(max(page, 1), last_page(sum(count.count for count in counts.values())))
    slices = page_slices({grade: count.count for grade, count in counts.items()}, page)
    shown = {
        grade: graded[offset : offset + size]
        for grade, graded in by_grade.items()
        for offset, size in [slices.get(grade, (0, 0))]
    }
    return _assemble(person, now, counts, shown, page)


def _assemble(
    person: Person,
    now: datetime,
    counts: dict[str, GradeCount],
    shown: dict[str, list[Lead]],
    page: int,
) -> TodayPlan:
    """The plan from each grade's counts and the leads of its slice of the page, in any order."""
    day, today_end = _day_and_end(person, now)
    minutes = allocate(person.work_minutes, {g: c.count for g, c in counts.items()})
    slices = page_slices({grade: count.count for grade, count in counts.items()}, page)
    grades: list[GradePlan] = []
    for grade in GRADES:
        count = counts.get(grade, GradeCount())
        on_page = sorted(shown.get(grade, []), key=lambda lead: _order_key(lead, now, today_end))
        offset, _ = slices.get(grade, (0, 0))
        shares = split_evenly(minutes[grade], count.count)[offset:]
        plan = GradePlan(grade, WEIGHTS[grade], minutes[grade], count.count)
        for lead, share in zip(on_page, shares, strict=False):
            rank = _order_key(lead, now, today_end)[0]
            plan.leads.append(PlannedLead(lead, share, rank == 0, rank == 1))
        grades.append(plan)
    overdue = sum(c.overdue for c in counts.values())
    due_today = sum(c.due_today for c in counts.values())
    return TodayPlan(day, person.work_minutes, grades, overdue, due_today, page=page)


def _open_leads_of(person: Person, team: Team) -> list[Any]:
    return [
        Lead.team_id == team.id,
        Lead.owner_id == person.id,
        col(Lead.deleted_at).is_(None),
        col(Lead.stage).not_in([WON, LOST]),
    ]


# The plan's two statements are built once, with the person, team and moments as parameters:
# building them per update cost more Python than running them.
_OPEN: Final[list[Any]] = [
    Lead.team_id == bindparam("team"),
    Lead.owner_id == bindparam("owner"),
    col(Lead.deleted_at).is_(None),
    col(Lead.stage).not_in([WON, LOST]),
]
_FOLLOWUP: Final = col(Lead.next_followup_at)
_NOW: Final[Any] = bindparam("now")
_DAY_END: Final[Any] = bindparam("day_end")
_GRADE_COUNTS: Final = (
    select(
        Lead.grade,
        func.count(),
        func.sum(case((_FOLLOWUP <= _NOW, 1), else_=0)),
        func.sum(case((and_(_FOLLOWUP > _NOW, _FOLLOWUP < _DAY_END), 1), else_=0)),
    )
    .where(*_OPEN)
    .group_by(col(Lead.grade))
)
_PLAN_ORDER: Final = (
    case((_FOLLOWUP <= _NOW, 0), (_FOLLOWUP < _DAY_END, 1), else_=2),
    case((_FOLLOWUP < _DAY_END, _FOLLOWUP)),  # the follow-up time, for the first two only
    col(Lead.event_date).is_(None),
    col(Lead.event_date),
    col(Lead.number),
)


def _page_statement(grades: tuple[str, ...]) -> Any:
    """The leads of each grade's slice of the page (offset_G, size_G), in one query."""
    firsts = [
        select(col(Lead.id))
        .where(*_OPEN, _in_bucket(grade))
        .order_by(*_PLAN_ORDER)
        .offset(bindparam(f"offset_{grade}"))
        .limit(bindparam(f"size_{grade}"))
        .subquery()
        for grade in grades
    ]
    ids = union_all(*(select(first.c.id) for first in firsts))
    return select(Lead).where(col(Lead.id).in_(ids))


_PAGES: Final = {
    grades: _page_statement(grades)
    for grades in (
        tuple(grade for index, grade in enumerate(GRADES) if mask & (1 << index))
        for mask in range(1, 1 << len(GRADES))
    )
}


def _plan_params(person: Person, team: Team, now: datetime, today_end: datetime) -> dict[str, Any]:
    return {"team": team.id, "owner": person.id, "now": now, "day_end": today_end}


async def _grade_counts(session: AsyncSession, params: dict[str, Any]) -> dict[str, GradeCount]:
    rows = await session.exec(_GRADE_COUNTS, params=params)
    counts: dict[str, GradeCount] = {}
    for grade, count, overdue_count, due_count in rows.all():
        before = counts.get(_bucket(grade), GradeCount())
        counts[_bucket(grade)] = GradeCount(
            before.count + count,
            before.overdue + int(overdue_count or 0),
            before.due_today + int(due_count or 0),
        )
    return counts


async def _page_leads(
    session: AsyncSession, params: dict[str, Any], slices: dict[str, tuple[int, int]]
) -> dict[str, list[Lead]]:
    """Each grade's leads on the page, in plan order (_order_key, as SQL), in one query."""
    if not slices:
        return {}
    grades = tuple(grade for grade in GRADES if grade in slices)
    params = dict(params)
    for grade, (offset, size) in slices.items():
        params[f"offset_{grade}"], params[f"size_{grade}"] = offset, size
    shown: dict[str, list[Lead]] = {}
    for lead in (await session.exec(_PAGES[grades], params=params)).all():
        shown.setdefault(_bucket(lead.grade), []).append(lead)
    return shown


async def attach_scripts(
    session: AsyncSession, plan: TodayPlan, actor: Actor, *, now: datetime
) -> TodayPlan:
    """Fill in the suggested script for every lead the plan shows."""
    shown = [planned.lead for grade in plan.grades for planned in grade.leads]
    plan.scripts = await script_lines(
        session, person=actor.person, team=actor.team, leads=shown, now=now
    )
    return plan


async def plan_for(
    session: AsyncSession, actor: Actor, *, now: datetime, page: int = 1
) -> TodayPlan:
    """build_plan() with the counting and ordering done by the database: only the leads shown
    are loaded (tests/integration/test_today_plan.py holds the two to the same result)."""
    person, team = actor.person, actor.team
    _, today_end = _day_and_end(person, now)
    params = _plan_params(person, team, now, today_end)
    counts = await _grade_counts(session, params)
    sizes = {grade: count.count for grade, count in counts.items()}
    page = min(max(page, 1), last_page(sum(sizes.values())))
    shown = await _page_leads(session, params, page_slices(sizes, page))
    plan = _assemble(person, now, counts, shown, page)
    return await attach_scripts(session, plan, actor, now=now)
