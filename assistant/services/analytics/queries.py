"""The counts behind every figure: lead events in the person's local calendar.

Which figure comes from where (PRODUCT.md 3.1; docs/how-it-works.md "Where the counts come
from"). LeadRollup (assistant/db/rollups.py) holds the counted events per owner and local day,
so a figure that is a sum of per-day figures is read from it, ~30 rows per kind for a month:

| figure                                   | from          | why                                 |
| ---------------------------------------- | ------------- | ----------------------------------- |
| new leads                                | rollup        | one "created" event per lead        |
| phone obtained, WeChat added             | rollup        | one event per lead (once, ever)     |
| contacts (events), contacts per grade    | rollup        | a count of events                   |
| revenue                                  | rollup        | a sum over won events (in cents)    |
| leads contacted                          | events        | distinct leads over the period: a   |
|                                          |               | lead contacted on 3 days counts once |
|                                          |               | (not read for /team, digest, /goal:  |
|                                          |               | they do not show it)                |
| valid, invited, visited, won, lost       | events        | distinct leads per stage over the   |
|                                          |               | period (a lead may enter twice)     |
| lost reasons, days in stage, A-lead conv. | events        | need each move and the lead history |
| pace (deals this month)                  | events        | distinct leads won                  |

The rollup is read only for whole local days in the owner's own zone (`days`), the zone its
rows are keyed in; a caller with other bounds gets every figure from the events as before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, func, literal, literal_column, null, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, LeadRollup, MarketingDay, MonthlyGoal, Team
from assistant.domain import events as ev
from assistant.domain import funnel
from assistant.domain.funnel import (
    EventRow,
    Marketing,
    PeriodCounts,
)
from assistant.domain.localtime import local_day_bounds
from assistant.domain.periods import Period
from assistant.domain.pipeline import WON, stages
from assistant.services.analytics import moves

COUNTED_KINDS = (ev.CREATED, ev.CONTACT, ev.PHONE, ev.WECHAT)
ROLLUP: Any = LeadRollup.__table__  # type: ignore[attr-defined]
HISTORY_KINDS = (ev.CREATED, ev.STAGE, ev.GRADE)
GOAL_HISTORY_DAYS = 90
MAX_GOAL = 100_000
BAR_WIDTH = 10


# --------------------------------------------------------------------------- queries


def utc_bounds(period: Period, zone: str) -> tuple[datetime, datetime]:
    """Where the period's first local day starts and the day after its last starts."""
    return local_day_bounds(period.start, zone)[0], local_day_bounds(period.end, zone)[1]


async def period_counts(
    session: AsyncSession,
    *,
    team: Team,
    person_id: int,
    start: datetime,
    end: datetime,
    days: tuple[date, date] | None = None,
    contacted: bool = True,
) -> PeriodCounts:
    """Everything one person's leads did between two instants (end exclusive); `days` and
    `contacted` as in `counts_by_owner`."""
    found = await counts_by_owner(
        session, team=team, person_ids=[person_id], start=start, end=end, days=days,
        contacted=contacted,
    )  # fmt: skip
    return found[person_id]


async def counts_by_owner(
    session: AsyncSession,
    *,
    team: Team,
    person_ids: list[int],
    start: datetime,
    end: datetime,
    grades: bool = True,
    history: bool = True,
    days: tuple[date, date] | None = None,
    contacted: bool = True,
) -> dict[int, PeriodCounts]:
    """`period_counts` for several people of a team at once, in a fixed number of queries
    (grouped by owner), so a team table of 50 members does not make 50 round trips.

    A caller that shows neither the effort mix nor days in stage / A-lead conversion can
    leave out the contacts per grade (`grades=False`) and the moved leads' history
    (`history=False`): contact_grades, stage_days, a_won and a_lost then stay empty.

    Created, contact, phone and WeChat events are counted in the database. With `days`, so are
    the stage counts and losses, and the moved leads' history comes back as plain sorted rows
    for moves.tally to walk (moves.py); without, every stage event and history row comes back
    as an EventRow for funnel.count_events, the straightforward way the tests compare with.

    `days` (first, last): the same period as local days of every person's own zone (the zone
    `start` and `end` were computed in): the additive figures are then read from LeadRollup
    (see the module docstring) and only the rest from the events. With `days`, a caller that
    does not show leads contacted (the team table, the digest, /goal) can leave it out
    (`contacted=False`, it stays 0): it is the one figure that needs the period's contacts
    scanned, as distinct leads.
    """
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    connection = await session.connection()
    bound = {"team_id": team.id, "owners": wanted, "start": start, "end": end}
    totals: dict[int, dict[str, tuple[int, int]]] = {pid: {} for pid in wanted}
    per_person_grades: dict[int, dict[str, int]] = {pid: {} for pid in wanted}
    revenue: dict[int, float] = {}
    if days is not None:
        kept = per_person_grades if grades else {pid: {} for pid in wanted}
        # Leads contacted (distinct over the period) are scanned from the events in the same
        # statement as the rollup's rows, when shown.
        found_rolled = await connection.execute(
            _rollup_statement(contacted), {**bound, "first": days[0], "last": days[1]}
        )
        revenue = _rolled(found_rolled.all(), totals, kept)
    if days is None:
        per_kind = await connection.execute(_per_kind_statement(), bound)
        for owner_id, kind, events, distinct in per_kind.all():
            totals[int(owner_id or 0)][kind] = (int(events), int(distinct))
    elif not contacted:  # contacts from the rollup, their distinct leads left out
        for mine in totals.values():
            if ev.CONTACT in mine:
                mine[ev.CONTACT] = (mine[ev.CONTACT][0], 0)
    if grades and days is None:
        per_grade = await connection.execute(_per_grade_statement(), bound)
        for owner_id, name, count in per_grade.all():
            per_person_grades[int(owner_id or 0)][str(name)] = int(count)
    if days is not None:  # the stage figures counted in the database (moves.py)
        order = stages(team.pipeline)
        found_moves = await connection.execute(moves.moves_statement(order, history), bound)
        counted = moves.tally(found_moves.all(), wanted, order)
        return {
            pid: _with_totals(
                PeriodCounts(
                    pipeline=team.pipeline,
                    reached=counted[pid].reached,
                    lost=len(counted[pid].lost),
                    revenue=revenue.get(pid, 0.0),
                    a_won=len(counted[pid].a_won),
                    a_lost=len(counted[pid].a_lost),
                    lost_reasons=tuple(counted[pid].reasons.most_common(3)),
                    stage_days=counted[pid].stage_days(),
                ),
                totals[pid],
                per_person_grades[pid],
            )
            for pid in wanted
        }
    # Without `days`, the straightforward way: every move and history row to the domain.
    statement = _moves_statement(history)
    rows: dict[int, list[EventRow]] = {pid: [] for pid in wanted}
    earlier: dict[int, list[EventRow]] = {}
    found: list[Any] = list((await connection.execute(statement, bound)).all())
    for in_period, owner_id, lead_id, kind, at, from_value, to_value, *rest in found:
        amount, reason, grade_value = rest
        if in_period:
            details = {}  # only won and lost moves have any (the CASE gives NULL otherwise)
            if amount or reason:
                fields = {"amount": amount, "reason": reason}
                details = {key: value for key, value in fields.items() if value}
            rows[int(owner_id or 0)].append(
                EventRow(lead_id, kind, at, from_value, to_value, details)
            )
        else:
            earlier.setdefault(lead_id, []).append(
                EventRow(
                    lead_id, kind, at, from_value, to_value,
                    {"grade": grade_value} if grade_value else {},
                )
            )  # fmt: skip
    counts: dict[int, PeriodCounts] = {}
    for pid in wanted:
        own = rows[pid]
        moved_ids = {row.lead_id for row in own}
        stages_only = funnel.count_events(
            own,
            pipeline=team.pipeline,
            start=start,
            end=end,
            history=[item for lead in sorted(moved_ids) for item in earlier.get(lead, [])],
        )
        counts[pid] = _with_totals(stages_only, totals[pid], per_person_grades[pid])
    return counts


def _with_totals(
    stages_only: PeriodCounts, mine: dict[str, tuple[int, int]], grades: dict[str, int]
) -> PeriodCounts:
    """The stage figures with the counted ones: (events, distinct leads) per kind."""
    return replace(
        stages_only,
        created=mine.get(ev.CREATED, (0, 0))[1],
        contacted=mine.get(ev.CONTACT, (0, 0))[1],
        contacts=mine.get(ev.CONTACT, (0, 0))[0],
        phone=mine.get(ev.PHONE, (0, 0))[1],
        wechat=mine.get(ev.WECHAT, (0, 0))[1],
        contact_grades=grades,
    )


# The statements of counts_by_owner, built once per variant with bound parameters: team_id,
# owners (the person ids, expanding), start and end (instants), first and last (local days).
# Building them afresh cost more than a millisecond a call.


@cache
def _per_kind_statement() -> Any:
    owner = col(LeadEvent.owner_id)
    return (
        sa_select(
            owner,
            col(LeadEvent.kind),
            func.count(),
            func.count(func.distinct(col(LeadEvent.lead_id))),
        )
        .where(*moves.scope(), col(LeadEvent.kind).in_(COUNTED_KINDS))
        .group_by(owner, col(LeadEvent.kind))
    )


@cache
def _per_grade_statement() -> Any:
    owner = col(LeadEvent.owner_id)
    return (
        sa_select(owner, col(LeadEvent.grade), func.count())
        .where(*moves.scope(), col(LeadEvent.kind) == ev.CONTACT, col(LeadEvent.grade).is_not(None))
        .group_by(owner, col(LeadEvent.grade))
    )


@cache
def _moves_statement(history: bool) -> Any:
    """The period's stage moves; with `history`, the moved leads' history in a second branch.

    The amount of each won and the reason of each lost stage event come in the same
    rows, read from the payload of these few only (decoding every stage row's JSON cost more
    than the rest of a busy team's week). The history branch is read from the leads' own
    index; the moved leads are a subquery: one constant statement however many leads moved,
    instead of an IN list of their ids."""
    columns = [
        col(LeadEvent.lead_id),
        col(LeadEvent.kind),
        col(LeadEvent.at),
        col(LeadEvent.from_value),
        col(LeadEvent.to_value),
    ]
    read = sorted(funnel.CLOSING_STAGES)
    closing = col(LeadEvent.to_value).in_(read)
    payload = col(LeadEvent.payload)
    moved_rows = sa_select(
        literal(True).label("moved"),
        col(LeadEvent.owner_id),
        *columns,
        case((closing, payload["amount"].as_string())),
        case((closing, payload["reason"].as_string())),
        col(LeadEvent.grade),
    ).where(*moves.scope(), col(LeadEvent.kind) == ev.STAGE)
    # In time order (then by lead and kind), as a walk meets them: it decides the lost reasons'
    # ties (most_common keeps the first seen first); PostgreSQL gives a bitmap scan's rows in
    # the heap's order otherwise.
    if not history:
        return moved_rows.order_by(col(LeadEvent.at), col(LeadEvent.lead_id), col(LeadEvent.kind))
    moved = (
        sa_select(col(LeadEvent.lead_id))
        .where(*moves.scope(), col(LeadEvent.kind) == ev.STAGE)
        .scalar_subquery()
    )
    return union_all(
        moved_rows,
        sa_select(literal(False), null(), *columns, null(), null(), col(LeadEvent.grade)).where(
            col(LeadEvent.lead_id).in_(moved),
            col(LeadEvent.kind).in_(HISTORY_KINDS),
            col(LeadEvent.at) < bindparam("end"),
        ),
    ).order_by(literal_column("at"), literal_column("lead_id"), literal_column("kind"))


@cache
def _rollup_statement(contacted: bool) -> Any:
    """The additive figures from LeadRollup, in one grouped read: events per kind (created,
    phone and WeChat are one per lead, so also their leads), contacts per grade, and revenue.
    With `contacted`, a second UNION ALL branch counts the contact events and their distinct
    leads per owner from LeadEvent: the leads contacted, which the rollup cannot add up."""
    kinds = (ev.CREATED, ev.CONTACT, ev.PHONE, ev.WECHAT)
    statement: Any = (
        sa_select(
            literal(False).label("scanned"),
            ROLLUP.c.owner_id,
            ROLLUP.c.kind,
            ROLLUP.c.grade,
            func.sum(ROLLUP.c.count),
            func.sum(ROLLUP.c.cents),
        )
        .where(
            ROLLUP.c.team_id == bindparam("team_id"),
            ROLLUP.c.owner_id.in_(bindparam("owners", expanding=True)),
            ROLLUP.c.day >= bindparam("first"),
            ROLLUP.c.day <= bindparam("last"),
            ROLLUP.c.kind.in_(kinds) | ((ROLLUP.c.kind == ev.STAGE) & (ROLLUP.c.to_value == WON)),
        )
        .group_by(ROLLUP.c.owner_id, ROLLUP.c.kind, ROLLUP.c.grade)
    )
    if not contacted:
        return statement
    owner = col(LeadEvent.owner_id)
    return union_all(
        statement,
        sa_select(
            literal(True),
            owner,
            col(LeadEvent.kind),
            literal(""),
            func.count(func.distinct(col(LeadEvent.lead_id))),
            func.count(),
        )
        .where(*moves.scope(), col(LeadEvent.kind) == ev.CONTACT)
        .group_by(owner, col(LeadEvent.kind)),
    )


def _rolled(
    found: Any,
    totals: dict[int, dict[str, tuple[int, int]]],
    grades: dict[int, dict[str, int]],
) -> dict[int, float]:
    """Fills `totals` and `grades` from the rows of `_rollup_statement`; returns revenue per
    owner."""
    cents: dict[int, int] = {}
    scanned: list[tuple[int, int, int]] = []
    for from_events, owner_id, kind, grade, count, amount in found:
        pid, count = int(owner_id), int(count or 0)
        if from_events:  # distinct leads contacted, contact events
            scanned.append((pid, count, int(amount or 0)))
        elif kind == ev.STAGE:
            cents[pid] = cents.get(pid, 0) + int(amount or 0)
        else:
            before = totals[pid].get(kind, (0, 0))[0]
            totals[pid][kind] = (before + count, before + count)
            if kind == ev.CONTACT and grade and count:
                grades[pid][grade] = grades[pid].get(grade, 0) + count
    for pid, distinct, events in scanned:
        # Contacts: the events from the rollup, the distinct leads from the scan.
        rolled = totals[pid].get(ev.CONTACT)
        totals[pid][ev.CONTACT] = (rolled[0] if rolled else events, distinct)
    return {pid: value / 100 for pid, value in cents.items()}


async def marketing_between(
    session: AsyncSession, *, team_id: int, person_id: int, first: date, last: date
) -> Marketing:
    connection = await session.connection()
    bound = {"team_id": team_id, "person_id": person_id, "first": first, "last": last}
    rows = (await connection.execute(_marketing_statement(), bound)).all()
    return funnel.sum_marketing(Marketing(**row._asdict()) for row in rows)


# The statements of marketing_between, _goal_orders and _won_between, built once with bound
# parameters: building and caching a statement cost ~0.3 ms a call, more than running these.


@cache
def _marketing_statement() -> Any:
    days: Any = MarketingDay.__table__  # type: ignore[attr-defined]
    c = days.c
    return sa_select(c.impressions, c.clicks, c.visits, c.consultations, c.orders, c.cost).where(
        c.team_id == bindparam("team_id"),
        c.person_id == bindparam("person_id"),
        c.day >= bindparam("first"),
        c.day <= bindparam("last"),
    )


def marketing_of(day: MarketingDay) -> Marketing:
    """One stored day's marketing figures, as the funnel reads them."""
    return Marketing(
        impressions=day.impressions,
        clicks=day.clicks,
        visits=day.visits,
        consultations=day.consultations,
        orders=day.orders,
        cost=day.cost,
    )


async def _goal_orders(
    session: AsyncSession, *, team_id: int, person_id: int, month: date
) -> int | None:
    """The orders of the person's goal for the month, None without one."""
    connection = await session.connection()
    bound = {"team_id": team_id, "person_id": person_id, "month": month}
    orders = (await connection.execute(_goal_statement(), bound)).scalar()
    return None if orders is None else int(orders)


@cache
def _goal_statement() -> Any:
    goals: Any = MonthlyGoal.__table__  # type: ignore[attr-defined]
    return sa_select(goals.c.orders).where(
        goals.c.team_id == bindparam("team_id"),
        goals.c.person_id == bindparam("person_id"),
        goals.c.month == bindparam("month"),
    )


async def _goal(
    session: AsyncSession, *, team_id: int, person_id: int, month: date
) -> MonthlyGoal | None:
    result = await session.exec(
        select(MonthlyGoal).where(
            MonthlyGoal.team_id == team_id,
            MonthlyGoal.person_id == person_id,
            MonthlyGoal.month == month,
        )
    )
    return result.first()


async def _won_between(
    session: AsyncSession, *, team_id: int, person_id: int, start: datetime, end: datetime
) -> int:
    connection = await session.connection()
    bound = {"team_id": team_id, "person_id": person_id, "start": start, "end": end}
    return int((await connection.execute(_won_statement(), bound)).scalar() or 0)


@cache
def _won_statement() -> Any:
    return (
        sa_select(func.count(func.distinct(col(LeadEvent.lead_id))))
        .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
        .where(
            col(LeadEvent.team_id) == bindparam("team_id"),
            col(LeadEvent.owner_id) == bindparam("person_id"),
            col(LeadEvent.kind) == ev.STAGE,
            col(LeadEvent.to_value) == WON,
            col(LeadEvent.at) >= bindparam("start"),
            col(LeadEvent.at) < bindparam("end"),
            col(Lead.deleted_at).is_(None),
        )
    )
