"""SQLite has one writer at a time: in one process, writers queue for their turn in the order
they asked, so a command behind a long write waits instead of failing with 'please try again'
once SQLite's busy timeout (5 s) runs out."""

from __future__ import annotations

import asyncio

from sqlalchemy import insert

from assistant.db.models import ProcessedUpdate
from assistant.db.session import transaction
from tests.harness import Harness

LONGER_THAN_THE_BUSY_TIMEOUT = 6.0


async def test_a_command_behind_a_long_write_waits_its_turn_and_answers(bot: Harness) -> None:
    sessionmaker = bot.app.bot_data["app"].sessionmaker
    writing = asyncio.Event()
    answered = asyncio.Event()

    async def long_write() -> None:
        async with transaction(sessionmaker) as session:
            connection = await session.connection()
            await connection.execute(insert(ProcessedUpdate), {"update_id": 987_654_321})
            writing.set()
            # PostgreSQL lets the command through at once (other rows); SQLite makes it wait.
            await asyncio.wait(
                [asyncio.create_task(answered.wait())], timeout=LONGER_THAN_THE_BUSY_TIMEOUT
            )

    writer = asyncio.create_task(long_write())
    await writing.wait()
    reply = await bot.reply_text("/add 王女士 13800138000 婚期明年5月")
    answered.set()
    await writer
    assert "王女士" in reply
    assert "稍后" not in reply and "再试" not in reply
