"""Issue 15, section 4: dates and follow-up times, walked as a salesperson would, in Chinese
and in English. The clock starts on Wednesday 2026-11-25 10:00 in Shanghai."""

from __future__ import annotations

from datetime import date

from assistant.db.models import Lead
from tests.e2e.test_leads import press, rows
from tests.harness import ALICE, BOB, Harness


async def test_a_wedding_the_year_after_next_in_spring_is_read_not_dropped(bot: Harness) -> None:
    text = await bot.reply_text("/add 郑女士 13512349876 婚期后年春天 抖音", ALICE)
    assert "2028-03-01" in text and "没看懂" not in text
    [lead] = await rows(bot, Lead)
    assert lead.event_date == date(2028, 3, 1) and lead.intent is None
    text = await bot.reply_text("/add Mary 13800138001 wedding next spring", BOB)
    assert "2027-03-01" in text


async def test_a_date_we_cannot_read_is_said_with_a_button_to_set_it(bot: Harness) -> None:
    [call] = await bot.send("/add 王女士 13800138000 婚期 看缘分 抖音", ALICE)
    assert "我没看懂“看缘分”是哪一天" in call.text and "📝 婚期 看缘分" in call.text
    [reply] = await press(bot, call, "📅 设定日期", ALICE)
    assert "日期" in reply.text
    assert "2027-06-01" in await bot.reply_text("明年6月", ALICE)
    [lead] = await rows(bot, Lead, Lead.name == "王女士")
    assert lead.event_date == date(2027, 6, 1)

    [call] = await bot.send("/add Mary 13800138001 wedding date: whenever", BOB)
    assert "couldn't tell which day “whenever” means" in call.text
    await press(bot, call, "📅 Set the date", BOB)
    assert "2027-10-01" in await bot.reply_text("2027-10-01", BOB)
