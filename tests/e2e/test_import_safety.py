"""Hostile files sent to /import get a short answer saying what to send instead."""

import csv
import io
from typing import Any

import pytest

from assistant.db.models import Lead
from tests.harness import ALICE, BOB, CAROL, Harness, User
from tests.spreadsheets import csv_bytes, shared_string_bomb


def document(bot: Harness, name: str, size: int, user: User = ALICE) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 900,
            "date": int(bot.clock().timestamp()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.as_json(),
            "document": {"file_id": "f1", "file_unique_id": "u1", "file_name": name,
                         "file_size": size},
            "caption": "/import",
        }
    }  # fmt: skip


def serve(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    from assistant.tg.handlers import import_export as handlers

    async def fake_download(*_: Any) -> bytes:
        return data

    monkeypatch.setattr(handlers, "download", fake_download)


async def _leads(bot: Harness) -> list[Lead]:
    from sqlmodel import select

    from tests.helpers import sessionmaker_of

    async with sessionmaker_of(bot)() as session:
        return list((await session.exec(select(Lead))).all())


async def test_a_workbook_bomb_is_refused_in_both_languages(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = shared_string_bomb(megabytes=160)
    serve(monkeypatch, bomb)
    chinese = (await bot.process(document(bot, "客户.xlsx", len(bomb))))[-1].text
    assert "解压后太大" in chinese and "另存为 CSV" in chinese
    english = (await bot.process(document(bot, "leads.xlsx", len(bomb), BOB)))[-1].text
    assert "too big once unpacked" in english and "save it as CSV" in english
    assert await _leads(bot) == []


async def test_a_sheet_too_wide_or_with_a_huge_line_is_explained(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = csv_bytes([["姓名", *(f"列{index}" for index in range(60))], ["王女士"]])
    serve(monkeypatch, wide)
    assert "最多 50 列" in (await bot.process(document(bot, "a.csv", len(wide))))[-1].text
    line = "姓名\n王女士\n".encode() + b"," * 500_000 + b"\n"
    serve(monkeypatch, line)
    assert "第 3 行太长" in (await bot.process(document(bot, "a.csv", len(line))))[-1].text
    assert await _leads(bot) == []


async def test_an_export_in_chinese_is_imported_by_an_english_reader_and_back(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.send("/add 王女士 13800138000 转介绍")
    await bot.send("/won 1 8800")
    await bot.send("/add Tom 13900139000")
    await bot.send("/grade 2 B")
    chinese = (await bot.send("/export"))[-1].files["document"].decode("utf-8-sig")
    assert "成交" in chinese and ",won," not in chinese and "转介绍" in chinese
    assert ",B,是," in chinese
    serve(monkeypatch, chinese.encode())
    await bot.send("/import", BOB)
    answer = (await bot.process(document(bot, "leads.csv", len(chinese), BOB)))[-1].text
    assert "Imported 2 leads" in answer
    english = (await bot.send("/export", BOB))[-1].files["document"].decode("utf-8-sig")
    assert ",won," in english and "Referral" in english and ",B,yes," in english
    serve(monkeypatch, english.encode())
    await bot.send("/import", CAROL)
    answer = (await bot.process(document(bot, "leads.csv", len(english), CAROL)))[-1].text
    assert "已导入 2 条线索" in answer
    again = (await bot.send("/export", CAROL))[-1].files["document"].decode("utf-8-sig")
    assert _without_owner(again) == _without_owner(chinese)


def _without_owner(exported: str) -> list[list[str]]:
    return [row[:-1] for row in csv.reader(io.StringIO(exported))]
