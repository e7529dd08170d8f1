"""#15 §5, last bullet: /today's line for each lead, the rep's name in it, the marks and the
"more" button, walked in Chinese and in English."""

from __future__ import annotations

import html
import re

from assistant.db.session import transaction
from tests.harness import Harness, User, buttons
from tests.helpers import find_person, sessionmaker_of

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
        assert "什么时候需要" not in lines[number] and "日子大概定" not in lines[number]
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
        assert "Sam" in lines[number], lines[number]
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


async def test_in_chinese_name_says_sets_and_refuses_a_name_kindly(bot: Harness) -> None:
    await bot.send("/start", CHEN)
    await bot.send("/add 王女士 想了解套餐", CHEN)
    assert "<b>小陈</b>" in await bot.reply_text("/name", CHEN)  # Telegram's first name
    assert "我是陈老师" in await bot.reply_text("/name 陈老师", CHEN)
    assert "陈老师" in lines_by_lead(await bot.reply_text("/today", CHEN))[1]

    refused = await bot.reply_text("/name \u200b\u200d", CHEN)
    assert "看得见的字" in refused and "/name 小陈" in refused
    refused = await bot.reply_text("/name " + "很" * 21, CHEN)
    assert "最多 20 个字" in refused
    assert "<b>陈老师</b>" in await bot.reply_text("/name", CHEN)  # nothing changed
    assert "/name" in await bot.reply_text("/help", CHEN)


async def test_in_english_name_says_sets_and_refuses_a_name_kindly(bot: Harness) -> None:
    await bot.send("/start", SAM)
    await bot.send("/add Olivia", SAM)
    assert "<b>Sam</b>" in await bot.reply_text("/name", SAM)
    assert "Samantha here" in await bot.reply_text("/name Samantha", SAM)
    assert "Samantha" in lines_by_lead(await bot.reply_text("/today", SAM))[1]

    refused = await bot.reply_text("/name \u2066\u2069", SAM)
    assert "no visible characters" in refused and "/name Sam" in refused
    assert "at most 20 characters" in await bot.reply_text("/name " + "x" * 21, SAM)
    assert "<b>Samantha</b>" in await bot.reply_text("/name", SAM)
    assert "/name" in await bot.reply_text("/help", SAM)


async def test_a_first_name_of_invisible_characters_gives_a_neutral_word_not_an_id(
    bot: Harness,
) -> None:
    ghost = User(1007, "\u200b", "zh-hans", username="ghost_01")
    await bot.send("/start", ghost)
    await bot.send("/add 王女士 想了解套餐", ghost)
    assert "还没有设置名字" in await bot.reply_text("/name", ghost)
    line = lines_by_lead(await bot.reply_text("/today", ghost))[1]
    assert "我是顾问" in line or "顾问" in line, line
    assert "ghost" not in line and "None" not in line


async def test_the_name_command_is_in_every_command_menu(bot: Harness) -> None:
    from assistant.tg.app import register_commands

    await register_commands(bot.app)
    private_menus = [
        call.params["commands"]
        for call in bot.api.sent("setMyCommands")
        if call.params["scope"]["type"] == "all_private_chats"
    ]
    assert len(private_menus) >= 2
    for menu in private_menus:
        assert "name" in [command["command"] for command in menu]


async def test_someone_stored_before_rep_names_gets_their_first_name_on_the_next_message(
    bot: Harness,
) -> None:
    await bot.send("/start", SAM)
    async with transaction(sessionmaker_of(bot)) as session:
        person = await find_person(session, SAM.id)
        person.rep_name = None  # as every person was before the rep_name column
    assert "<b>Sam</b>" in await bot.reply_text("/name", SAM)


async def test_in_chinese_the_marks_are_explained_once_and_more_shows_the_next_ten(
    bot: Harness,
) -> None:
    await bot.send("/start", CHEN)
    for number in range(1, 24):
        await bot.send(f"/add 客户{number} 婚期明年{number % 12 + 1}月", CHEN)
    [first] = [call for call in await bot.send("/today", CHEN) if call.text]
    assert first.text.count("📌 今天要跟进") == 1 and "• 其余按顺序联系" in first.text
    assert "⏰ 跟进已逾期" in first.text
    assert len(lines_by_lead(first.text)) == 10
    assert "还有 13 个客户" in first.text
    [more] = buttons(first)
    assert more["text"] == "👇 再看 10 个"

    [second] = [call for call in await bot.press(more["callback_data"], CHEN) if call.text]
    assert "今日计划（续）" in second.text and "第 11–20 个，共 23 个" in second.text
    assert "今天要跟进 ·" not in second.text  # explained once, on the first page
    assert not set(lines_by_lead(second.text)) & set(lines_by_lead(first.text))
    [last_more] = buttons(second)
    assert last_more["text"] == "👇 再看 3 个"
    [third] = [call for call in await bot.press(last_more["callback_data"], CHEN) if call.text]
    assert "第 21–23 个，共 23 个" in third.text and not buttons(third)
    assert len(lines_by_lead(third.text)) == 3


async def test_in_english_the_marks_are_explained_once_and_more_shows_the_next_ten(
    bot: Harness,
) -> None:
    await bot.send("/start", SAM)
    for number in range(1, 13):
        await bot.send(f"/add Client{number}", SAM)
    await bot.send("/fu 3 today 18:00", SAM)
    [first] = [call for call in await bot.send("/today", SAM) if call.text]
    assert "⏰ overdue · 📌 due today · • the rest, in order" in first.text
    assert len(lines_by_lead(first.text)) == 10
    assert "2 more leads after these" in first.text
    [more] = buttons(first)
    assert more["text"] == "👇 Next 2"
    [second] = [call for call in await bot.press(more["callback_data"], SAM) if call.text]
    assert "Today's plan, continued" in second.text and "leads 11–12 of 12" in second.text
    assert "the rest, in order" not in second.text
    assert len(lines_by_lead(second.text)) == 2 and not buttons(second)


async def test_a_plan_that_fits_on_one_page_has_no_more_button(bot: Harness) -> None:
    await bot.send("/start", SAM)
    await bot.send("/add Olivia", SAM)
    [only] = [call for call in await bot.send("/today", SAM) if call.text]
    assert not buttons(only) and "more lead" not in only.text


async def test_a_more_button_pressed_after_leads_were_closed_shows_the_last_page(
    bot: Harness,
) -> None:
    await bot.send("/start", SAM)
    for number in range(1, 13):
        await bot.send(f"/add Client{number}", SAM)
    [first] = [call for call in await bot.send("/today", SAM) if call.text]
    for number in range(1, 6):
        await bot.send(f"/lost {number} no reply", SAM)
    [again] = [
        call for call in await bot.press(buttons(first)[0]["callback_data"], SAM) if call.text
    ]
    assert "7 open leads" in again.text and len(lines_by_lead(again.text)) == 7
