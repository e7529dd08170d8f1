"""A big /import: other people keep working while it runs, and its sender watches it progress."""

import asyncio
import re
import threading
from typing import Any

import pytest
from sqlmodel import func, select

from assistant.db.models import Lead
from tests.e2e.test_import_safety import document, serve
from tests.harness import ALICE, BOB, Harness, User
from tests.helpers import sessionmaker_of
from tests.spreadsheets import csv_bytes


def _sheet(rows: int, bad_every: int = 0) -> bytes:
    table = [["姓名", "电话", "微信", "来源", "婚期", "阶段"]]
    for index in range(rows):
        phone = "12345" if bad_every and index % bad_every == 0 else f"139{index:08d}"
        table.append([f"客户{index}", phone, f"wx_{index:06d}", "抖音", "2027-05-01", "有效"])
    return csv_bytes(table)


async def _count(bot: Harness, owner: User) -> int:
    from assistant.db.models import Person

    async with sessionmaker_of(bot)() as session:
        query = (
            select(func.count())
            .select_from(Lead)
            .join(Person, Person.id == Lead.owner_id)  # type: ignore[arg-type]
            .where(Person.tg_user_id == owner.id)
        )
        return int((await session.exec(query)).one())


def _to(calls: list[Any], user: User) -> list[str]:
    return [c.text for c in calls if str(c.params.get("chat_id")) == str(user.id) and c.text]


async def test_another_persons_add_is_answered_while_a_20000_row_import_is_being_read(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.tg.handlers import import_export

    data = _sheet(20_000)
    downloading, added = asyncio.Event(), asyncio.Event()

    waited: list[bool] = []

    async def slow_download(*_: Any) -> bytes:
        downloading.set()
        try:  # the file is still on its way while Bob adds his lead
            await asyncio.wait_for(added.wait(), timeout=120)
            waited.append(True)
        except TimeoutError:  # Bob's /add waited for this: the download held the write turn
            waited.append(False)
        return data

    monkeypatch.setattr(import_export, "download", slow_download)
    await bot.send("/import")
    before = len(bot.api.calls)
    importing = asyncio.create_task(bot.process(document(bot, "客户.csv", len(data))))
    await downloading.wait()
    try:
        bob = await bot.reply_text("/add Mary 13800138000 walk-in", BOB)
    finally:
        added.set()
    await importing
    assert "Lead saved" in bob and waited == [True]
    alice = _to(bot.api.calls[before:], ALICE)
    assert "已导入 20,000 条线索" in alice[-1]
    assert await _count(bot, ALICE) == 20_000 and await _count(bot, BOB) == 1


async def test_the_rows_are_checked_off_the_event_loop_and_outside_any_transaction(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.services import importexport

    data = _sheet(2_000)
    serve(monkeypatch, data)
    loop = asyncio.get_running_loop()
    checking, answered = asyncio.Event(), threading.Event()
    waited: list[bool] = []
    check_table = importexport.check_table

    def held_check(*args: Any, **kwargs: Any) -> Any:  # in the worker thread
        loop.call_soon_threadsafe(checking.set)
        waited.append(answered.wait(timeout=120))  # False only if this blocked the loop
        return check_table(*args, **kwargs)

    monkeypatch.setattr(importexport, "check_table", held_check)
    await bot.send("/import")
    importing = asyncio.create_task(bot.process(document(bot, "客户.csv", len(data))))
    await checking.wait()
    try:
        bob = await bot.reply_text("/add Mary 13800138000 walk-in", BOB)
    finally:
        answered.set()
    alice = _to(await importing, ALICE)
    assert "Lead saved" in bob and waited == [True]
    assert "已导入 2,000 条线索" in alice[-1]


async def test_a_long_import_edits_one_progress_message_then_shows_the_result_in_it(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _sheet(10_000, bad_every=20)
    serve(monkeypatch, data)
    await bot.send("/import")
    calls = await bot.process(document(bot, "客户.csv", len(data)))
    sent = [c for c in calls if c.method == "sendMessage"]
    edits = [c for c in calls if c.method == "editMessageText"]
    assert [c.text for c in sent] == ["📥 读取 0 / 10,000 行…"]
    read = [c.text for c in edits if "读取" in c.text]
    assert read and all(re.fullmatch(r"📥 读取 [\d,]+ / 10,000 行…", text) for text in read)
    assert [c.text for c in edits if "保存" in c.text] == ["📥 保存 9,500 条线索…"]
    assert "已导入 9,500 条线索" in edits[-1].text and "第 2 行：电话无效：12345" in edits[-1].text
    assert len({c.params["message_id"] for c in edits}) == 1  # one message, edited in place


async def test_an_english_reader_sees_the_progress_in_english(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _sheet(2_000)
    serve(monkeypatch, data)
    await bot.send("/import", BOB)
    calls = await bot.process(document(bot, "leads.csv", len(data), BOB))
    texts = [c.text for c in calls if c.method in {"sendMessage", "editMessageText"}]
    assert texts[0] == "📥 Read 0 of 2,000 rows…"
    assert "📥 Saving 2,000 leads…" in texts and "Imported 2,000 leads" in texts[-1]


async def test_a_short_import_answers_without_a_progress_message(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _sheet(50)
    serve(monkeypatch, data)
    calls = await bot.process(document(bot, "客户.csv", len(data)))
    assert [c.method for c in calls] == ["sendMessage"] and "已导入 50 条线索" in calls[0].text


async def test_the_result_comes_on_its_own_when_the_progress_message_is_gone(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _sheet(1_000)
    serve(monkeypatch, data)
    await bot.send("/import")

    def deleted(call: Any) -> tuple[int, str, dict[str, Any]] | None:
        if call.method == "editMessageText":
            return 400, "Bad Request: message to edit not found", {}
        return None

    bot.api.on_call = deleted
    calls = await bot.process(document(bot, "客户.csv", len(data)))
    sent = [c.text for c in calls if c.method == "sendMessage"]
    assert sent[0] == "📥 读取 0 / 1,000 行…" and "已导入 1,000 条线索" in sent[-1]
