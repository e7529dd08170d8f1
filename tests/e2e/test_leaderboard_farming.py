"""Pressing "log contact" again and again on one lead earns its points once that local day."""

from __future__ import annotations

import re

from tests.harness import Harness


def my_line(board: str) -> str:
    [line] = [line for line in board.splitlines() if line.strip().startswith("按时跟进")]
    return line


def points(board: str) -> int:
    found = re.search(r"<b>(\d+)</b> 分", board)
    assert found, board
    return int(found.group(1))


async def test_logging_the_same_lead_again_the_same_day_records_it_but_earns_nothing_more(
    bot: Harness,
) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/add 李先生 13900139000")
    await bot.send("/log 1 聊了套餐")
    first = await bot.reply_text("/leaderboard")
    for _ in range(5):
        assert "#1" in await bot.reply_text("/log 1 又聊了一次")
    again = await bot.reply_text("/leaderboard")
    assert points(again) == points(first)
    assert "联系 1" in my_line(again)
    await bot.send("/log 2 第一次联系")
    assert "联系 2" in my_line(await bot.reply_text("/leaderboard"))
    history = await bot.reply_text("/lead 1")
    assert history.count("又聊了一次") >= 5  # every contact is still recorded


async def test_the_next_local_day_the_same_lead_earns_its_contact_point_again(
    bot: Harness,
) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/log 1 聊了套餐")
    await bot.send("/log 1 又聊了一次")
    bot.clock.advance(days=1)
    await bot.send("/log 1 第二天")
    assert "联系 2" in my_line(await bot.reply_text("/leaderboard week"))
