import logging

import pytest

from assistant.services import people
from tests.harness import BOB, Harness


async def test_an_unexpected_error_gets_a_friendly_reply_and_a_log_without_user_data(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(person: object, text: str) -> str:
        raise RuntimeError(f"boom with {text} and 13800138000")

    monkeypatch.setattr(people, "set_timezone", explode)
    with caplog.at_level(logging.ERROR):
        text = await bot.reply_text("/tz secret-words", BOB)
    assert "Nothing you saved was lost" in text
    assert "Traceback" not in text
    from assistant.logs import RedactingFormatter

    formatter = RedactingFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "RuntimeError" in logged
    assert "secret-words" not in logged and "13800138000" not in logged


async def test_the_failed_update_changed_nothing(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = people.change_setting

    def change_then_fail(person: people.Person, name: str, value: str) -> str:
        original(person, name, value)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(people, "change_setting", change_then_fail)
    await bot.send("/settings minutes 300", BOB)
    monkeypatch.setattr(people, "change_setting", original)
    assert "480 minutes" in await bot.reply_text("/settings", BOB)


async def test_forged_button_data_is_refused(bot: Harness) -> None:
    calls = await bot.press("done:1|AAAAAAAA", BOB)
    assert any("no longer works" in call.text for call in calls)


async def test_commands_are_registered_per_language_and_scope(bot: Harness) -> None:
    from assistant.tg.app import register_commands

    await register_commands(bot.app)
    registered = bot.api.sent("setMyCommands")
    languages = {
        (call.params.get("language_code"), call.params["scope"]["type"]) for call in registered
    }
    assert ("zh", "all_private_chats") in languages
    assert ("en", "all_group_chats") in languages
    english_private = next(
        call
        for call in registered
        if call.params.get("language_code") == "en"
        and call.params["scope"]["type"] == "all_private_chats"
    )
    names = [command["command"] for command in english_private.params["commands"]]
    assert "start" in names and "newteam" in names
