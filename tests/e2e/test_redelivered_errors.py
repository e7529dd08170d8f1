"""An update whose answer was a user error is still recorded as handled: Telegram (or a load
balancer) delivering it again, to this process or another, gets no second answer."""

from __future__ import annotations

from assistant.config import Settings
from tests.harness import ALICE, Harness, MutableClock


async def test_a_mistyped_command_delivered_to_two_processes_is_answered_once(
    bot: Harness, settings: Settings, clock: MutableClock
) -> None:
    await bot.send("/start")
    second_process = Harness(settings, clock)
    await second_process.start()
    try:
        message = bot._message("/lead 999", ALICE, None)
        first = await bot.process({"message": message}, update_id=5001)
        again = await second_process.process({"message": message}, update_id=5001)
        same_process = await bot.process({"message": message}, update_id=5001)
    finally:
        await second_process.stop()
    answers = [call for call in first if call.method == "sendMessage"]
    assert len(answers) == 1 and "999" in answers[0].text
    assert [call for call in again + same_process if call.method == "sendMessage"] == []
