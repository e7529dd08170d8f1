"""A first planner tick over a big backlog while people keep typing: on SQLite (one writer at a
time) the planner writes in short transactions, so no command waits past the busy timeout."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import col, func, select

from assistant.db.models import Lead, Outbox
from assistant.db.session import Sessionmaker
from assistant.scheduling.planner import plan_due
from assistant.tg.common import AppContext
from tests.harness import Harness
from tests.helpers import bulk_leads, make_person

OVERDUE = 40_000
# PostgreSQL locks rows, not the database, so its writers never queued behind the planner;
# it runs the same test on a tenth of the backlog to keep the suite quick.
OVERDUE_POSTGRES = 4_000
COMMANDS = 200
TRY_AGAIN = ("请稍后再试", "please try again")


async def _overdue_follow_ups(sessionmaker: Sessionmaker, bot: Harness, count: int) -> None:
    owner, team = await make_person(sessionmaker, 5000, name="Backlog")
    due = bot.clock() - timedelta(hours=1)
    assert owner.id is not None and team.id is not None
    await bulk_leads(sessionmaker, team.id, owner.id, count, grade="B", next_followup_at=due)


async def _type_commands(bot: Harness, planning: asyncio.Task[int]) -> list[str]:
    """ALICE keeps adding and listing leads, a command at a time, as a person would: at least
    COMMANDS of them, and on until the tick is over, so they meet every part of it."""
    answers: list[str] = []
    while len(answers) < COMMANDS or not planning.done():
        text = f"/add 客户{len(answers)}" if len(answers) % 2 == 0 else "/leads"
        answers.append(await bot.reply_text(text))
    return answers


async def test_commands_typed_during_a_first_tick_over_40000_overdue_follow_ups_all_succeed(
    bot: Harness, sessionmaker: Sessionmaker, database_url: str
) -> None:
    overdue = OVERDUE if database_url.startswith("sqlite") else OVERDUE_POSTGRES
    await _overdue_follow_ups(sessionmaker, bot, overdue)
    await bot.send("/start")
    app: AppContext = bot.app.bot_data["app"]
    planning = asyncio.create_task(plan_due(app.sessionmaker, app.settings, bot.clock()))
    answers = await _type_commands(bot, planning)
    planned = await planning

    assert len(answers) >= COMMANDS and all(answers)
    assert not [answer for answer in answers if any(text in answer for text in TRY_AGAIN)]
    async with sessionmaker() as session:
        reminders = (
            await session.exec(
                select(func.count()).select_from(Outbox).where(col(Outbox.kind) == "remind")
            )
        ).one()
        added = (
            await session.exec(
                select(func.count()).select_from(Lead).where(col(Lead.name).startswith("客户"))
            )
        ).one()
    assert planned >= reminders == overdue
    assert added == (len(answers) + 1) // 2
