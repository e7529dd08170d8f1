"""Customers: after-sale check-ins around the event date, satisfaction, referrals."""

from __future__ import annotations

from assistant.tg.offline import Call
from tests.harness import Harness, buttons, tick


def about(calls: list[Call], text: str) -> list[str]:
    return [c.text for c in calls if text in c.text]


async def test_a_customer_gets_a_check_in_before_the_event_and_a_referral_ask_after_it(
    bot: Harness,
) -> None:
    await bot.send("/add 王女士 13800138000 婚期 2026-12-10")
    await bot.send("/won 1 8800")
    bot.clock.advance(days=11, hours=23)  # Mon Dec 7, 09:00 in Shanghai
    assert about(await tick(bot, 20), "快到了") == []
    bot.clock.advance(hours=1)  # three days before the wedding, 10:00
    [before] = about(await tick(bot, 20), "快到了")
    assert "#1 王女士</b> 的日子（2026-12-10）快到了" in before
    assert about(await tick(bot, 20), "快到了") == []  # once
    bot.clock.advance(days=5)  # Sat Dec 12, two days after
    [after] = about(await tick(bot, 20), "刚过")
    assert "/customer 1 5" in after and "介绍朋友" in after


async def test_satisfaction_is_noted_and_a_happy_customer_brings_a_referral_ask(
    bot: Harness,
) -> None:
    await bot.send("/add 王女士 13800138000")
    assert "还不是成交客户" in await bot.reply_text("/customer 1 5")
    await bot.send("/won 1 8800")
    happy = await bot.reply_text("/customer 1 5 很满意")
    assert "满意度：5/5" in happy and "请他/她介绍朋友" in happy
    unhappy = await bot.reply_text("/customer 1 2 照片修得慢")
    assert "先把让客户不满意的地方解决好" in unhappy
    assert "/customer 12 5" in await bot.reply_text("/customer 1 9")
    assert "/customer 12 5" in await bot.reply_text("/customer 1")
    assert "#1 王女士 · 8,800" in await bot.reply_text("/customers")
    assert "满意度 2/5" in await bot.reply_text("/customers")


async def test_a_referral_needs_a_customer_and_nothing_is_stored_otherwise(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    assert "#1 还不是成交客户" in await bot.reply_text("/add 李先生 13900139000 介绍人:1")
    assert "找不到线索 #7" in await bot.reply_text("/add 李先生 13900139000 ref:7")
    await bot.send("/won 1 8800")
    card = await bot.reply_text("/add 李先生 13900139000 ref:1")
    assert "#2 李先生" in card and "转介绍" in card
    listed = await bot.reply_text("/customers")
    assert "介绍了 1 位" in listed and "成交收入 8,800 · 其中转介绍 0" in listed


async def test_a_repeat_purchase_by_the_same_phone_counts_as_repeat_revenue(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/won 1 8800")
    await bot.send("/add 王女士 13800138000 再订一套")
    await bot.send("/won 2 3000")
    assert "成交收入 11,800 · 其中转介绍 0 · 复购 3,000" in await bot.reply_text("/customers")


async def test_the_summary_shows_referral_and_repeat_revenue(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/won 1 8800")
    await bot.send("/add 李先生 13900139000 介绍人:1")
    await bot.send("/won 2 5000")
    await bot.send("/add 王女士 13800138000 再订一套")
    await bot.send("/won 3 3000")
    assert "成交额 16,800（其中转介绍 5,000 · 复购 3,000）" in await bot.reply_text("/summary")


async def test_the_summary_counts_a_repeat_by_wechat_and_not_a_deal_without_keys(
    bot: Harness,
) -> None:
    await bot.send("/add 王女士 wx:wang_88")
    await bot.send("/won 1 8800")
    await bot.send("/add 李先生")
    await bot.send("/won 2 1200")
    await bot.send("/add 王女士 wx:wang_88 再订一套")
    await bot.send("/won 3 3000")
    assert "成交额 13,000（其中转介绍 0 · 复购 3,000）" in await bot.reply_text("/summary")


async def test_the_referral_button_takes_the_next_line_as_the_referred_lead(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/won 1 8800")
    listed = (await bot.send("/customers"))[-1]
    [refer] = [b for b in buttons(listed) if "#1 介绍的新客户" in b["text"]]
    asked = await bot.press(str(refer["callback_data"]))
    assert any("把 #1 王女士 介绍的新客户发给我" in call.text for call in asked)
    card = await bot.reply_text("李先生 13900139000")
    assert "#2 李先生" in card and "转介绍" in card
    assert "介绍了 1 位" in await bot.reply_text("/customers")
    assert "#3" not in await bot.reply_text("赵女士")  # the flow is over: no new lead
