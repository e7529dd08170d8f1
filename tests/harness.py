"""Drive whole conversations through the real Application with an offline Bot API."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from assistant.config import Settings
from assistant.scheduling.planner import plan_due
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.channel import telegram_sender
from assistant.tg.common import AppContext
from assistant.tg.offline import Call, OfflineRequest

# Wednesday 2026-11-25 10:00 in Shanghai.
DEFAULT_NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


class MutableClock:
    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    language_code: str | None = "zh-hans"
    username: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        if self.username:
            data["username"] = self.username
        return data


ALICE = User(1001, "Alice", "zh-hans")
BOB = User(1002, "Bob", "en-US")
CAROL = User(1003, "Carol", "zh-hans")


class Harness:
    def __init__(self, settings: Settings, clock: MutableClock) -> None:
        self.settings = settings
        self.clock = clock
        self.api = OfflineRequest()
        self.app: Application = build_application(settings, request=self.api, clock=clock)  # type: ignore[type-arg]
        self._ids = itertools.count(1)

    async def start(self) -> None:
        await start_application(self.app)
        self.api.calls.clear()

    async def stop(self) -> None:
        await stop_application(self.app)

    def _message(self, text: str, user: User, chat: dict[str, Any] | None) -> dict[str, Any]:
        chat = chat or {"id": user.id, "type": "private", "first_name": user.first_name}
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(self.clock().timestamp()),
            "chat": chat,
            "from": user.as_json(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return message

    async def process(self, body: dict[str, Any], update_id: int | None = None) -> list[Call]:
        before = len(self.api.calls)
        data = {"update_id": update_id if update_id is not None else next(self._ids), **body}
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.api.calls[before:]

    async def send(
        self, text: str, user: User = ALICE, chat: dict[str, Any] | None = None
    ) -> list[Call]:
        return await self.process({"message": self._message(text, user, chat)})

    async def reply_text(self, text: str, user: User = ALICE) -> str:
        """Send and return the text of everything the bot sent back, joined."""
        calls = await self.send(text, user)
        return "\n".join(call.text for call in calls if call.text)

    async def press(self, callback_data: str, user: User = ALICE) -> list[Call]:
        query = {
            "id": str(next(self._ids)),
            "from": user.as_json(),
            "chat_instance": "test",
            "data": callback_data,
            "message": self._message("(buttons)", user, None),
        }
        return await self.process({"callback_query": query})


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup")
    if not markup:
        return []
    data = json.loads(markup) if isinstance(markup, str) else markup
    return [button for row in data.get("inline_keyboard", []) for button in row]


async def tick(bot: Harness, seconds: int = 4, *, until_idle: bool = False) -> list[Call]:
    """One planner pass, then the sender once a second for `seconds` (a private chat gets at
    most a message a second), or until a pass finds nothing to do; the messages sent."""
    app: AppContext = bot.app.bot_data["app"]
    sender = bot.app.bot_data.setdefault("test_sender", telegram_sender(app, bot.app.bot))
    before = len(bot.api.calls)
    await plan_due(app.sessionmaker, app.settings, bot.clock())
    for second in range(seconds):
        report = await sender.run_once(bot.clock() + timedelta(seconds=second))
        if until_idle and not (report.sent or report.deferred or report.skipped):
            break
    return [call for call in bot.api.calls[before:] if call.method == "sendMessage"]
