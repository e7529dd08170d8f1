"""The outbox under a controlled clock: planning in local time, restarts, leases, two senders,
rate limits and blocked bots."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import select
from telegram import Bot

from assistant.config import Settings
from assistant.db.models import Outbox, Person
from assistant.db.session import Sessionmaker, make_engine, make_sessionmaker, transaction
from assistant.scheduling.outbox import enqueue
from assistant.scheduling.planner import plan_due
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.scheduling.sender import Sender
from assistant.tg.app import OFFLINE_TOKEN
from assistant.tg.channel import telegram_sender
from assistant.tg.common import AppContext
from assistant.tg.offline import Call, OfflineRequest
from tests.harness import Harness, MutableClock
from tests.helpers import make_person

MIDNIGHT_UTC = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # a Wednesday everywhere below
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=30)
ZONES = {2001: "Asia/Shanghai", 2002: "America/New_York", 2003: "Asia/Kolkata"}


async def _nothing_to_plan(ctx: PlanContext) -> list[PushDraft]:
    return []


async def _render_hint(ctx: RenderContext, row: Outbox) -> PushMessage:
    return PushMessage("hint", {}, "en")


register_push_kind("test_hint", plan=_nothing_to_plan, render=_render_hint)


def app_of(bot: Harness) -> AppContext:
    app: AppContext = bot.app.bot_data["app"]
    return app


class Recorder:
    """Which chat got a morning briefing at which (controlled) time."""

    def __init__(self, bot: Harness) -> None:
        self.clock = bot.clock
        self.mornings: list[tuple[int, datetime]] = []
        self.evenings: list[tuple[int, datetime]] = []
        bot.api.on_call = self.record

    def record(self, call: Call) -> None:
        if call.method != "sendMessage":
            return None
        chat = int(call.params["chat_id"])
        if "Good morning" in call.text:
            self.mornings.append((chat, self.clock()))
        if "Evening review" in call.text:
            self.evenings.append((chat, self.clock()))
        return None


async def _people_in_three_zones(sessionmaker: Sessionmaker) -> None:
    for tg_id, zone in ZONES.items():
        await make_person(sessionmaker, tg_id, name=f"P{tg_id}", timezone=zone, created_at=LONG_AGO)


async def _tick(bot: Harness, sender: Sender) -> None:
    app = app_of(bot)
    await plan_due(app.sessionmaker, app.settings, bot.clock())
    await sender.run_once(bot.clock())


async def _run_day(bot: Harness, sender: Sender, until: datetime) -> None:
    """A planner and a sender tick every STEP until `until`."""
    while bot.clock() < until:
        await _tick(bot, sender)
        bot.clock.advance(seconds=STEP.total_seconds())


async def test_a_day_of_ticks_sends_each_briefing_once_at_9_local_in_three_time_zones(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _people_in_three_zones(sessionmaker)
    recorder = Recorder(bot)
    bot.clock.now = MIDNIGHT_UTC
    sender = telegram_sender(app_of(bot), bot.app.bot)
    await _run_day(bot, sender, MIDNIGHT_UTC + timedelta(days=1))
    assert sorted(recorder.mornings) == [
        (2001, datetime(2026, 11, 25, 1, 0, tzinfo=UTC)),  # 09:00 in Shanghai
        (2002, datetime(2026, 11, 25, 14, 0, tzinfo=UTC)),  # 09:00 in New York
        (2003, datetime(2026, 11, 25, 3, 30, tzinfo=UTC)),  # 09:00 in Kolkata
    ]
    assert sorted(recorder.evenings) == [
        (2001, datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),  # 20:00 in Shanghai
        (2002, datetime(2026, 11, 25, 1, 0, tzinfo=UTC)),  # Tuesday 20:00 in New York
        (2003, datetime(2026, 11, 25, 14, 30, tzinfo=UTC)),  # 20:00 in Kolkata
    ]  # New York's Wednesday 20:00 is 01:00 UTC on Thursday, after this run


async def test_restarting_mid_day_loses_no_briefing_and_sends_none_twice(
    bot: Harness, sessionmaker: Sessionmaker, settings: Settings
) -> None:
    await _people_in_three_zones(sessionmaker)
    recorder = Recorder(bot)
    bot.clock.now = MIDNIGHT_UTC
    first = telegram_sender(app_of(bot), bot.app.bot)
    await _run_day(bot, first, MIDNIGHT_UTC + timedelta(hours=3))
    await bot.stop()  # down from 03:00 to 05:00 UTC: Kolkata's 09:00 (03:30) falls in the gap

    again = Harness(settings, MutableClock(MIDNIGHT_UTC + timedelta(hours=5)))
    await again.start()
    try:
        later = Recorder(again)
        second = telegram_sender(app_of(again), again.app.bot)
        await _run_day(again, second, MIDNIGHT_UTC + timedelta(days=1))
    finally:
        await again.stop()
        await bot.start()  # the fixture stops it again
    chats = Counter(chat for chat, _ in recorder.mornings + later.mornings)
    assert chats == {2001: 1, 2002: 1, 2003: 1}
    assert (2003, MIDNIGHT_UTC + timedelta(hours=5)) in later.mornings  # late, but not lost


async def test_a_person_who_turned_the_briefing_off_or_is_off_today_gets_none(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await make_person(sessionmaker, 2004, created_at=LONG_AGO, morning_on=False)
    await make_person(sessionmaker, 2005, created_at=LONG_AGO, work_days="67")
    await make_person(sessionmaker, 2006, created_at=LONG_AGO, morning_at="10:30")
    recorder = Recorder(bot)
    bot.clock.now = MIDNIGHT_UTC
    sender = telegram_sender(app_of(bot), bot.app.bot)
    await _run_day(bot, sender, MIDNIGHT_UTC + timedelta(hours=6))
    assert recorder.mornings == [(2006, datetime(2026, 11, 25, 2, 30, tzinfo=UTC))]


async def _hint_rows(sessionmaker: Sessionmaker, chats: list[int], now: datetime) -> None:
    async with transaction(sessionmaker) as session:
        drafts = [
            PushDraft("test_hint", f"test_hint:{chat}", chat, now, payload={}) for chat in chats
        ]
        assert await enqueue(session, drafts, now) == len(chats)
        assert await enqueue(session, drafts, now) == 0  # idempotent


async def _statuses(sessionmaker: Sessionmaker) -> Counter[str]:
    async with sessionmaker() as session:
        return Counter((await session.exec(select(Outbox.status))).all())


async def test_two_senders_sharing_one_outbox_send_every_message_exactly_once(
    bot: Harness, sessionmaker: Sessionmaker, database_url: str
) -> None:
    now = bot.clock()
    chats = list(range(5000, 5060))
    await _hint_rows(sessionmaker, chats, now)
    senders: list[tuple[Sender, OfflineRequest]] = []
    engines = []
    for _ in range(2):
        engine = make_engine(database_url)
        engines.append(engine)
        app = dataclasses.replace(app_of(bot), sessionmaker=make_sessionmaker(engine))
        request = OfflineRequest()
        other = Bot(OFFLINE_TOKEN, request=request)
        await other.initialize()
        senders.append((telegram_sender(app, other, batch=7), request))
    try:
        for _ in range(20):
            await asyncio.gather(*(sender.run_once(now) for sender, _ in senders))
    finally:
        for engine in engines:
            await engine.dispose()
    sent = [int(call.params["chat_id"]) for _, request in senders for call in request.sent()]
    assert sorted(sent) == chats
    assert await _statuses(sessionmaker) == {"sent": 60}


async def test_rows_claimed_by_a_sender_that_died_are_sent_after_the_lease_expires(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    now = bot.clock()
    await _hint_rows(sessionmaker, [7001, 7002], now)
    crashed = telegram_sender(app_of(bot), bot.app.bot, lease=timedelta(seconds=60))
    assert len(await crashed.claim(now)) == 2  # ...and the process dies before sending
    survivor = telegram_sender(app_of(bot), bot.app.bot)
    assert (await survivor.run_once(now + timedelta(seconds=30))).sent == 0
    report = await survivor.run_once(now + timedelta(seconds=61))
    assert report.sent == 2
    assert sorted(int(c.params["chat_id"]) for c in bot.api.sent()) == [7001, 7002]


async def test_a_blocked_bot_marks_the_person_unreachable_instead_of_retrying(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    person, _ = await make_person(sessionmaker, 2010, created_at=LONG_AGO)
    bot.clock.now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    bot.api.on_call = lambda call: (
        (403, "Forbidden: bot was blocked by the user", {})
        if call.method == "sendMessage"
        else None
    )
    sender = telegram_sender(app_of(bot), bot.app.bot)
    await _tick(bot, sender)
    assert await _statuses(sessionmaker) == {"dropped": 1}
    async with sessionmaker() as session:
        stored = await session.get(Person, person.id)
    assert stored is not None and stored.reachable is False
    bot.clock.advance(hours=12)  # evening: nothing is planned for an unreachable person
    await _tick(bot, sender)
    assert await _statuses(sessionmaker) == {"dropped": 1}


async def test_retry_after_waits_as_long_as_telegram_asks_then_sends(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    now = bot.clock()
    await _hint_rows(sessionmaker, [7100], now)
    refusals = [1]

    def flood(call: Call) -> tuple[int, str, dict[str, object]] | None:
        if call.method == "sendMessage" and refusals:
            refusals.pop()
            return 429, "Too Many Requests: retry after 5", {"parameters": {"retry_after": 5}}
        return None

    bot.api.on_call = flood
    sender = telegram_sender(app_of(bot), bot.app.bot)
    assert (await sender.run_once(now)).deferred == 1
    assert (await sender.run_once(now + timedelta(seconds=4))).sent == 0
    assert (await sender.run_once(now + timedelta(seconds=5))).sent == 1
    async with sessionmaker() as session:
        row = (await session.exec(select(Outbox))).one()
    assert row.status == "sent" and row.attempts == 1


async def test_one_private_chat_gets_at_most_one_message_a_second_and_a_group_20_a_minute(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    now = bot.clock()
    async with transaction(sessionmaker) as session:
        drafts = [PushDraft("test_hint", f"p{i}", 7200, now) for i in range(3)]
        drafts += [PushDraft("test_hint", f"g{i}", -100200, now) for i in range(3)]
        await enqueue(session, drafts, now)
    sender = telegram_sender(app_of(bot), bot.app.bot)
    times: list[tuple[int, float]] = []
    for second in range(0, 8):
        at = now + timedelta(seconds=second)
        before = len(bot.api.sent())
        await sender.run_once(at)
        times += [(int(c.params["chat_id"]), second) for c in bot.api.sent()[before:]]
    assert [t for chat, t in times if chat == 7200] == [0, 1, 2]
    assert [t for chat, t in times if chat == -100200] == [0, 3, 6]
