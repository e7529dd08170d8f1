"""Fan-out under failure: a sender killed with SIGKILL mid-way, and a storm of 429s."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from telegram import Bot

from assistant.clock import system_clock
from assistant.db.models import Outbox
from assistant.db.session import Sessionmaker, transaction
from assistant.scheduling.outbox import enqueue
from assistant.scheduling.pacing import Pacer
from assistant.tg.app import OFFLINE_TOKEN
from assistant.tg.channel import telegram_sender
from assistant.tg.common import AppContext
from assistant.tg.offline import Call
from bench.fake_telegram import TelegramLimits, limited_api
from bench.fanout import drafts
from tests.harness import Harness

ROOT = Path(__file__).resolve().parents[2]


def app_of(bot: Harness) -> AppContext:
    app: AppContext = bot.app.bot_data["app"]
    return app


async def _queue(sessionmaker: Sessionmaker, pushes: int, bot: Harness) -> None:
    async with transaction(sessionmaker) as session:
        await enqueue(session, drafts(pushes, bot.clock() - timedelta(seconds=1)), bot.clock())


async def _statuses(sessionmaker: Sessionmaker) -> Counter[str]:
    async with sessionmaker() as session:
        return Counter((await session.exec(select(Outbox.status))).all())


def _journal(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def test_a_sender_killed_mid_fan_out_loses_nothing_and_repeats_at_most_one_push(
    bot: Harness, sessionmaker: Sessionmaker, database_url: str, tmp_path: Path
) -> None:
    pushes = 30
    await _queue(sessionmaker, pushes, bot)
    journal = tmp_path / "delivered.txt"
    lease = 1.0
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.reliability.sender_process",
        database_url,
        str(journal),
        str(lease),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(_journal(journal)) >= pushes // 3:
                break
            await asyncio.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        await child.wait()
    before_restart = len(_journal(journal))
    assert pushes // 3 <= before_restart < pushes  # killed in the middle of the fan-out

    restarted = tmp_path / "delivered-after-restart.txt"
    api, limits = limited_api(journal=restarted)
    other = Bot(OFFLINE_TOKEN, request=api)
    await other.initialize()
    app = dataclasses.replace(app_of(bot), clock=system_clock)  # real time, paced
    sender = telegram_sender(app, other, lease=timedelta(seconds=lease), batch=10)
    await asyncio.sleep(lease)  # the dead process's leases run out
    deadline = time.monotonic() + 30
    while (await _statuses(sessionmaker))["sent"] < pushes and time.monotonic() < deadline:
        await sender.drain()
        await asyncio.sleep(0.05)
    limits.close()

    received = Counter(_journal(journal) + _journal(restarted))
    assert len(received) == pushes  # every push arrived
    assert sum(n - 1 for n in received.values()) <= 1  # and at most one of them twice
    assert await _statuses(sessionmaker) == {"sent": pushes}


async def test_a_storm_of_429s_delays_the_fan_out_but_every_message_arrives_once(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    pushes = 20
    await _queue(sessionmaker, pushes, bot)
    refusals = Counter[int]()

    def storm(call: Call) -> int | None:
        chat = int(call.params["chat_id"])
        if refusals[chat] < 2:  # every chat is refused twice before anything gets through
            refusals[chat] += 1
            return 2
        return None

    def seconds() -> float:
        return bot.clock().timestamp()

    async def wait(how_long: float) -> None:
        bot.clock.advance(seconds=how_long)

    limits = TelegramLimits(storm=storm, clock=seconds)  # Telegram's limits, in test time
    bot.api.on_call = limits
    sender = telegram_sender(app_of(bot), bot.app.bot, pacer=Pacer(clock=seconds, sleep=wait))
    for _ in range(40):
        await sender.run_once(bot.clock())
        bot.clock.advance(seconds=1)
        if (await _statuses(sessionmaker))["sent"] == pushes:
            break
    delivered = Counter(item.key for item in limits.delivered)
    assert len(delivered) == pushes and set(delivered.values()) == {1}
    assert limits.refused >= 2 * len(refusals) > 0
    assert await _statuses(sessionmaker) == {"sent": pushes}
    async with sessionmaker() as session:
        attempts = (await session.exec(select(Outbox.attempts))).all()
    assert set(attempts) == {1}  # a 429 is a wait, not a failed attempt
