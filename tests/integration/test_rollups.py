"""LeadRollup stays equal to a rebuild from the events, whatever the commands did (both
databases), and a zone change re-keys the person's days."""

from __future__ import annotations

import bisect
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select

from assistant.db import rollups
from assistant.db.models import Lead, LeadRollup, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from tests.e2e.test_personal_space import press
from tests.e2e.test_pool import DAVE, import_to_pool
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User, buttons
from tests.helpers import (
    add_event,
    add_lead,
    add_member,
    make_person,
    person_of,
    sessionmaker_of,
)

PHONE = "13800138000"


async def add(bot: Harness, text: str, user: User = ALICE) -> int:
    reply = await bot.reply_text(f"/add {text}", user)
    found = re.search(r"#(\d+)", reply)
    assert found, reply
    return int(found.group(1))


async def kept_and_rebuilt(bot: Harness) -> tuple[set[Any], set[Any]]:
    async with transaction(sessionmaker_of(bot)) as session:
        kept = await session.run_sync(lambda sync: rollups.rows(sync.connection()))
        await session.run_sync(lambda sync: rollups.rebuild(sync.connection()))
        rebuilt = await session.run_sync(lambda sync: rollups.rows(sync.connection()))
    return kept, rebuilt


async def assert_kept_up(bot: Harness) -> set[Any]:
    kept, rebuilt = await kept_and_rebuilt(bot)
    assert kept == rebuilt
    return kept


async def test_the_rollup_kept_by_every_command_equals_one_rebuilt_from_the_events(
    bot: Harness, monkeypatch: Any
) -> None:
    # Alone first: leads, contacts, a deal with cents, then brought into a new team.
    first = await add(bot, f"王女士 {PHONE} 下个月婚礼")
    await add(bot, "李先生 wx:li_mei_88")
    await bot.send(f"/log {first} 聊了套餐")
    await bot.send(f"/won {first} 8800.50")
    created = await bot.send("/newteam Bridal")
    brought = await press(bot, created, "带上", ALICE)
    assert "已把 2 条线索" in "\n".join(call.text for call in brought)
    code = join_code(await bot.reply_text("/invite"))
    for user in (BOB, CAROL, DAVE):
        await bot.send(f"/start join_{code}", user)
    await assert_kept_up(bot)

    # Reps work: contacts (twice in a day: "again"), stage moves, a loss, a deal.
    ann = await add(bot, "Ann 13900139001", BOB)
    ben = await add(bot, "Ben wx:ben_2024", BOB)
    await bot.send(f"/log {ann} first call", BOB)
    await bot.send(f"/log {ann} again", BOB)
    await bot.send(f"/move {ann} 已到店", BOB)
    await bot.send(f"/won {ann} 1.2万", BOB)
    await bot.send(f"/lost {ben} price", BOB)
    cat = await add(bot, "Cat 13900139003", CAROL)
    await bot.send(f"/log {cat} hello", CAROL)
    bot.clock.advance(hours=20)
    await bot.send(f"/log {cat} next day", CAROL)
    await assert_kept_up(bot)

    # Deleted and restored, deleted for good.
    deleted = await bot.send(f"/del {cat}", CAROL)
    await press(bot, deleted, "撤销", CAROL)
    await bot.send(f"/del {ben}", BOB)
    await assert_kept_up(bot)

    # A duplicate merged into another lead (the duplicate's history moves, owner changes).
    dan = await add(bot, "Dan 13900139009", CAROL)
    card = (await bot.send("/add Dana 13900139009 walk-in"))[-1]  # the manager's duplicate
    [merge] = [b for b in buttons(card) if f"合并到 #{dan}" in b["text"]]
    merged = await bot.press(str(merge["callback_data"]))
    assert any("已合并到这里" in call.text for call in merged if call.text)
    await assert_kept_up(bot)

    # The pool: a manager's pool lead, an import to the pool, then given out.
    await bot.send("/add 赵先生 13700137000 pool")
    await import_to_pool(bot, monkeypatch, 6)
    await bot.send("/assign all auto")
    await assert_kept_up(bot)

    # Handover, and a zone change.
    await bot.send("/handover bob carol all")
    await bot.send("/tz America/New_York", CAROL)
    bot.clock.advance(hours=6)
    await bot.send(f"/log {cat} after the move", CAROL)
    kept = await assert_kept_up(bot)
    kinds = {row[3] for row in kept}
    assert kinds == {events.CREATED, events.CONTACT, events.PHONE, events.WECHAT, events.STAGE}
    assert sum(row[7] for row in kept) == 880_050 + 1_200_000  # the won amounts, in cents


async def _rows_of(bot: Harness, owner_id: int) -> list[LeadRollup]:
    async with transaction(sessionmaker_of(bot)) as session:
        found = await session.exec(select(LeadRollup).where(LeadRollup.owner_id == owner_id))
        return [row for row in found.all() if row.count]


async def test_a_zone_change_re_keys_the_persons_days(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    alice = await person_of(bot, ALICE)
    assert alice.id is not None
    # 17:30 UTC on 25 November: the 26th in Shanghai, still the 25th in New York.
    late = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
    async with transaction(sessionmaker_of(bot)) as session:
        lead = (await session.exec(select(Lead))).one()
        add_event(session, lead, events.CONTACT, late, payload={"grade": "B"})
    contact = [row for row in await _rows_of(bot, alice.id) if row.kind == events.CONTACT]
    assert [(row.day, row.grade, row.count) for row in contact] == [(date(2026, 11, 26), "B", 1)]

    assert "纽约" in await bot.reply_text("/tz America/New_York")
    contact = [row for row in await _rows_of(bot, alice.id) if row.kind == events.CONTACT]
    assert [(row.day, row.grade, row.count) for row in contact] == [(date(2026, 11, 25), "B", 1)]
    created = [row for row in await _rows_of(bot, alice.id) if row.kind == events.CREATED]
    assert [row.day for row in created] == [date(2026, 11, 24)]  # 10:00 Shanghai = 21:00 NY
    await assert_kept_up(bot)

    assert "时区已设为" in await bot.reply_text("/tz Asia/Shanghai")
    contact = [row for row in await _rows_of(bot, alice.id) if row.kind == events.CONTACT]
    assert [row.day for row in contact] == [date(2026, 11, 26)]
    await assert_kept_up(bot)


def test_local_days_match_the_calendar_in_zones_with_clock_changes() -> None:
    from assistant.domain.localtime import local_today

    moments = [datetime(2026, month, day, hour, tzinfo=UTC) for month in (3, 4, 10, 11)
               for day in range(1, 29, 3) for hour in range(24)]  # fmt: skip
    for zone in ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu"):
        for moment in moments:
            assert rollups.local_day(moment, zone) == local_today(moment, zone)
            untils, values = rollups.offsets(zone)  # what the SQL reads, to the second
            shifted = moment + timedelta(seconds=values[bisect.bisect_right(untils, moment)])
            assert shifted.replace(tzinfo=None).date() == local_today(moment, zone)


async def test_migration_0018_back_fills_the_rows_the_bot_keeps(sessionmaker: Sessionmaker) -> None:
    from alembic import command

    from assistant.db.migrate import alembic_config

    shanghai, team = await make_person(sessionmaker, 1, name="Sh")
    york, _ = await make_person(sessionmaker, 2, name="Ny", timezone="America/New_York")
    await add_member(sessionmaker, team, york, "rep")
    start = datetime(2026, 3, 7, 20, tzinfo=UTC)  # New York's clocks change on the 8th
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for hour in range(0, 48, 5):
            at = start + timedelta(hours=hour)
            for owner in (shanghai, york):
                lead = await add_lead(session, stored, owner, at, grade="ABCD"[hour % 4])
                add_event(session, lead, events.CONTACT, at, payload={"grade": lead.grade})
                add_event(session, lead, events.STAGE, at, from_value="new", to_value="won",
                          payload={"amount": 100.25 + hour})  # fmt: skip
        lead.deleted_at = at  # the last lead is soft-deleted: its events count nowhere
    engine = sessionmaker.kw["bind"]
    async with engine.connect() as connection:
        kept = await connection.run_sync(rollups.rows)
    assert len(kept) > 20
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0017"))
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0018"))
    async with engine.connect() as connection:
        assert await connection.run_sync(rollups.rows) == kept
