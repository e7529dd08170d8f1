"""People who read traditional Chinese get it from the first reply, and can switch to it."""

from __future__ import annotations

from tests.harness import ALICE, Harness, User
from tests.traditional import simplified_characters

MEI = User(3001, "美玲", "zh-tw")
KA_YAN = User(3002, "Ka Yan", "zh-hk")


async def test_a_taiwanese_client_is_greeted_in_traditional_chinese_with_its_own_menu(
    bot: Harness,
) -> None:
    calls = await bot.send("/start", MEI)
    text = "\n".join(call.text for call in calls if call.text)
    assert "你好，美玲！我是你的銷售助手" in text
    assert not simplified_characters(text)
    menus = [call for call in calls if call.method == "setMyCommands"]
    assert len(menus) == 1
    assert menus[0].params["scope"] == {"type": "chat", "chat_id": MEI.id}
    descriptions = {item["command"]: item["description"] for item in menus[0].params["commands"]}
    assert descriptions["newteam"] == "建立團隊並獲得邀請連結"


async def test_a_hong_kong_client_reads_help_in_traditional_chinese(bot: Harness) -> None:
    text = await bot.reply_text("/help", KA_YAN)
    assert "命令一覽" in text and "/newteam" in text
    assert not simplified_characters(text)


async def test_lang_switches_to_traditional_and_back_with_the_menu(bot: Harness) -> None:
    calls = await bot.send("/lang 繁體")
    assert "已切換為繁體中文" in "\n".join(call.text for call in calls if call.text)
    assert [call.params["scope"]["type"] for call in calls if call.method == "setMyCommands"] == [
        "chat"
    ]
    settings = await bot.reply_text("/settings")
    assert "我的設定" in settings and not simplified_characters(settings)
    assert "已切换为简体中文" in await bot.reply_text("/lang 简体", ALICE)
    assert "我的设置" in await bot.reply_text("/settings")


async def test_a_language_we_do_not_speak_lists_traditional_chinese_too(bot: Harness) -> None:
    text = await bot.reply_text("/lang 日本語", MEI)
    assert "/lang 繁體" in text and "/lang 英文" in text
    assert not simplified_characters(text)
