"""One process at a time plans and sends: the leader lease, its takeover and its hand-over."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlmodel import select

from assistant.db.models import Outbox
from assistant.db.session import Sessionmaker, transaction
from assistant.scheduling.leader import Leadership
from assistant.scheduling.outbox import enqueue
from assistant.tg.channel import telegram_sender
from bench.fanout import drafts
from tests.harness import Harness

# Long enough that a slow first connection (a loaded CI machine) still leaves time on the lease:
# a process counts itself the leader until MARGIN_SECONDS before the lease ends.
LEASE = 2.0


def _process(sessionmaker: Sessionmaker, database_url: str, name: str) -> Leadership:
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    return Leadership(sessionmaker, dialect=dialect, lease_seconds=LEASE, holder=name)


async def test_only_one_process_leads_and_another_takes_over_when_its_lease_runs_out(
    sessionmaker: Sessionmaker, database_url: str
) -> None:
    first = _process(sessionmaker, database_url, "first")
    second = _process(sessionmaker, database_url, "second")
    if database_url.startswith("sqlite"):
        # One process serves a SQLite store: it is the leader without asking anyone.
        assert await first.attempt() and first.is_leader
        return
    assert await first.attempt()
    assert not await second.attempt()
    assert await first.attempt()  # renewing keeps it
    assert not await second.attempt()

    # The first process stops renewing (killed): it stops counting itself the leader before
    # its lease ends on the database's clock, and only then can the second take over.
    started = time.monotonic()
    while first.is_leader:
        assert not await second.attempt()
        await asyncio.sleep(0.05)
    for _ in range(100):
        if await second.attempt():
            break
        await asyncio.sleep(0.05)
    assert time.monotonic() - started <= LEASE + 1.0
    assert not first.is_leader and not await first.attempt()


async def test_a_leader_that_stops_normally_hands_over_at_once(
    sessionmaker: Sessionmaker, database_url: str
) -> None:
    first = _process(sessionmaker, database_url, "first")
    second = _process(sessionmaker, database_url, "second")
    assert await first.attempt()
    await first.release()
    assert await second.attempt()
    if database_url.startswith("postgresql"):
        assert not first.is_leader


async def test_a_follower_sends_nothing_and_a_leader_that_loses_its_lease_puts_the_rest_back(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    app = bot.app.bot_data["app"]
    async with transaction(sessionmaker) as session:
        await enqueue(session, drafts(10, bot.clock() - timedelta(seconds=1)), bot.clock())
    follower = telegram_sender(app, bot.app.bot, may_send=lambda: False)
    assert (await follower.run_once()).claimed == 0

    allowed = iter([True, True, True])  # the claim, then two messages; then the lease is gone
    leader = telegram_sender(app, bot.app.bot, concurrency=1, may_send=lambda: next(allowed, False))
    report = await leader.run_once()
    assert (report.claimed, report.sent, report.deferred) == (10, 2, 8)
    assert len(bot.api.sent()) == 2
    async with sessionmaker() as session:
        rows = (await session.exec(select(Outbox.status, Outbox.attempts))).all()
    assert sorted(rows) == [("pending", 0)] * 8 + [("sent", 1)] * 2
