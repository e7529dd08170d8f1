"""/numbers (a day's figures typed by hand) and /goal (the monthly goal and its plan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import MarketingDay, MonthlyGoal
from assistant.domain import funnel
from assistant.domain.funnel import (
    NumbersError,
    format_number,
    format_percent,
)
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.periods import Period, PeriodError, month_arg, parse_day
from assistant.domain.team_settings import effective
from assistant.render import formats
from assistant.services.actions import Action, ActionRows
from assistant.services.actor import Actor
from assistant.services.analytics.queries import (
    GOAL_HISTORY_DAYS,
    MAX_GOAL,
    _goal,
    marketing_between,
    marketing_of,
    period_counts,
    utc_bounds,
)
from assistant.services.analytics.views import _marketing_view, pace_view
from assistant.services.concurrency import one_at_a_time
from assistant.services.errors import UserError

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
    session: AsyncSession, actor: Actor, *, text: str, now: datetime
) -> dict[str, Any]:
    """Store (or correct) one day's marketing figures; figures not given stay as they were."""
    team, person = actor.team, actor.person
    today = local_today(now, person.timezone)
    try:
        entry = funnel.parse_numbers(text)
        day = numbers_day(entry.rest, today)
    except (NumbersError, PeriodError):
        raise UserError("bad_numbers", given=text) from None
    if day > today:
        raise UserError("numbers_future", day=formats.day(day))
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
    marketing = marketing_of(row)
    return {
        "day": formats.day(day),
        "is_today": day == today,
        "corrected": corrected,
        "changed": changed,
        "marketing": _marketing_view(marketing),
    }


async def numbers_today(session: AsyncSession, actor: Actor, *, now: datetime) -> dict[str, Any]:
    team, person = actor.team, actor.person
    assert team.id is not None and person.id is not None
    today = local_today(now, person.timezone)
    marketing = await marketing_between(
        session, team_id=team.id, person_id=person.id, first=today, last=today
    )
    return {"day": formats.day(today), "marketing": _marketing_view(marketing)}


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
        raise UserError("goal_past", month=formats.month(month))
    return orders, month


async def goal_plan(
    session: AsyncSession, actor: Actor, *, orders: int, month: date, now: datetime
) -> dict[str, Any]:
    """The reverse formula for a month's orders, with the rates it used and the breakdown."""
    team, person = actor.team, actor.person
    assert team.id is not None and person.id is not None
    today = local_today(now, person.timezone)
    history = Period("range", today - timedelta(days=GOAL_HISTORY_DAYS - 1), today)
    start, end = utc_bounds(history, person.timezone)
    counts = await period_counts(
        session, team=team, person_id=person.id, start=start, end=end,
        days=(history.start, history.end), contacted=False,
    )  # fmt: skip
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
            days=(first, last),
            contacted=False,
        )
        done = {
            "orders": so_far.won,
            "visits": so_far.count("visited"),
            "valid": so_far.count("valid"),
            "raw": so_far.created,
        }
        current = funnel.pace(orders, so_far.won, today=today, work_days=person.work_days)
        pace = {"month": formats.month(month), **pace_view(current)}
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
        "month": formats.month(month),
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
    session: AsyncSession, actor: Actor, *, text: str, now: datetime
) -> dict[str, Any]:
    team, person = actor.team, actor.person
    today = local_today(now, person.timezone)
    orders, month = parse_goal(text, today)
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
    view = await goal_plan(session, actor, orders=orders, month=month, now=now)
    return {**view, "previous": previous}


async def show_goal(
    session: AsyncSession, actor: Actor, *, now: datetime, month: date | None = None
) -> dict[str, Any]:
    """A month's goal (this month's unless given) and its plan, or {'orders': None}."""
    team, person = actor.team, actor.person
    assert team.id is not None and person.id is not None
    month = month or local_today(now, person.timezone).replace(day=1)
    goal = await _goal(session, team_id=team.id, person_id=person.id, month=month)
    if goal is None:
        current = month == local_today(now, person.timezone).replace(day=1)
        return {"orders": None, "month": formats.month(month), "current": current}
    view = await goal_plan(session, actor, orders=goal.orders, month=month, now=now)
    return {**view, "previous": None}


# --------------------------------------------------------------------------- /goal, the command


def month_ends_today(today: date) -> bool:
    """On a month's last day a goal "for this month" is almost surely meant for the next."""
    return (today + timedelta(days=1)).day == 1


def next_month(today: date) -> date:
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class GoalReply:
    """What /goal answers: the goal (template "goal") or, for `/goal 20` on a month's last
    day, which month is meant ("goal_which_month"), with the actions offered under it."""

    template: str
    view: dict[str, Any]
    actions: ActionRows


async def goal_command(
    session: AsyncSession, actor: Actor, *, text: str, now: datetime
) -> GoalReply:
    """`/goal` shows this month's goal (and, on its last day, offers next month's);
    `/goal 20 [month]` sets one; `/goal 20` on a month's last day asks which month first."""
    today = local_today(now, actor.person.timezone)
    last_day = month_ends_today(today)
    if not text:
        view = await show_goal(session, actor, now=now)
        actions: ActionRows = []
        if last_day:  # tomorrow is another month: its goal is one tap away
            following = formats.month(next_month(today))
            actions.append(
                [Action("goal_buttons.show_next", "glv", (following,), (("month", following),))]
            )
        return GoalReply("goal", {**view, "month_ends": last_day}, actions)
    words = text.split()
    if last_day and len(words) == 1:  # `/goal 20` on the last day: which month is meant?
        parse_goal(text, today)  # a bad number is refused as usual
        months = [formats.month(next_month(today)), formats.month(today)]
        actions = [
            [Action(f"goal_buttons.{key}", "gls", (words[0], month), (("month", month),))]
            for key, month in zip(("for_next", "for_this"), months, strict=True)
        ]
        view = {"orders": int(words[0]), "this": months[1], "next": months[0]}
        return GoalReply("goal_which_month", view, actions)
    view = await set_goal(session, actor, text=text, now=now)
    return GoalReply("goal", {**view, "month_ends": False}, [])
