"""A team's chat app (WeChat, LINE, WhatsApp) and phone region, set with /targets.

Alice and Bob each work in their personal space, where they are the owner and so may change
its settings. The harness clock: Wednesday 2026-11-25.
"""

from __future__ import annotations

from assistant.db.models import Lead, LeadEvent
from tests.e2e.test_leads import rows
from tests.harness import ALICE, BOB, Harness


async def test_an_owner_picks_the_chat_app_and_phone_region_and_sees_them(bot: Harness) -> None:
    text = await bot.reply_text("/targets messenger line", BOB)
    assert "<b>Clients' chat app</b>: LINE" in text and "• LINE added rate: 90%" in text
    text = await bot.reply_text("/targets region TW", BOB)
    assert "<b>Phone region</b>: Taiwan (+886)" in text
    chinese = await bot.reply_text("/targets 聊天工具 WhatsApp", ALICE)
    assert "<b>客户聊天工具</b>：WhatsApp" in chinese and "• 加WhatsApp率：90%" in chinese
    assert "<b>电话地区</b>：香港" in await bot.reply_text("/targets 地区 香港", ALICE)
    assert "/targets 聊天工具 LINE" in await bot.reply_text("/targets", ALICE)


async def test_an_app_or_region_we_do_not_know_is_answered_with_the_choices(bot: Harness) -> None:
    text = await bot.reply_text("/targets messenger telegram", BOB)
    assert "“telegram” is not a chat app we know" in text and "/targets messenger line" in text
    text = await bot.reply_text("/targets 地区 日本", ALICE)
    assert "「日本」不是可选的电话地区" in text and "/targets 地区 台湾" in text
    assert "/targets 聊天工具 LINE" in await bot.reply_text("/targets 速度 9", ALICE)


async def test_numbers_are_read_in_the_teams_region(bot: Harness) -> None:
    assert "电话号码" in await bot.reply_text("/add 林先生 0912 345 678", ALICE)  # CN: no
    await bot.send("/targets 地区 台湾", ALICE)
    assert "📱 +886 912 345 678" in await bot.reply_text("/add 林先生 0912 345 678", ALICE)
    await bot.send("/targets 地区 香港", ALICE)
    assert "📱 +852 9123 4567" in await bot.reply_text("/add 黄先生 9123 4567", ALICE)
    # Numbers with a country code are read as written wherever the team is.
    assert "📱 +86 138 0013 8000" in await bot.reply_text("/add 王女士 +86 13800138000", ALICE)
    edited = await bot.reply_text("/edit 1 电话 6123 4567", ALICE)
    assert "📱 +852 6123 4567" in edited


async def test_an_unmarked_id_is_on_the_teams_app_and_a_marked_one_on_its_own(
    bot: Harness,
) -> None:
    await bot.send("/targets 聊天工具 LINE", ALICE)
    asked = await bot.reply_text("/add", ALICE)
    assert "客户怎么称呼" in asked
    asked = await bot.reply_text("陈小姐", ALICE)
    assert "陈小姐 的电话或LINE" in asked and "line:chen88" in asked
    await bot.send("Chen_99", ALICE)
    await bot.send("跳过", ALICE)
    card = await bot.reply_text("跳过", ALICE)
    assert "💬 LINE：chen_99" in card and "加LINE" in card
    card = await bot.reply_text("/add 王女士 wx:wang_2024", ALICE)
    assert "💬 微信：wang_2024" in card and "转微信" in card
    leads = sorted(await rows(bot, Lead), key=lambda lead: lead.number)
    assert [(lead.messenger, lead.wechat) for lead in leads] == [
        ("line", "chen_99"),
        ("wechat", "wang_2024"),
    ]


async def test_editing_the_chat_id_with_an_apps_name_moves_it_to_that_app(bot: Harness) -> None:
    await bot.send("/add 陈小姐 line:chen88", ALICE)
    card = await bot.reply_text("/edit 1 微信 wang_2024", ALICE)
    assert "💬 微信：wang_2024" in card and "✏️ 微信：wang_2024" in card
    card = await bot.reply_text("/edit 1 LINE chen88", ALICE)
    assert "💬 LINE：chen88" in card
    # The same id typed again for its own app changes nothing.
    await bot.send("/edit 1 line chen88", ALICE)
    edits = [e for e in await rows(bot, LeadEvent) if e.kind == "edit"]
    assert len(edits) == 2
    [lead] = await rows(bot, Lead)
    assert (lead.messenger, lead.wechat) == ("line", "chen88")


async def test_a_lead_keeps_its_apps_id_when_the_team_changes_app(bot: Harness) -> None:
    await bot.send("/targets 聊天工具 LINE", ALICE)
    await bot.send("/add 陈小姐 line:chen88", ALICE)
    await bot.send("/targets 聊天工具 WhatsApp", ALICE)
    assert "💬 LINE：chen88" in await bot.reply_text("/lead 1", ALICE)
    summary = await bot.reply_text("/summary", ALICE)
    assert "加WhatsApp 1" in summary and "加WhatsApp率 100.0%" in summary


async def test_an_id_that_is_wrong_for_its_app_is_explained_for_that_app(bot: Harness) -> None:
    text = await bot.reply_text("/add 林小姐 line:好", ALICE)
    assert "“好”不是有效的 LINE ID" in text and "line:chen88" in text
    text = await bot.reply_text("/add Tom whatsapp:12", BOB)
    assert "isn't a WhatsApp number" in text
    assert await rows(bot, Lead) == []


async def test_a_whatsapp_number_finds_its_lead(bot: Harness) -> None:
    await bot.send("/targets region HK", BOB)
    await bot.send("/add Mr Wong whatsapp:6123 4567", BOB)
    found = await bot.reply_text("/find 6123 4567", BOB)
    assert "#1 Mr Wong" in found


async def test_english_numbers_name_the_teams_app(bot: Harness) -> None:
    await bot.send("/targets messenger whatsapp", BOB)
    await bot.send("/targets region HK", BOB)
    await bot.send("/add Mr Wong 9123 4567 whatsapp:9123 4567", BOB)
    summary = await bot.reply_text("/summary", BOB)
    assert "WhatsApp added 1" in summary and "WhatsApp added rate 100.0%" in summary
    assert "WeChat" not in summary
