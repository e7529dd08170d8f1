"""Daily numbers and the funnel: summaries, marketing figures, goals, the evening review.

Every count is a query over LeadEvent rows in the person's local calendar (PRODUCT.md 3.1);
the rules live in assistant.domain.funnel. The functions here return plain, JSON-friendly view
models (dicts of strings and numbers) that the templates render, so a scheduler can store them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, MarketingDay, MonthlyGoal, Person, Team
from assistant.domain import events as ev
from assistant.domain import funnel
from assistant.domain.funnel import (
    EventRow,
    Marketing,
    NumbersError,
    PeriodCounts,
    format_number,
    format_percent,
)
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.periods import Period, PeriodError, month_arg, parse_day
from assistant.domain.pipeline import stages
from assistant.domain.team_settings import effective
from assistant.services.concurrency import one_at_a_time
from assistant.services.errors import UserError
from assistant.services.teams import active_team

COUNTED_KINDS = (ev.CREATED, ev.CONTACT, ev.PHONE, ev.WECHAT)
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
) -> PeriodCounts:
    """Everything one person's leads did between two instants (end exclusive)."""
    found = await counts_by_owner(session, team=team, person_ids=[person_id], start=start, end=end)
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
) -> dict[int, PeriodCounts]:
    """`period_counts` for several people of a team at once, in a fixed number of queries
    (grouped by owner), so a team table of 50 members does not make 50 round trips.

    A caller that shows neither the effort mix nor days in stage / A-lead conversion can
    leave out the contacts per grade (`grades=False`) and the moved leads' history
    (`history=False`): contact_grades, stage_days, a_won and a_lost then stay empty.

    Created, contact, phone and WeChat events are counted in the database; only stage events
    (and the history of the leads they moved) come back as rows for the domain to walk.
    """
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    connection = await session.connection()
    deleted = sa_select(col(Lead.id)).where(
        col(Lead.team_id) == team.id, col(Lead.deleted_at).is_not(None)
    )
    # No join to Lead: the few soft-deleted leads are left out through their own small index,
    # so the counts below are read from the covering index of LeadEvent alone.
    scope = (
        col(LeadEvent.team_id) == team.id,
        col(LeadEvent.owner_id).in_(wanted),
        col(LeadEvent.at) >= start,
        col(LeadEvent.at) < end,
        col(LeadEvent.lead_id).not_in(deleted),
    )
    owner = col(LeadEvent.owner_id)
    per_kind = await connection.execute(
        sa_select(
            owner,
            col(LeadEvent.kind),
            func.count(),
            func.count(func.distinct(col(LeadEvent.lead_id))),
        )
        .where(*scope, col(LeadEvent.kind).in_(COUNTED_KINDS))
        .group_by(owner, col(LeadEvent.kind))
    )
    totals: dict[int, dict[str, tuple[int, int]]] = {pid: {} for pid in wanted}
    for owner_id, kind, events, distinct in per_kind.all():
        totals[int(owner_id or 0)][kind] = (int(events), int(distinct))
    per_person_grades: dict[int, dict[str, int]] = {pid: {} for pid in wanted}
    if grades:
        per_grade = await connection.execute(
            sa_select(owner, col(LeadEvent.grade), func.count())
            .where(*scope, col(LeadEvent.kind) == ev.CONTACT, col(LeadEvent.grade).is_not(None))
            .group_by(owner, col(LeadEvent.grade))
        )
        for owner_id, name, count in per_grade.all():
            per_person_grades[int(owner_id or 0)][str(name)] = int(count)
    columns = [
        col(LeadEvent.lead_id),
        col(LeadEvent.kind),
        col(LeadEvent.at),
        col(LeadEvent.from_value),
        col(LeadEvent.to_value),
    ]
    stage_rows: list[Any] = list(
        (
            await connection.execute(
                sa_select(owner, col(LeadEvent.id), *columns).where(
                    *scope, col(LeadEvent.kind) == ev.STAGE
                )
            )
        ).all()
    )
    closing = [row[1] for row in stage_rows if row[-1] in funnel.CLOSING_STAGES]
    details = await _closing_details(connection, closing)
    rows: dict[int, list[EventRow]] = {pid: [] for pid in wanted}
    for owner_id, event_id, lead_id, kind, at, from_value, to_value in stage_rows:
        rows[int(owner_id or 0)].append(
            EventRow(lead_id, kind, at, from_value, to_value, details.get(event_id, {}))
        )
    earlier: dict[int, list[EventRow]] = {}
    if history and stage_rows:
        # The leads moved in the period, as a subquery: one constant statement however many
        # leads moved, instead of an IN list of their ids.
        moved = (
            sa_select(col(LeadEvent.lead_id))
            .where(*scope, col(LeadEvent.kind) == ev.STAGE)
            .scalar_subquery()
        )
        found = await connection.execute(
            sa_select(*columns, col(LeadEvent.grade)).where(
                col(LeadEvent.lead_id).in_(moved),
                col(LeadEvent.kind).in_(HISTORY_KINDS),
                col(LeadEvent.at) < end,
            )
        )
        history_rows: list[Any] = list(found.all())
        for lead_id, kind, at, from_value, to_value, grade_value in history_rows:
            earlier.setdefault(lead_id, []).append(
                EventRow(
                    lead_id,
                    kind,
                    at,
                    from_value,
                    to_value,
                    {"grade": grade_value} if grade_value else {},
                )
            )
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
        mine = totals[pid]
        counts[pid] = replace(
            stages_only,
            created=mine.get(ev.CREATED, (0, 0))[1],
            contacted=mine.get(ev.CONTACT, (0, 0))[1],
            contacts=mine.get(ev.CONTACT, (0, 0))[0],
            phone=mine.get(ev.PHONE, (0, 0))[1],
            wechat=mine.get(ev.WECHAT, (0, 0))[1],
            contact_grades=per_person_grades[pid],
        )
    return counts


async def _closing_details(connection: Any, event_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The amount of each won and the reason of each lost stage event, by event id. Only these
    few rows are read from the table: decoding every stage row's JSON cost more than the rest
    of a busy team's week."""
    payload = col(LeadEvent.payload)
    details: dict[int, dict[str, Any]] = {}
    for chunk in range(0, len(event_ids), 500):
        found = await connection.execute(
            sa_select(
                col(LeadEvent.id), payload["amount"].as_string(), payload["reason"].as_string()
            ).where(col(LeadEvent.id).in_(event_ids[chunk : chunk + 500]))
        )
        for event_id, amount, reason in found.all():
            fields = {"amount": amount, "reason": reason}
            details[event_id] = {key: value for key, value in fields.items() if value}
    return details


async def marketing_between(
    session: AsyncSession, *, team_id: int, person_id: int, first: date, last: date
) -> Marketing:
    result = await session.exec(
        select(MarketingDay).where(
            MarketingDay.team_id == team_id,
            MarketingDay.person_id == person_id,
            col(MarketingDay.day) >= first,
            col(MarketingDay.day) <= last,
        )
    )
    return funnel.sum_marketing(
        Marketing(
            impressions=day.impressions,
            clicks=day.clicks,
            visits=day.visits,
            consultations=day.consultations,
            orders=day.orders,
            cost=day.cost,
        )
        for day in result.all()
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
    result = await session.exec(
        select(func.count(func.distinct(LeadEvent.lead_id)))
        .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
        .where(
            LeadEvent.team_id == team_id,
            LeadEvent.owner_id == person_id,
            LeadEvent.kind == ev.STAGE,
            LeadEvent.to_value == "won",
            col(LeadEvent.at) >= start,
            col(LeadEvent.at) < end,
            col(Lead.deleted_at).is_(None),
        )
    )
    return int(result.one() or 0)


# --------------------------------------------------------------------------- view models


def _pct(value: float | None) -> str:
    return format_percent(value)


def _money(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def period_view(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "single": period.start == period.end,
    }


def _stages_view(counts: PeriodCounts, targets: dict[str, Any]) -> list[dict[str, Any]]:
    order = stages(counts.pipeline)
    per_stage = counts.stage_counts()
    biggest = max(per_stage.values(), default=0)
    steps = {step.target: step for step in funnel.steps(order, per_stage)}
    rows = []
    for stage in order:
        step = steps.get(stage)
        rows.append(
            {
                "stage": stage,
                "count": per_stage[stage],
                "bar": funnel.text_bar(per_stage[stage], biggest, BAR_WIDTH).ljust(BAR_WIDTH),
                "padded": str(per_stage[stage]).rjust(len(str(biggest))),
                "rate": _pct(step.rate) if step else "",
                "days": format_number(counts.stage_days.get(stage)),
                "has_days": stage in counts.stage_days,
            }
        )
    return rows


def _checks_view(checks: list[funnel.RateCheck]) -> list[dict[str, Any]]:
    return [
        {
            "key": check.key,
            "value": _pct(check.value),
            "target": format_number(check.target),
            "status": check.status,
            "numerator": check.numerator,
            "denominator": check.denominator,
            "gap": format_number(abs(check.gap) if check.gap is not None else None),
        }
        for check in checks
    ]


def _rule_view(rule: funnel.Rule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"key": rule.key, "causes": list(rule.causes), "action": rule.action}


def _marketing_view(marketing: Marketing) -> dict[str, Any] | None:
    if marketing.empty:
        return None
    layers = [
        {"key": name, "count": format_number(marketing.layer(name))} for name in funnel.LAYERS
    ]
    rates = [{"key": rate.key, "value": _pct(rate.value)} for rate in funnel.layer_rates(marketing)]
    loss = funnel.click_visit_loss(marketing)
    return {
        "layers": layers,
        "rates": rates,
        "click_visit_loss": _pct(loss),
        "flagged": funnel.click_visit_flagged(marketing),
        "cost": format_number(marketing.cost, 2) if marketing.cost is not None else None,
        "cost_per_click": format_number(funnel.cost_per(marketing, "clicks"), 2),
        "cost_per_order": format_number(funnel.cost_per(marketing, "orders"), 2),
    }


def pace_view(current: funnel.Pace) -> dict[str, Any]:
    return {
        "target": current.target,
        "done": current.done,
        "expected": format_number(round(current.expected, 1)),
        "left": current.left,
        "remaining_days": current.remaining_days,
        "per_day": format_number(
            None if current.per_day_needed is None else round(current.per_day_needed, 1)
        ),
        "behind": current.done < current.expected,
        "progress": _pct(current.progress),
    }


async def pace_for(
    session: AsyncSession, *, team: Team, person: Person, now: datetime
) -> dict[str, Any] | None:
    assert team.id is not None and person.id is not None
    today = local_today(now, person.timezone)
    first, last = funnel.month_bounds(today)
    goal = await _goal(session, team_id=team.id, person_id=person.id, month=first)
    if goal is None:
        return None
    start = local_day_bounds(first, person.timezone)[0]
    end = local_day_bounds(last, person.timezone)[1]
    done = await _won_between(session, team_id=team.id, person_id=person.id, start=start, end=end)
    current = funnel.pace(goal.orders, done, today=today, work_days=person.work_days)
    return {"month": first.strftime("%Y-%m"), **pace_view(current)}


async def won_by_owner(
    session: AsyncSession, *, team_id: int, person_ids: list[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Leads won between two instants, per owner, in one grouped query."""
    if not person_ids:
        return {}
    result = await session.exec(
        select(LeadEvent.owner_id, func.count(func.distinct(LeadEvent.lead_id)))
        .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
        .where(
            LeadEvent.team_id == team_id,
            col(LeadEvent.owner_id).in_(person_ids),
            LeadEvent.kind == ev.STAGE,
            LeadEvent.to_value == "won",
            col(LeadEvent.at) >= start,
            col(LeadEvent.at) < end,
            col(Lead.deleted_at).is_(None),
        )
        .group_by(col(LeadEvent.owner_id))
    )
    return {int(owner or 0): int(count) for owner, count in result.all()}


async def paces_for(
    session: AsyncSession, *, team: Team, people: list[Person], now: datetime
) -> dict[int, funnel.Pace]:
    """`pace_for` for many members at once: each member's monthly goal against the deals won
    so far this month, in their own calendar. Members without a goal are left out."""
    assert team.id is not None
    by_zone: dict[str, list[Person]] = {}
    for person in people:
        by_zone.setdefault(person.timezone, []).append(person)
    paces: dict[int, funnel.Pace] = {}
    for zone, group in by_zone.items():
        today = local_today(now, zone)
        first, last = funnel.month_bounds(today)
        ids = [person.id for person in group if person.id is not None]
        goals = {
            goal.person_id: goal.orders
            for goal in (
                await session.exec(
                    select(MonthlyGoal).where(
                        MonthlyGoal.team_id == team.id,
                        col(MonthlyGoal.person_id).in_(ids),
                        MonthlyGoal.month == first,
                    )
                )
            ).all()
        }
        if not goals:
            continue
        won = await won_by_owner(
            session,
            team_id=team.id,
            person_ids=sorted(goals),
            start=local_day_bounds(first, zone)[0],
            end=local_day_bounds(last, zone)[1],
        )
        for person in group:
            if person.id in goals:
                paces[person.id] = funnel.pace(
                    goals[person.id], won.get(person.id, 0), today=today, work_days=person.work_days
                )
    return paces


# --------------------------------------------------------------------------- /summary


def _diagnosis_view(found: funnel.Diagnosis, checks: list[funnel.RateCheck]) -> dict[str, Any]:
    gap = next((c.gap for c in checks if c.key == found.subject), None)
    return {
        "reason": found.reason,
        "subject": found.subject,
        "gap": format_number(None if gap is None else round(abs(gap), 1)),
        **(_rule_view(found.rule) or {}),
    }


@dataclass(frozen=True)
class Funnel:
    """A computed period, for the summary text and the chart alike."""

    team: Team
    period: Period
    counts: PeriodCounts
    checks: list[funnel.RateCheck]
    targets: dict[str, Any]
    marketing: Marketing


async def compute(
    session: AsyncSession, *, person: Person, period: Period, team: Team | None = None
) -> Funnel:
    if team is None:
        team, _ = await active_team(session, person)
    assert team.id is not None and person.id is not None
    start, end = utc_bounds(period, person.timezone)
    counts = await period_counts(session, team=team, person_id=person.id, start=start, end=end)
    targets = effective(team.settings)["targets"]
    marketing = await marketing_between(
        session, team_id=team.id, person_id=person.id, first=period.start, last=period.end
    )
    return Funnel(team, period, counts, funnel.rate_checks(counts, targets), targets, marketing)


async def summary(
    session: AsyncSession,
    *,
    person: Person,
    period: Period,
    now: datetime,
    team: Team | None = None,
) -> dict[str, Any]:
    """The /summary view model for the person's own numbers in a local period (in their
    active team, or in `team` when a manager drills down from /team)."""
    data = await compute(session, person=person, period=period, team=team)
    counts = data.counts
    order = stages(counts.pipeline)
    all_steps = funnel.steps(order, counts.stage_counts())
    drop = funnel.biggest_drop(all_steps)
    found = funnel.diagnose(data.checks, drop, data.marketing)
    return {
        "period": period_view(period),
        "team": data.team.name,
        "pipeline": counts.pipeline,
        "messenger": data.team.messenger,
        "counts": {
            "new": counts.created,
            "contacted": counts.contacted,
            "contacts": counts.contacts,
            "phone": counts.phone,
            "wechat": counts.wechat,
            **{stage: counts.reached.get(stage, 0) for stage in order[1:]},
            "lost": counts.lost,
        },
        "revenue": _money(counts.revenue),
        "has_revenue": counts.revenue > 0,
        "empty": counts.created == 0
        and counts.contacts == 0
        and not any(counts.reached.values())
        and counts.lost == 0
        and counts.phone == 0
        and counts.wechat == 0,
        "stages": _stages_view(counts, data.targets),
        "checks": _checks_view(data.checks),
        "drop": None
        if drop is None
        else {
            "source": drop.source,
            "target": drop.target,
            "loss": drop.loss,
            "loss_rate": _pct(drop.loss_rate),
        },
        "diagnosis": None if found is None else _diagnosis_view(found, data.checks),
        "lost_reasons": [{"reason": r, "count": n} for r, n in counts.lost_reasons],
        "marketing": _marketing_view(data.marketing),
        "pace": await pace_for(session, team=data.team, person=person, now=now),
    }


# --------------------------------------------------------------------------- /numbers


def numbers_day(rest: str, today: date) -> date:
    """The day a /numbers entry is for: today unless a date (or 昨天 / yesterday) is given."""
    cleaned = rest.strip().lower()
    if cleaned in ("", "today", "今天", "今日"):
        return today
    if cleaned in ("yesterday", "昨天", "昨日"):
        return today - timedelta(days=1)
    if cleaned in ("前天",):
        return today - timedelta(days=2)
    return parse_day(cleaned, today)


async def record_numbers(
    session: AsyncSession, *, person: Person, text: str, now: datetime
) -> dict[str, Any]:
    """Store (or correct) one day's marketing figures; figures not given stay as they were."""
    today = local_today(now, person.timezone)
    try:
        entry = funnel.parse_numbers(text)
        day = numbers_day(entry.rest, today)
    except (NumbersError, PeriodError):
        raise UserError("bad_numbers", given=text) from None
    if day > today:
        raise UserError("numbers_future", day=day.isoformat())
    team, _ = await active_team(session, person)
    assert team.id is not None and person.id is not None
    await one_at_a_time(session, person)
    result = await session.exec(
        select(MarketingDay).where(
            MarketingDay.team_id == team.id,
            MarketingDay.person_id == person.id,
            MarketingDay.day == day,
        )
    )
    row = result.first()
    corrected = row is not None
    if row is None:
        row = MarketingDay(team_id=team.id, person_id=person.id, day=day, updated_at=now)
        session.add(row)
    changed = []
    for name, value in entry.values.items():
        old = getattr(row, name)
        if corrected and old is not None and old != value:
            changed.append({"key": name, "old": format_number(old, 2)})
        setattr(row, name, value)
    row.updated_at = now
    await session.flush()
    marketing = Marketing(
        impressions=row.impressions,
        clicks=row.clicks,
        visits=row.visits,
        consultations=row.consultations,
        orders=row.orders,
        cost=row.cost,
    )
    return {
        "day": day.isoformat(),
        "is_today": day == today,
        "corrected": corrected,
        "changed": changed,
        "marketing": _marketing_view(marketing),
    }


async def numbers_today(session: AsyncSession, *, person: Person, now: datetime) -> dict[str, Any]:
    team, _ = await active_team(session, person)
    assert team.id is not None and person.id is not None
    today = local_today(now, person.timezone)
    marketing = await marketing_between(
        session, team_id=team.id, person_id=person.id, first=today, last=today
    )
    return {"day": today.isoformat(), "marketing": _marketing_view(marketing)}


# --------------------------------------------------------------------------- /goal


def parse_goal(text: str, today: date) -> tuple[int, date]:
    """'20', '20 12月', '20 next' -> (orders, first day of the month)."""
    parts = text.split(maxsplit=1)
    if not parts or not parts[0].isdecimal():
        raise UserError("bad_goal", given=text)
    orders = int(parts[0])
    if not 1 <= orders <= MAX_GOAL:
        raise UserError("bad_goal", given=text)
    try:
        month = month_arg(parts[1] if len(parts) > 1 else "", today)
    except PeriodError:
        raise UserError("bad_goal", given=text) from None
    if month < today.replace(day=1):
        raise UserError("goal_past", month=month.strftime("%Y-%m"))
    return orders, month


async def goal_plan(
    session: AsyncSession, *, person: Person, team: Team, orders: int, month: date, now: datetime
) -> dict[str, Any]:
    """The reverse formula for a month's orders, with the rates it used and the breakdown."""
    assert team.id is not None and person.id is not None
    today = local_today(now, person.timezone)
    history = Period("range", today - timedelta(days=GOAL_HISTORY_DAYS - 1), today)
    start, end = utc_bounds(history, person.timezone)
    counts = await period_counts(session, team=team, person_id=person.id, start=start, end=end)
    targets = effective(team.settings)["targets"]
    used = funnel.goal_rates(counts, targets)
    plan = funnel.plan_with(orders, used)
    rates = [
        {
            "key": rate.key,
            "value": format_percent(float(rate.value)),
            "own": rate.own,
            "numerator": rate.numerator,
            "denominator": rate.denominator,
        }
        for rate in used
    ]
    first, last = funnel.month_bounds(month)
    in_month = first <= today <= last
    remaining = funnel.working_days(today if in_month else first, last, person.work_days)
    done: dict[str, int] = {"orders": 0, "visits": 0, "valid": 0, "raw": 0}
    pace = None
    if in_month:
        so_far = await period_counts(
            session,
            team=team,
            person_id=person.id,
            start=local_day_bounds(first, person.timezone)[0],
            end=local_day_bounds(last, person.timezone)[1],
        )
        done = {
            "orders": so_far.won,
            "visits": so_far.count("visited"),
            "valid": so_far.count("valid"),
            "raw": so_far.created,
        }
        current = funnel.pace(orders, so_far.won, today=today, work_days=person.work_days)
        pace = {"month": month.strftime("%Y-%m"), **pace_view(current)}
    figures = []
    if plan is not None:
        for key, total in (
            ("orders", plan.orders),
            ("visits", plan.visits),
            ("valid", plan.valid),
            ("raw", plan.raw),
        ):
            split = funnel.breakdown(total, month_day=month, work_days=person.work_days)
            left = max(total - done[key], 0)
            figures.append(
                {
                    "key": key,
                    "total": total,
                    "done": done[key],
                    "per_week": format_number(round(split.per_week, 1)),
                    "per_day": format_number(round(split.per_day, 1)),
                    "per_remaining_day": format_number(
                        round(left / remaining, 1) if remaining else None
                    ),
                }
            )
    return {
        "orders": orders,
        "month": month.strftime("%Y-%m"),
        "messenger": team.messenger,
        "rates": rates,
        "all_own": all(rate.own for rate in used),
        "any_own": any(rate.own for rate in used),
        "history_days": GOAL_HISTORY_DAYS,
        "minimum": funnel.MIN_HISTORY,
        "figures": figures,
        "plan_ok": plan is not None,
        "working_days": funnel.working_days(first, last, person.work_days),
        "remaining_days": remaining,
        "pace": pace,
    }


async def set_goal(
    session: AsyncSession, *, person: Person, text: str, now: datetime
) -> dict[str, Any]:
    today = local_today(now, person.timezone)
    orders, month = parse_goal(text, today)
    team, _ = await active_team(session, person)
    assert team.id is not None and person.id is not None
    await one_at_a_time(session, person)
    goal = await _goal(session, team_id=team.id, person_id=person.id, month=month)
    previous = goal.orders if goal is not None else None
    if goal is None:
        goal = MonthlyGoal(team_id=team.id, person_id=person.id, month=month, orders=orders)
        session.add(goal)
    goal.orders = orders
    goal.set_at = now
    await session.flush()
    view = await goal_plan(session, person=person, team=team, orders=orders, month=month, now=now)
    return {**view, "previous": previous}


async def show_goal(
    session: AsyncSession, *, person: Person, now: datetime, month: date | None = None
) -> dict[str, Any]:
    """A month's goal (this month's unless given) and its plan, or {'orders': None}."""
    team, _ = await active_team(session, person)
    assert team.id is not None and person.id is not None
    month = month or local_today(now, person.timezone).replace(day=1)
    goal = await _goal(session, team_id=team.id, person_id=person.id, month=month)
    if goal is None:
        current = month == local_today(now, person.timezone).replace(day=1)
        return {"orders": None, "month": month.strftime("%Y-%m"), "current": current}
    view = await goal_plan(
        session, person=person, team=team, orders=goal.orders, month=month, now=now
    )
    return {**view, "previous": None}


# --------------------------------------------------------------------------- evening review

MIX_TOLERANCE = 10.0  # percentage points off the 60/25/10/5 plan worth a remark


def _off_mix(shares: list[funnel.EffortShare]) -> dict[str, Any] | None:
    """Too much effort on C/D leads (the worst of them), else too little on A leads."""
    over = [s for s in shares if s.grade in ("C", "D") and (s.gap or 0) >= MIX_TOLERANCE]
    if over:
        worst = max(over, key=lambda share: share.gap or 0.0)
        return {
            "kind": "over",
            "grade": worst.grade,
            "share": format_percent(worst.share, 0),
            "target": worst.target,
        }
    a_share = next(s for s in shares if s.grade == "A")
    if a_share.gap is not None and a_share.gap <= -MIX_TOLERANCE:
        return {
            "kind": "under",
            "grade": "A",
            "share": format_percent(a_share.share, 0),
            "target": a_share.target,
        }
    return None


async def evening_review(session: AsyncSession, *, person: Person, now: datetime) -> dict[str, Any]:
    """Context for `evening_review.html.j2`: today's numbers vs targets, the effort mix of the
    contacts logged today by grade vs 60/25/10/5, and one coaching tip from the weakest rate."""
    today = local_today(now, person.timezone)
    data = await compute(session, person=person, period=Period("today", today, today))
    counts = data.counts
    shares = funnel.effort_mix(counts.contact_grades)
    tip = funnel.coaching_tip(data.checks)
    weakest = funnel.weakest(data.checks) or funnel.lowest_against_target(data.checks)
    return {
        "day": today.isoformat(),
        "name": person.name,
        "messenger": data.team.messenger,
        "counts": {
            "new": counts.created,
            "contacted": counts.contacted,
            "contacts": counts.contacts,
            "phone": counts.phone,
            "wechat": counts.wechat,
            "won": counts.won,
            "lost": counts.lost,
        },
        "revenue": _money(counts.revenue),
        "has_revenue": counts.revenue > 0,
        "checks": [c for c in _checks_view(data.checks) if c["status"] != "none"],
        "mix": [
            {
                "grade": share.grade,
                "count": share.count,
                "share": format_percent(share.share, 0),
                "target": share.target,
                "bar": funnel.text_bar(share.share or 0, 100, BAR_WIDTH),
            }
            for share in shares
        ],
        "has_contacts": counts.contacts > 0,
        "off_mix": _off_mix(shares),
        "tip": _rule_view(tip),
        "tip_rate": None
        if weakest is None
        else {
            "key": weakest.key,
            "value": _pct(weakest.value),
            "target": format_number(weakest.target),
        },
        "pace": await pace_for(session, team=data.team, person=person, now=now),
    }


# --------------------------------------------------------------------------- chart data


def chart_rows(data: Funnel) -> list[dict[str, Any]]:
    """Per stage: count, conversion from the previous stage, and the count a target expects."""
    order = stages(data.counts.pipeline)
    per_stage = data.counts.stage_counts()
    target_for = {"valid": ("new", "valid_rate"), "visited": ("valid", "valid_to_visit")}
    target_for["won"] = ("visited", "visit_deal")
    rows = []
    previous: str | None = None
    for stage in order:
        rate = None if previous is None else funnel.percent(per_stage[stage], per_stage[previous])
        expected = None
        if data.counts.pipeline == "store" and stage in target_for:
            base, key = target_for[stage]
            if per_stage[base]:
                expected = per_stage[base] * float(data.targets.get(key, 0)) / 100
        rows.append({"stage": stage, "count": per_stage[stage], "rate": rate, "expected": expected})
        previous = stage
    return rows
