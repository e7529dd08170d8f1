"""/summary, /numbers, /goal and /chart: a person's own numbers, funnel and goal."""

from __future__ import annotations

import asyncio
from datetime import date

from assistant.domain.localtime import local_today
from assistant.domain.periods import Period, PeriodError, parse_period
from assistant.i18n import t
from assistant.render import formats
from assistant.render.charts import FunnelChart, funnel_png
from assistant.services import analytics, customers, sources
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.spaces import team_label
from assistant.tg.keyboards import markup
from assistant.tg.registry import CommandSpec, Feature


def _period(request: Request, command: str) -> Period:
    today = local_today(request.now, request.person.timezone)
    try:
        return parse_period(request.text, today)
    except PeriodError:
        raise UserError("bad_period", given=request.text, command=command) from None


async def summary(request: Request) -> Reply:
    period = _period(request, "/summary")
    actor = await request.actor()
    view = await customers.own_summary(request.session, actor, period=period, now=request.now)
    view["space"] = await team_label(request, actor.team)
    return Reply("summary", view)


NUMBERS_TEMPLATES = {
    "shown": "numbers_show",
    "cost": "sources/cost_saved",
    "saved": "numbers_saved",
}


async def numbers(request: Request) -> Reply:
    entry = await sources.numbers_command(
        request.session, await request.actor(), text=request.text, now=request.now
    )
    return Reply(NUMBERS_TEMPLATES[entry.kind], entry.view)


async def goal(request: Request) -> Reply:
    answer = await analytics.goal_command(
        request.session, await request.actor(), text=request.text, now=request.now
    )
    actions = markup(answer.actions, request.locale, request.sign)
    return Reply(answer.template, answer.view, keyboard=actions)


def _month_from_button(request: Request, index: int) -> str:
    if len(request.args) <= index or len(request.args[index]) != 7:
        raise UserError("bad_button")
    return request.args[index]


async def goal_month_button(request: Request) -> Reply:
    """'This month' or 'next month' pressed after `/goal 20` on a month's last day."""
    month = _month_from_button(request, 1)
    view = await analytics.set_goal(
        request.session, await request.actor(), text=f"{request.args[0]} {month}", now=request.now
    )
    return Reply("goal", {**view, "month_ends": False})


async def goal_view_button(request: Request) -> Reply:
    month = _month_from_button(request, 0)
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise UserError("bad_button") from None
    view = await analytics.show_goal(
        request.session, await request.actor(), now=request.now, month=first
    )
    return Reply("goal", {**view, "month_ends": False})


def _chart(data: analytics.Funnel, locale: str) -> FunnelChart:
    rows = analytics.chart_rows(data)
    period = data.period
    when = formats.day_span(period.start, period.end)
    return FunnelChart(
        title=f"{t(locale, 'analytics.chart.title')} · {when}",
        labels=[t(locale, f"analytics.stage.{row['stage']}") for row in rows],
        counts=[row["count"] for row in rows],
        rates=[row["rate"] for row in rows],
        expected=[row["expected"] for row in rows],
        target_label=t(locale, "analytics.chart.target"),
        drop_label=t(locale, "analytics.chart.drop"),
        empty_label=t(locale, "analytics.chart.empty"),
        locale=locale,
    )


async def chart(request: Request) -> Reply:
    period = _period(request, "/chart")
    data = await analytics.compute(request.session, await request.actor(), period=period)
    png = await asyncio.to_thread(funnel_png, _chart(data, request.locale))
    empty = not any(data.counts.stage_counts().values())
    stamp = request.local(request.now).strftime("%Y%m%d-%H%M")
    return Reply(
        "chart",
        {"period": analytics.period_view(period), "empty": empty},
        photo=png,
        filename=f"chart-{stamp}.png",
    )


FEATURE = Feature(
    commands=[
        CommandSpec("summary", "numbers", summary),
        CommandSpec("numbers", "numbers", numbers),
        CommandSpec("goal", "numbers", goal),
        CommandSpec("chart", "numbers", chart),
    ],
    callbacks={"gls": goal_month_button, "glv": goal_view_button},
)
