"""Issue 15, section 4: dates and follow-up times, walked as a salesperson would, in Chinese
and in English. The clock starts on Wednesday 2026-11-25 10:00 in Shanghai."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

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


def at_shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


async def followup_of(bot: Harness, name: str) -> tuple[datetime, bool]:
    [lead] = await rows(bot, Lead, Lead.name == name)
    assert lead.next_followup_at is not None
    return lead.next_followup_at.astimezone(ZoneInfo("Asia/Shanghai")), lead.followup_manual


async def test_cadence_times_land_on_working_slots_and_typed_times_are_kept(
    bot: Harness,
) -> None:
    # A lead pasted in at 01:05 is not due at 02:05, in the night: it waits for 10:00.
    bot.clock.now = at_shanghai(25, 1, 5)
    assert "下次跟进：2026-11-25 10:00" in await bot.reply_text("/add 郑女士 13512349876", ALICE)
    # One added at 15:00 on a working day is still due within the hour.
    bot.clock.now = at_shanghai(25, 15, 0)
    assert "下次跟进：2026-11-25 16:00" in await bot.reply_text("/add 钱女士 13512349877", ALICE)
    # Contacts logged in the afternoon are due on their day from 10:00, one slot each.
    assert "下次跟进：2026-12-09 10:00" in await bot.reply_text("/log 1 聊了", ALICE)
    assert "下次跟进：2026-12-09 10:15" in await bot.reply_text("/log 2 聊了", ALICE)

    # A time typed today is kept to the minute, and survives a stage move.
    assert "下次跟进：2026-11-25 23:59" in await bot.reply_text("/fu 1 今天23:59", ALICE)
    text = await bot.reply_text("/move 1 有效", ALICE)
    assert "有效" in text and "下次跟进：2026-11-25 23:59" in text
    assert await followup_of(bot, "郑女士") == (at_shanghai(25, 23, 59), True)
    # A cadence-made one is replaced by the move.
    text = await bot.reply_text("/move 2 有效", ALICE)
    assert "下次跟进：2026-12-09 10:00" in text  # D: 14 days, its first free slot
    # Won closes even a follow-up set by hand: the after-sale visit follows, on a working slot.
    text = await bot.reply_text("/won 1 8800", ALICE)
    assert "下次跟进：2026-12-25 10:00" in text
    assert await followup_of(bot, "郑女士") == (at_shanghai(25, 10, 0).replace(month=12), False)


async def test_in_english_today_with_a_time_and_the_buttons_survive_a_stage_move(
    bot: Harness,
) -> None:
    bot.clock.now = at_shanghai(25, 1, 5)
    assert "Next follow-up: 2026-11-25 10:00" in await bot.reply_text("/add Mary 13800138001", BOB)
    assert "2026-11-25 23:59" in await bot.reply_text("/fu 1 today 23:59", BOB)
    [call] = await bot.send("/lead 1", BOB)
    [menu] = await press(bot, call, "Follow-up", BOB)
    [card] = await press(bot, menu, "Tomorrow 09:00", BOB)  # the morning briefing time
    assert "Next follow-up: 2026-11-26 09:00" in card.text
    text = await bot.reply_text("/move 1 valid", BOB)
    assert "Next follow-up: 2026-11-26 09:00" in text
    assert await followup_of(bot, "Mary") == (at_shanghai(26, 9, 0), True)
    # Lost closes it: the reactivation in 90 days, on a working slot.
    text = await bot.reply_text("/lost 1 price", BOB)
    assert "Next follow-up: 2027-02-23 10:00" in text
