"""Whole conversations: /summary, /numbers, /goal and /chart as a rep sees them."""

from __future__ import annotations

import io

from PIL import Image

from assistant.db.session import Sessionmaker, transaction
from assistant.services import teams
from tests import helpers as data
from tests.harness import ALICE, BOB, Harness

SHANGHAI = "Asia/Shanghai"


async def alice_with_a_day_of_work(bot: Harness, sessionmaker: Sessionmaker) -> None:
    """Alice (Shanghai; the clock says Wed 2026-11-25 10:00 there) worked this morning."""
    await bot.send("/start", ALICE)
    async with transaction(sessionmaker) as session:
        alice = await data.find_person(session, ALICE.id)
        team, _ = await teams.active_team(session, alice)
        for index in range(10):
            lead = await data.add_lead(
                session, team, alice, data.local(SHANGHAI, 2026, 11, 25, 8), grade="A"
            )
            await data.contact(session, lead, data.local(SHANGHAI, 2026, 11, 25, 9))
            await data.got_phone(session, lead, data.local(SHANGHAI, 2026, 11, 25, 9))
            if index < 6:
                await data.move(session, lead, "valid", data.local(SHANGHAI, 2026, 11, 25, 9, 30))
            if index < 3:
                await data.move(session, lead, "visited", data.local(SHANGHAI, 2026, 11, 25, 9, 40))
            if index < 1:
                await data.move(
                    session, lead, "won", data.local(SHANGHAI, 2026, 11, 25, 9, 50), amount=6600
                )
            if index == 9:
                await data.move(
                    session,
                    lead,
                    "lost",
                    data.local(SHANGHAI, 2026, 11, 25, 9, 55),
                    reason="选了别家",
                )


async def test_summary_today_reads_counts_rates_and_the_biggest_drop(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await alice_with_a_day_of_work(bot, sessionmaker)
    text = await bot.reply_text("/summary")
    assert "我的数据 · 今天（2026-11-25）" in text
    assert "新线索 10 · 已联系 10（共 10 次）" in text
    assert "有效 6 · 已邀约 3 · 已到店 3 · 成交 1 · 流失 1" in text
    assert "成交额 6,600" in text
    assert "✅ 有效率 60.0%" not in text and "🔻 有效率 60.0%（目标 70%，差 10 个点）" in text
    assert "✅ 转电话率 100.0%（目标 80%）" in text
    assert "▫️ 转微信率" not in text and "🔻 转微信率 0.0%" in text
    assert "最大流失</b>：新线索 → 有效，少了 4 个（40.0%）" in text
    assert "流失原因</b>：选了别家 ×1" in text
    assert "██████████ 10 新线索" in text


async def test_summary_in_english_for_an_empty_week_says_so_without_errors(bot: Harness) -> None:
    text = await bot.reply_text("/summary week", BOB)
    assert "My numbers · This week (2026-11-23 – 2026-11-29)" in text
    assert "Nothing recorded in this period yet" in text


async def test_a_period_that_cannot_be_read_gets_examples(bot: Harness) -> None:
    text = await bot.reply_text("/summary someday")
    assert "没看懂时间“someday”" in text and "/summary 11-01 11-15" in text
    assert "/chart last month" in await bot.reply_text("/chart whenever", BOB)


async def test_numbers_add_the_five_layer_funnel_to_the_summary(bot: Harness) -> None:
    saved = await bot.reply_text("/numbers 展现 12000 点击 360 访问 270 咨询 27 订单 3")
    assert "已记录 2026-11-25 的广告数据" in saved
    assert "点击率 3.0% · 访问率 75.0% · 咨询率 10.0% · 订单率 11.1%" in saved
    assert "⚠️" not in saved
    fixed = await bot.reply_text("/numbers 访问 200")
    assert "已更新 2026-11-25 的广告数据（访问 原为 270）" in fixed
    assert "点击到访问流失了 44.4%" in fixed
    summary = await bot.reply_text("/summary")
    assert "展现 12000 → 点击 360 → 访问 200 → 咨询 27 → 订单 3" in summary


async def test_numbers_in_english_with_a_date_and_a_cost(bot: Harness) -> None:
    text = await bot.reply_text("/numbers 11-24 impressions 5k clicks 100 cost 250", BOB)
    assert "Recorded the ad numbers for 2026-11-24" in text
    assert "Cost 250 (2.50 per click, — per order)" in text
    assert "I couldn't read “clicks many”" in await bot.reply_text("/numbers clicks many", BOB)
    assert "No ad numbers recorded for today" in await bot.reply_text("/numbers", BOB)


async def test_goal_works_backwards_and_the_summary_shows_pace(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await alice_with_a_day_of_work(bot, sessionmaker)
    text = await bot.reply_text("/goal 20")
    assert "2026-11 目标：成交 20 单" in text
    assert "到店 40" in text and "有效线索 67" in text
    assert "新线索 96（每周 22.9；已完成 10，剩余每个工作日 21.5）" in text
    assert "先按团队目标计算" in text and "进店成交率 50.0%（团队目标）" in text
    assert "已成交 1 / 20" in text and "剩余 4 个工作日，每天需 4.8 单" in text
    assert "已成交 1 / 20" in await bot.reply_text("/summary month")
    assert "was 20" not in await bot.reply_text("/goal", BOB)
    assert "No goal set for 2026-11 yet" in await bot.reply_text("/goal", BOB)
    assert "/goal 25 next" in await bot.reply_text("/goal many", BOB)


async def test_chart_sends_a_png_funnel(bot: Harness, sessionmaker: Sessionmaker) -> None:
    await alice_with_a_day_of_work(bot, sessionmaker)
    calls = await bot.send("/chart today")
    photos = [call for call in calls if call.method == "sendPhoto"]
    assert len(photos) == 1
    png = photos[0].files["photo"]
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 400
    assert "销售漏斗 · 今天（2026-11-25）" in photos[0].text


async def test_help_lists_the_numbers_commands_in_their_own_group(bot: Harness) -> None:
    text = await bot.reply_text("/help")
    assert "<b>数据</b>" in text and "/summary" in text and "/goal" in text
    assert "<b>Numbers</b>" in await bot.reply_text("/help", BOB)
