"""Scheduled leaderboard posts in linked groups (PRODUCT.md 5.2 and 7).

- `board_day`: at 18:00 on working days, today's board.
- `board_week`: on Mondays at 09:00, last week's board (the weekly summary).
"Local" is the group's time zone: the time zone of the manager who linked the group
(GroupLink.timezone, also the calendar the board counts in), and the working days are that
manager's. A post is planned only while its link is active and is dropped at sending time if
the group was unlinked or the bot removed in between (leaderboard_post returns None).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import GroupLink, Outbox, Person
from assistant.domain.localtime import local_today
from assistant.domain.quiet_hours import Quiet, daily_due, end_of_local_day
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.services.groups import active_links, board_context, group_board

BOARD_DAY = "board_day"
BOARD_WEEK = "board_week"
DAILY_AT = "18:00"
WEEKLY_AT = "09:00"
MONDAY = "1"
GRACE = timedelta(hours=3)  # a bot that was down at post time still posts soon after
NEVER_QUIET = Quiet(time(0), time(0))


async def _work_days(session: AsyncSession, links: list[GroupLink]) -> dict[int, str]:
    ids = {link.linked_by for link in links}
    rows = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {person.id or 0: person.work_days for person in rows.all()}


def _draft(link: GroupLink, kind: str, at: str, work_days: str, now: datetime) -> PushDraft | None:
    day = local_today(now, link.timezone)
    due = daily_due(day, at, link.timezone, NEVER_QUIET, work_days)
    if due is None or not due <= now < min(due + GRACE, end_of_local_day(day, link.timezone)):
        return None
    if link.linked_at > due:  # linked after today's post time: start next time
        return None
    return PushDraft(
        kind=kind,
        dedupe_key=f"{kind}:{link.chat_id}:{day.isoformat()}",
        chat_id=link.chat_id,
        due_at=due,
        team_id=link.team_id,
        payload={"day": day.isoformat()},
    )


async def plan_daily(ctx: PlanContext) -> list[PushDraft]:
    links = await active_links(ctx.session)
    days = await _work_days(ctx.session, links)
    drafts = [
        _draft(link, BOARD_DAY, DAILY_AT, days.get(link.linked_by, "12345"), ctx.now)
        for link in links
    ]
    return [draft for draft in drafts if draft is not None]


async def plan_weekly(ctx: PlanContext) -> list[PushDraft]:
    links = await active_links(ctx.session)
    drafts = [_draft(link, BOARD_WEEK, WEEKLY_AT, MONDAY, ctx.now) for link in links]
    return [draft for draft in drafts if draft is not None]


async def leaderboard_post(
    session: AsyncSession, *, group_chat_id: int, period: str, now: datetime
) -> PushMessage | None:
    """The scheduled group post: None when the group is not (or no longer) linked.

    period: "day" (daily post), "week", "month" or "last_week" (the Monday summary).
    The post is in the language of whoever linked the group.
    """
    found = await group_board(session, chat_id=group_chat_id, period=period, now=now)
    if found is None:
        return None
    link, view = found
    return PushMessage(
        "leaderboard", {**board_context(view), "scheduled": True}, link.locale or "zh-Hans"
    )


async def _render(ctx: RenderContext, row: Outbox, period: str) -> PushMessage | None:
    return await leaderboard_post(
        ctx.session, group_chat_id=row.chat_id, period=period, now=ctx.now
    )


async def render_daily(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    return await _render(ctx, row, "day")


async def render_weekly(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    return await _render(ctx, row, "last_week")


register_push_kind(BOARD_DAY, plan=plan_daily, render=render_daily)
register_push_kind(BOARD_WEEK, plan=plan_weekly, render=render_weekly)
