"""Updates arriving together: different people's are answered side by side, one person's in
the order they were sent (assistant/tg/ordering.py), through the running Application."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from telegram import Update

from assistant.tg.offline import Call
from tests.harness import ALICE, BOB, Harness, User

_ids = itertools.count(10_000)


def _hold_replies_to(bot: Harness, user: User, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Until the event is set, Telegram takes its time to accept a message to `user`."""
    released = asyncio.Event()
    deliver = bot.api.do_request

    async def slow(url: str, method: str, request_data: Any = None, **kwargs: Any) -> Any:
        message = url.endswith("/sendMessage") and request_data is not None
        if message and request_data.parameters.get("chat_id") == user.id:
            await released.wait()
        return await deliver(url, method, request_data, **kwargs)

    monkeypatch.setattr(bot.api, "do_request", slow)
    return released


async def _arrive(bot: Harness, text: str, user: User) -> None:
    message = bot._message(text, user, None)
    update = Update.de_json({"update_id": next(_ids), "message": message}, bot.app.bot)
    await bot.app.update_queue.put(update)


def _to(bot: Harness, user: User) -> list[Call]:
    return [
        c for c in bot.api.calls if c.method == "sendMessage" and c.params["chat_id"] == user.id
    ]


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot did not answer in 5 seconds")


async def test_a_slow_reply_to_one_person_does_not_keep_another_waiting(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.send("/start", ALICE)
    await bot.send("/start", BOB)
    bot.api.calls.clear()
    released = _hold_replies_to(bot, ALICE, monkeypatch)

    await _arrive(bot, "/help", ALICE)
    await _arrive(bot, "/help", BOB)
    await _until(lambda: len(_to(bot, BOB)) == 1)
    assert _to(bot, ALICE) == []  # still on its way

    released.set()
    await _until(lambda: len(_to(bot, ALICE)) == 1)


async def test_one_persons_messages_are_answered_one_after_another_in_the_order_sent(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.send("/start", ALICE)
    bot.api.calls.clear()
    alone = await bot.reply_text("/settings", ALICE)
    bot.api.calls.clear()
    released = _hold_replies_to(bot, ALICE, monkeypatch)

    await _arrive(bot, "/add 郑女士 13912345678", ALICE)
    await _arrive(bot, "/settings", ALICE)
    await _arrive(bot, "/lead 1", ALICE)
    await asyncio.sleep(0.3)
    assert _to(bot, ALICE) == []  # the second and third wait for the first, whose reply waits

    released.set()
    await _until(lambda: len(_to(bot, ALICE)) == 3)
    added, settings, card = (call.text for call in _to(bot, ALICE))
    assert "郑女士" in added and settings == alone and "郑女士" in card
