"""#15 §5 "Replies that read as a machine", walked in Chinese and in English.

Whatever a person reads in Chinese has no internal id, key or English word in it; the same
steps in English read as English.
"""

from __future__ import annotations

import html
import re
from datetime import date

from assistant.services.scripts import library
from tests.e2e.test_scripts import blocks, button_data, make_lead
from tests.harness import BOB, Harness, User

CHEN = User(1005, "小陈", "zh-hans")  # a Chinese name: what the person typed stays theirs

LIBRARY_IDS = {script.id for scripts in library().values() for script in scripts}


def latin_words(text: str) -> list[str]:
    """Latin words a Chinese reader would trip over. Commands are typed as they are, grades are
    letters, file formats (CSV, XLSX), UTC and LINE are written in capitals in Chinese too,
    WhatsApp is the app's own name there, and an invite code or a script placeholder
    ({{ lead.name }}) is typed exactly as shown."""
    text = re.sub(r"<code>[A-Za-z0-9_-]{10,}</code>", " ", text)  # an invite code to copy
    text = re.sub(r"\{\{ ?[a-z_.]+ ?\}\}", " ", text)  # a script placeholder, typed as shown
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    plain = re.sub(r"/[a-z_]+", " ", plain)
    words = re.findall(r"[A-Za-z][A-Za-z_-]+", plain)
    return [
        word for word in words if not (word.isupper() and len(word) <= 5) and word != "WhatsApp"
    ]


def assert_reads_as_chinese(text: str) -> None:
    assert not latin_words(text), (latin_words(text), text)
    assert not [word for word in LIBRARY_IDS if word in text], text


async def test_a_used_script_is_named_by_its_title_in_the_reply_history_and_stats(
    bot: Harness,
) -> None:
    await bot.send("/start")
    lead = await make_lead(bot, name="王女士", stage="valid", grade="A")
    shown = blocks(await bot.send(f"/script {lead.number}"))
    assert_reads_as_chinese(shown[0].text.split("<pre>")[0])
    [used] = [c for c in await bot.press(button_data(shown[0], "用了这条")) if c.text]
    assert "已记录：#1 王女士 用了「邀约到店」话术「周末两个时段二选一」" in used.text
    assert_reads_as_chinese(used.text)
    card = await bot.reply_text("/lead 1")
    assert "💬 用了话术「周末两个时段二选一」" in card
    assert_reads_as_chinese(card)
    stats = await bot.reply_text("/script 效果")
    assert "周末两个时段二选一（邀约到店）：用了 1 次" in stats
    assert_reads_as_chinese(stats)


async def test_in_english_the_same_script_reads_by_its_english_title(bot: Harness) -> None:
    await bot.send("/start", BOB)
    lead = await make_lead(bot, BOB, name="Emma", stage="valid", grade="A")
    shown = blocks(await bot.send(f"/script {lead.number}", BOB))
    [used] = [c for c in await bot.press(button_data(shown[0], "Used it"), BOB) if c.text]
    assert "“Saturday or Sunday”" in used.text and "invite-" not in used.text
    card = await bot.reply_text("/lead 1", BOB)
    assert "💬 sent “Saturday or Sunday”" in card
    # The lead's history is read in the reader's language, whoever sent the script.
    await bot.send("/lang zh", BOB)
    assert "💬 用了话术「周六下午或周日上午」" in await bot.reply_text("/lead 1", BOB)


async def test_a_team_script_is_named_by_its_first_words(bot: Harness) -> None:
    await bot.send("/start")
    await bot.send(
        "/script 添加 太贵 | {{ lead.name }}，预算方面我们一起想办法，您心里的区间是多少？"
    )
    lead = await make_lead(
        bot, name="孙女士", stage="visited", grade="A", event_date=date(2027, 5, 1)
    )
    shown = blocks(await bot.send("/script 太贵"))
    team_block = next(call for call in shown if "团队话术" in call.text)
    [used] = [c for c in await bot.press(button_data(team_block, "用了这条")) if c.text]
    assert "回复线索编号" in used.text
    noted = await bot.reply_text(str(lead.number))
    assert "用了「异议：太贵」话术「团队话术：预算方面我们一起想办法…」" in noted
    assert_reads_as_chinese(noted)
    card = await bot.reply_text(f"/lead {lead.number}")
    assert "💬 用了话术「团队话术：预算方面我们一起想办法…」" in card
    stats = await bot.reply_text("/script 效果")
    assert "团队话术：预算方面我们一起想办法…（异议：太贵）：用了 1 次" in stats


CHINESE_WALK = [
    "/help", "/settings", "/settings 乱写 1", "/settings 分钟 七", "/settings 早报 几点",
    "/tz", "/tz 火星", "/tz 东京", "/lang 火星文", "/add 王女士 13800138000 婚期 明年5月 抖音",
    "/grade 1 X", "/grade 1 B", "/grade 1 B", "/fu 1 乱七八糟", "/edit 1 颜色 红",
    "/leaderboard 明年", "/role", "/role 1 老大", "/members", "/targets", "/targets 流程 火箭",
    "/targets 评级 A 9999", "/targets 乱写", "/pool", "/pool 设置 乱写", "/assign", "/away",
    "/away 乱写", "/invite 列表", "/invite 乱写", "/script", "/script 效果", "/script 团队",
    "/script 添加 太贵 | 太长" + "的" * 400, "/script 添加 太贵 | 没有问题的一句话。",
    "/forecast 设置 乱写", "/handover", "/sources", "/lead 1",
]  # fmt: skip


async def test_a_first_hour_in_chinese_reads_as_chinese_throughout(bot: Harness) -> None:
    await bot.send("/newteam 花店", CHEN)
    for command in CHINESE_WALK:
        text = await bot.reply_text(command, CHEN)
        assert text, command
        assert not latin_words(text), (command, latin_words(text), text)


ENGLISH_WALK = [
    "/help", "/settings", "/settings nonsense 1", "/settings minutes seven",
    "/settings morning whenever", "/tz", "/tz Mars", "/tz Tokyo", "/lang klingon",
    "/add Ms Wang 13800138000 wedding May 2027 douyin", "/grade 1 X", "/grade 1 B",
    "/grade 1 B", "/fu 1 gibberish", "/edit 1 colour red", "/log 1 talked about packages",
    "/summary today", "/leaderboard next year", "/role", "/role 1 boss", "/members", "/targets",
    "/targets pipeline rocket", "/targets grading A 9999", "/targets nonsense", "/pool",
    "/pool set nonsense", "/assign", "/away", "/away nonsense", "/invite list",
    "/invite nonsense", "/script", "/script stats", "/script team", "/forecast set nonsense",
    "/handover", "/sources", "/today", "/lead 1", "/won 1 8800", "/summary today", "/forecast",
]  # fmt: skip

# A count of one followed by a plural noun: "1 contacts", "1 leads".
ONE_AND_A_PLURAL = re.compile(
    r"\b1 (contacts|leads|deals|days|minutes|orders|follow-ups|members|times|hours|weeks|rows)\b"
)


async def test_a_first_hour_in_english_reads_as_english_and_counts_agree(bot: Harness) -> None:
    await bot.send("/newteam Flower Shop", BOB)
    for command in ENGLISH_WALK:
        text = await bot.reply_text(command, BOB)
        assert text, command
        plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
        for own_name in ("简体中文", "繁體中文"):  # a language is named in its own script too
            plain = plain.replace(own_name, "")
        assert not re.search(r"[\u4e00-\u9fff]", plain), (command, plain)
        assert not ONE_AND_A_PLURAL.search(plain), (command, plain)
