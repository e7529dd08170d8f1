"""Issue 15, section 6: small things that break trust, walked in Chinese and in English."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assistant.db.models import ConversationState, Lead
from tests.e2e.test_leads import press, rows
from tests.harness import ALICE, BOB, Harness, buttons

PASTED = "郑女士 13512349876 婚期明年6月 抖音"


async def test_a_pasted_lead_is_shown_parsed_and_saved_only_on_save(bot: Harness) -> None:
    [preview] = await bot.send(PASTED, ALICE)
    assert "要存成线索吗" in preview.text and "郑女士" in preview.text
    assert "2027-06-01" in preview.text and "+86 135 1234 9876" in preview.text
    assert [b["text"] for b in buttons(preview)] == ["✅ 保存为线索", "✖️ 不用了"]
    assert await rows(bot, Lead) == []
    [state] = await rows(bot, ConversationState)  # the draft waits in the database
    assert state.flow == "lead_paste" and state.data["name"] == "郑女士"
    [card] = await press(bot, preview, "保存为线索", ALICE)
    assert "线索已保存" in card.text and "#1 郑女士" in card.text
    [lead] = await rows(bot, Lead)
    assert lead.phone == "+8613512349876" and lead.source == "douyin"
    assert await rows(bot, ConversationState) == []
    # Pressing save again stores nothing twice.
    [again] = await press(bot, preview, "保存为线索", ALICE)
    assert "已经处理过了" in again.text and len(await rows(bot, Lead)) == 1


async def test_a_pasted_duplicate_is_shown_as_add_shows_it(bot: Harness) -> None:
    await bot.send("/add 郑女士 13512349876", ALICE)
    [preview] = await bot.send(PASTED, ALICE)
    [card] = await press(bot, preview, "保存为线索", ALICE)
    assert "相同的电话或微信已在这些线索里" in card.text and "#1 郑女士" in card.text
    assert any("合并到 #1" in b["text"] for b in buttons(card))


async def test_cancel_stores_nothing_and_other_text_still_gets_the_hint(bot: Harness) -> None:
    [preview] = await bot.send(PASTED, ALICE)
    [done] = await press(bot, preview, "不用了", ALICE)
    assert "没有保存" in done.text
    assert await rows(bot, Lead) == [] and await rows(bot, ConversationState) == []
    assert "我没看懂这句话" in await bot.reply_text("明天开会", ALICE)
    assert "我没看懂这句话" in await bot.reply_text("你好", ALICE)


async def test_in_english_a_pasted_lead_with_a_wechat_id_is_offered_too(bot: Harness) -> None:
    [preview] = await bot.send("Ms Lee wx:lee_2024 wedding date: sometime", BOB)
    assert "save it as a lead?" in preview.text
    assert "WeChat: lee_2024" in preview.text and "“sometime”" in preview.text
    [card] = await press(bot, preview, "Save as a lead", BOB)
    assert "Lead saved" in card.text and "📝 wedding date: sometime" in card.text
    assert "I didn't catch that" in await bot.reply_text("hello there", BOB)


async def test_leads_with_no_leads_says_how_to_start_and_sends_no_empty_keyboard(
    bot: Harness, caplog: Any
) -> None:
    for user, words in ((ALICE, "还没有进行中的线索"), (BOB, "No open leads yet")):
        [call] = await bot.send("/leads", user)
        assert words in call.text and "/add" in call.text
        assert "reply_markup" not in call.params or call.params["reply_markup"] is None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    [call] = await bot.send("/leads A", ALICE)
    assert "没有符合这个筛选的线索" in call.text


async def test_goal_for_next_month_speaks_of_that_month(bot: Harness) -> None:
    text = await bot.reply_text("/goal 20 下月", ALICE)
    assert "2026-12 目标：成交 20 单" in text
    assert "2026-12 共 23 个工作日" in text and "本月" not in text
    text = await bot.reply_text("/goal 20 next", BOB)
    assert "23 working days in 2026-12" in text and "this month" not in text


async def test_on_a_months_last_day_goal_offers_next_month(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 30 November, 10:00
    [ask] = await bot.send("/goal 20", ALICE)
    assert "这 20 单是哪个月的目标" in ask.text
    [plan] = await press(bot, ask, "2026-12（下个月）", ALICE)
    assert "2026-12 目标：成交 20 单" in plan.text
    [view] = await bot.send("/goal", BOB)
    assert "last day" in view.text
    [plan] = await press(bot, view, "Goal for 2026-12", BOB)
    assert "No goal set for 2026-12 yet" in plan.text and "/goal 20 2026-12" in plan.text


async def test_forecast_revenue_counts_the_deal_already_won(bot: Harness) -> None:
    for user, visited, won in ((ALICE, "到店", "/won 1 8800"), (BOB, "visited", "/won 1 8800")):
        await bot.send("/add 王女士 13800138000", user)
        await bot.send("/add 李女士 13800138001", user)
        await bot.send(won, user)
        await bot.send(f"/move 2 {visited}", user)
    # One order won (8,800) and a visited lead worth 60% of the average deal (5,280).
    zh = await bot.reply_text("/forecast", ALICE)
    assert "已成交 1 单 + 预计 0.6 单 = 1.6 单，预计收入 14,080（已成交 8,800 + 在谈 5,280）" in zh
    en = await bot.reply_text("/forecast", BOB)
    assert (
        "Won 1 + expected 0.6 = 1.6 orders, expected revenue 14,080 (won 8,800 + open 5,280)" in en
    )
