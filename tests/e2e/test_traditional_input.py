"""Typed in traditional characters, read like simplified; what a person wrote is kept as typed.

Mei (Telegram zh-tw) reads traditional Chinese; Alice reads simplified but may type either.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.db.models import Lead, LeadEvent, Person, Team, TeamScript
from tests.e2e.test_leads import rows
from tests.harness import ALICE, Harness, User, buttons
from tests.traditional import simplified_characters

MEI = User(3001, "美玲", "zh-tw")
CHEN = User(3003, "陳志明", "zh-tw")
# The harness clock: Wednesday 2026-11-25 in Shanghai (and in Taipei).
REFERRAL_LINE = "/add 陳小姐 13800138000 婚期 明年五月 轉介紹 想要戶外拍攝"


async def test_a_lead_typed_in_traditional_characters_is_read_and_kept_as_typed(
    bot: Harness,
) -> None:
    text = await bot.reply_text(REFERRAL_LINE, MEI)
    assert "#1 陳小姐" in text and "· A ·" in text  # a referral is grade A, as in simplified
    assert "2027-05-01" in text and "轉介紹" in text and "想要戶外拍攝" in text
    assert not simplified_characters(text)
    [lead] = await rows(bot, Lead)
    assert lead.name == "陳小姐" and lead.source == "referral" and lead.intent == "想要戶外拍攝"
    assert lead.event_date == date(2027, 5, 1) and lead.strong_intent


async def test_a_simplified_reader_typing_traditional_gets_the_same_lead(bot: Harness) -> None:
    text = await bot.reply_text(REFERRAL_LINE, ALICE)
    assert "#1 陳小姐" in text and "· A ·" in text and "转介绍" in text
    [lead] = await rows(bot, Lead)
    assert lead.name == "陳小姐" and lead.source == "referral"


async def test_dates_in_traditional_characters_set_dates_and_follow_ups(bot: Harness) -> None:
    await bot.send("/add 林先生 13800138000", MEI)
    assert "2026-12-05" in await bot.reply_text("/edit 1 日期 下週六", MEI)  # next week's
    assert "2027-02-25" in await bot.reply_text("/edit 1 日期 三個月後", MEI)
    assert "2026-11-30" in await bot.reply_text("/edit 1 日期 月底", MEI)
    followup = await bot.reply_text("/fu 1 下週六下午3點", MEI)
    assert "2026-12-05 15:00" in followup and not simplified_characters(followup)


async def test_sources_fields_and_stages_typed_in_traditional_are_understood(bot: Harness) -> None:
    await bot.send("/add 林先生 13800138000", MEI)
    assert "小紅書" in await bot.reply_text("/edit 1 來源 小紅書", MEI)
    assert "週末再聊" in await bot.reply_text("/edit 1 備註 週末再聊", MEI)
    moved = await bot.reply_text("/move 1 已邀約", MEI)
    assert "已邀約" in moved and not simplified_characters(moved)
    [lead] = await rows(bot, Lead)
    assert lead.source == "xiaohongshu" and lead.intent == "週末再聊" and lead.stage == "invited"


async def test_notes_and_lost_reasons_are_stored_as_typed(bot: Harness) -> None:
    await bot.send("/add 林先生 13800138000", MEI)
    await bot.send("/log 1 聊了方案，覺得價格偏高", MEI)
    lost = await bot.reply_text("/lost 1 預算不夠", MEI)
    assert "預算不夠" in lost and not simplified_characters(lost)
    notes = [e.payload.get("note") for e in await rows(bot, LeadEvent) if e.kind == "contact"]
    assert notes == ["聊了方案，覺得價格偏高"]
    [lead] = await rows(bot, Lead)
    assert lead.lost_reason == "預算不夠"


async def test_the_teams_lost_reasons_read_in_traditional_and_pick_by_number(bot: Harness) -> None:
    await bot.send("/add 林先生 13800138000", MEI)
    [asked] = [call for call in await bot.send("/lost 1", MEI) if call.text]
    labels = " ".join(item["text"] for item in buttons(asked))
    assert "價格太高" in labels and not simplified_characters(asked.text + labels)
    await bot.send("/lost 1 1", MEI)
    [lead] = await rows(bot, Lead)
    assert lead.lost_reason == "價格太高"


async def test_ad_numbers_and_period_words_in_traditional(bot: Harness) -> None:
    saved = await bot.reply_text("/numbers 展現 12000 點擊 360 訪問 270 諮詢 27 訂單 3", MEI)
    assert "12000" in saved and not simplified_characters(saved)
    week = await bot.reply_text("/summary 本週", MEI)
    assert "本週" in week and "點擊" in week and not simplified_characters(week)
    last_week = await bot.reply_text("/summary 上週", MEI)
    assert "上週" in last_week and not simplified_characters(last_week)


async def test_a_situation_word_in_traditional_finds_its_scripts(bot: Harness) -> None:
    text = await bot.reply_text("/script 太貴", MEI)
    assert "異議：太貴" in text and not simplified_characters(text)


async def test_settings_words_and_time_zones_in_traditional(bot: Harness) -> None:
    settings = await bot.reply_text("/settings 晚報 off", MEI)
    assert "晚間檢討：關" in settings and not simplified_characters(settings)
    # A zone reads as its city in the reader's script with its offset, never as an IANA name.
    assert "臺北（UTC+8）" in await bot.reply_text("/tz 臺北", MEI)
    assert "香港（UTC+8）" in await bot.reply_text("/tz 香港", MEI)
    assert "臺北（UTC+8）" in await bot.reply_text("/tz Taipei", MEI)
    assert "香港（UTC+8）" in await bot.reply_text("/tz Hong Kong", MEI)
    [person] = await rows(bot, Person)
    assert person.timezone == "Asia/Hong_Kong"


async def test_taipei_and_hong_kong_are_found_however_they_are_written(bot: Harness) -> None:
    for typed in ("台北", "臺北", "台灣", "高雄", "Taipei", "taiwan"):
        assert "臺北（UTC+8）" in await bot.reply_text(f"/tz {typed}", MEI), typed
    for typed in ("香港", "九龍", "Hong Kong", "hongkong"):
        assert "香港（UTC+8）" in await bot.reply_text(f"/tz {typed}", MEI), typed
    # A simplified reader typing the traditional name gets the simplified city.
    assert "台北（UTC+8）" in await bot.reply_text("/tz 臺北", ALICE)
    assert "澳门（UTC+8）" in await bot.reply_text("/tz 澳門", ALICE)


async def test_finding_a_lead_works_in_either_script(bot: Harness) -> None:
    await bot.send("/add 陳小姐 13800138000", MEI)
    assert "#1 陳小姐" in await bot.reply_text("/find 陳", MEI)
    assert "#1 陳小姐" in await bot.reply_text("/find 陈", MEI)


async def test_what_could_not_be_read_is_said_back_as_typed(bot: Harness) -> None:
    await bot.send("/add 林先生 13800138000", MEI)
    text = await bot.reply_text("/fu 1 找個時間", MEI)
    assert "找個時間" in text and not simplified_characters(text)


async def test_a_taiwanese_manager_sets_targets_roles_and_scripts_in_traditional(
    bot: Harness,
) -> None:
    created = await bot.reply_text("/newteam 台北一店", MEI)
    code = re.search(r"start=join_([\w-]+)", created)
    assert code and "台北一店" in created and not simplified_characters(created)
    await bot.send(f"/start join_{code.group(1)}", CHEN)
    targets = await bot.reply_text("/targets A轉換率 60", MEI)
    assert "A 類線索轉換率：60%" in targets and not simplified_characters(targets)
    role = await bot.reply_text("/role 陈 經理", MEI)  # 陈 names 陳志明 too
    assert "陳志明" in role and not simplified_characters(role)
    line = "{{ lead.name }}，價格我們一起看看？"
    added = await bot.reply_text(f"/script add 太貴 有效 A | {line}", MEI)
    assert not simplified_characters(added)
    [script] = await rows(bot, TeamScript)
    assert script.text == line and script.situation == "too_expensive"
    [team] = await rows(bot, Team, Team.personal.is_(False))  # type: ignore[attr-defined]
    assert team.name == "台北一店"


async def test_working_days_typed_in_traditional(bot: Harness) -> None:
    text = await bot.reply_text("/settings 工作日 週一到週六", MEI)
    assert "週一、週二、週三、週四、週五、週六" in text and not simplified_characters(text)
