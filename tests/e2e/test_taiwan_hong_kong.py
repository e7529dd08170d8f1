"""Issue 19, done when: a Taiwanese rep on LINE and a Hong Kong rep on WhatsApp walk through
their first hour, every reply in traditional characters.

Mei manages a Taipei store on LINE with Taiwanese numbers; Chen sells there. Wing manages a
Hong Kong store on WhatsApp; Ka Ho sells there. The harness clock: Wednesday 2026-11-25.
"""

from __future__ import annotations

import re
import warnings

from assistant.db.models import Lead, Team
from assistant.i18n.hant import converter
from tests.e2e.test_first_hour_charts import no_system_fonts  # noqa: F401 (a fixture)
from tests.e2e.test_leads import rows
from tests.harness import Harness, User
from tests.traditional import EVERYDAY_TRADITIONAL, simplified_characters

MEI = User(3101, "美玲", "zh-tw")
CHEN = User(3102, "陳志明", "zh-tw")
WING = User(3103, "詠詩", "zh-hk")
KA_HO = User(3104, "家豪", "zh-hk")


def assert_traditional(reply: str) -> None:
    """No character that only simplified Chinese writes, and nothing OpenCC's s2t would still
    convert, but 台: Taiwan writes 台北 every day (the team's name is kept as typed)."""
    assert reply.strip()
    assert not simplified_characters(reply), (simplified_characters(reply), reply)
    unchanged = converter("s2t").convert(reply)
    changed = {a for a, b in zip(reply, unchanged, strict=True) if a != b}
    assert changed <= EVERYDAY_TRADITIONAL, (changed, reply)


async def team_on(bot: Harness, manager: User, rep: User, name: str, app: str, region: str) -> str:
    """The manager opens the team and picks its chat app and phone region; the rep joins."""
    created = await bot.reply_text(f"/newteam {name}", manager)
    code = re.search(r"start=join_([\w-]+)", created)
    assert code, created
    settings = await bot.reply_text(f"/targets 聊天工具 {app}", manager)
    settings += await bot.reply_text(f"/targets 地區 {region}", manager)
    assert_traditional(settings)
    joined = await bot.reply_text(f"/start join_{code.group(1)}", rep)
    assert name in joined
    assert_traditional(joined)
    return settings


async def first_hour(bot: Harness, rep: User, add_line: str) -> dict[str, str]:
    """/start, /add, /today, /summary, /script 太貴 and /chart, every reply traditional."""
    replies = {"start": await bot.reply_text("/start", rep)}
    replies["add"] = await bot.reply_text(add_line, rep)
    replies["today"] = await bot.reply_text("/today", rep)
    replies["summary"] = await bot.reply_text("/summary", rep)
    replies["script"] = await bot.reply_text("/script 太貴", rep)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would fail here
        calls = await bot.send("/chart", rep)
    [photo] = [call for call in calls if call.method == "sendPhoto"]
    assert photo.files["photo"].startswith(b"\x89PNG")
    replies["chart"] = photo.text
    for name, reply in replies.items():
        assert reply, name
        assert_traditional(reply)
    return replies


async def test_a_taiwanese_rep_on_line_walks_the_first_hour_in_traditional_characters(
    bot: Harness,
    no_system_fonts: None,  # noqa: F811
) -> None:
    settings = await team_on(bot, MEI, CHEN, "台北一店", "LINE", "臺灣")
    assert "客戶聊天工具</b>：LINE" in settings and "電話地區</b>：臺灣（+886）" in settings
    replies = await first_hour(bot, CHEN, "/add 陳小姐 0912345678 line:chen88 婚期 明年五月 轉介紹")
    card = replies["add"]
    assert "#1 陳小姐" in card and "· A ·" in card  # a referral is grade A, as everywhere
    assert "+886 912 345 678" in card and "💬 LINE：chen88" in card and "轉介紹" in card
    assert "陳小姐" in replies["today"]
    assert "加LINE 1" in replies["summary"] and "✅ 加LINE率 100.0%" in replies["summary"]
    assert "微信" not in replies["summary"]
    assert "異議：太貴" in replies["script"] and "銷售漏斗" in replies["chart"]
    [lead] = await rows(bot, Lead)
    assert (lead.name, lead.phone, lead.grade) == ("陳小姐", "+886912345678", "A")
    assert (lead.messenger, lead.wechat, lead.source) == ("line", "chen88", "referral")


async def test_a_hong_kong_rep_on_whatsapp_walks_the_first_hour_in_traditional_characters(
    bot: Harness,
    no_system_fonts: None,  # noqa: F811
) -> None:
    settings = await team_on(bot, WING, KA_HO, "銅鑼灣店", "WhatsApp", "香港")
    assert "客戶聊天工具</b>：WhatsApp" in settings and "電話地區</b>：香港（+852）" in settings
    replies = await first_hour(
        bot, KA_HO, "/add 黃先生 9123 4567 whatsapp:6123 4567 婚期 明年五月 轉介紹"
    )
    card = replies["add"]
    assert "#1 黃先生" in card and "· A ·" in card
    assert "+852 9123 4567" in card and "💬 WhatsApp：+852 6123 4567" in card
    assert "加WhatsApp 1" in replies["summary"] and "加WhatsApp率 100.0%" in replies["summary"]
    [lead] = await rows(bot, Lead)
    assert (lead.phone, lead.messenger, lead.wechat) == ("+85291234567", "whatsapp", "+85261234567")
    [team] = await rows(bot, Team, Team.personal.is_(False))  # type: ignore[attr-defined]
    assert (team.messenger, team.phone_region) == ("whatsapp", "HK")
