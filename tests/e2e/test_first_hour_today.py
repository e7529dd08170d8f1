"""#15 §5, last bullet: /today's line for each lead, the rep's name in it, the marks and the
"more" button, walked in Chinese and in English."""

from __future__ import annotations

import html
import re

from tests.harness import Harness, User

CHEN = User(1005, "小陈", "zh-hans")
SAM = User(1006, "Sam", "en-US")

_PLANNED = re.compile(r"^(?:⏰|📌|•) #(\d+) ")


def lines_by_lead(text: str) -> dict[int, str]:
    """Lead number -> the line /today suggests for it (the 💬 or ✉️ line under the lead)."""
    found: dict[int, str] = {}
    rows = text.splitlines()
    for index, row in enumerate(rows[:-1]):
        match = _PLANNED.match(row)
        if match:
            line = re.sub(r"<[^>]+>", "", rows[index + 1]).strip().lstrip("💬✉️ ").strip()
            found[int(match.group(1))] = html.unescape(line)
    return found


async def test_in_chinese_each_lead_hears_a_line_for_where_it_stands(bot: Harness) -> None:
    await bot.send("/start", CHEN)
    await bot.send("/add 郑女士 13512349876 婚期明年6月 抖音", CHEN)  # #1, date known
    await bot.send("/add 李先生 13800001111 婚期下个月 转介绍", CHEN)  # #2, an A lead, date known
    await bot.send("/add 王女士 想了解套餐", CHEN)  # #3, nothing known yet
    await bot.send("/add 赵小姐 婚期明年3月", CHEN)  # #4, contacted below
    await bot.send("/add 孙女士 婚期下个月", CHEN)  # #5, won below: no longer planned
    await bot.send("/log 2 聊了档期，想先看看方案", CHEN)
    await bot.send("/log 4 加了微信，发了样片", CHEN)
    await bot.send("/won 5 8800", CHEN)

    text = await bot.reply_text("/today", CHEN)
    lines = lines_by_lead(text)
    assert sorted(lines) == [1, 2, 3, 4]  # the won lead is not in the plan
    assert len(set(lines.values())) == 4  # no two leads get the same words

    for number in (1, 3):  # never written to: the rep introduces herself, by her own name
        assert "我是" in lines[number] and "小陈" in lines[number], lines[number]
    for number in (2, 4):  # already contacted: a follow-up, no introduction
        assert "我是" not in lines[number] and "上次" in lines[number], lines[number]
    for number in (1, 2, 4):  # the date is on the card: the line never asks when
        assert "什么时候" not in lines[number] and "日子大概定" not in lines[number]
    assert "2027年6月1日" in lines[1] and "2026年12月" in lines[2]
    assert "root" not in text


async def test_in_english_each_lead_hears_a_line_for_where_it_stands(bot: Harness) -> None:
    await bot.send("/start", SAM)
    await bot.send("/add Emma 07700900123 wedding June 2027", SAM)  # #1, date known
    await bot.send("/add Grace wedding next month", SAM)  # #2, an A lead, contacted below
    await bot.send("/add Olivia", SAM)  # #3, nothing known yet
    await bot.send("/add Chloe wedding March 2027", SAM)  # #4, contacted below
    await bot.send("/add Ruby wedding next month", SAM)  # #5, lost below: no longer planned
    await bot.send("/log 2 talked about dates, wants to see options", SAM)
    await bot.send("/log 4 sent a few photos", SAM)
    await bot.send("/lost 5 price", SAM)

    text = await bot.reply_text("/today", SAM)
    lines = lines_by_lead(text)
    assert sorted(lines) == [1, 2, 3, 4]
    assert len(set(lines.values())) == 4

    for number in (1, 3):
        assert "Sam here" in lines[number] or "it's Sam" in lines[number], lines[number]
    for number in (2, 4):
        assert "Sam" not in lines[number] and "last" in lines[number], lines[number]
    for number in (1, 2, 4):
        assert "when would you need" not in lines[number]
        assert "settled on a date" not in lines[number]
    assert "June 1, 2027" in lines[1]


async def test_an_objection_in_the_last_contact_note_picks_the_answer_to_it(
    bot: Harness,
) -> None:
    await bot.send("/start", CHEN)
    await bot.send("/add 郑女士 婚期明年5月", CHEN)
    await bot.send("/grade 1 B", CHEN)
    await bot.send("/move 1 有效", CHEN)
    await bot.send("/log 1 她觉得太贵了", CHEN)
    line = lines_by_lead(await bot.reply_text("/today", CHEN))[1]
    assert "价格" in line or "预算" in line, line
