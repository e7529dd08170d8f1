"""Console mode: the same bot, commands and database, spoken in a terminal.

Each line typed becomes a real Telegram update that flows through the Application; whatever
the bot sends comes back here as plain text. Type `:1`, `:2`… to press a button.
"""

from __future__ import annotations

import asyncio
import getpass
import html
import json
import os
import re
import sys
import time
from typing import Any, TextIO

from telegram import Update

from assistant.config import Settings
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.offline import Call, OfflineRequest

CONSOLE_USER_ID = 100
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


class Console:
    def __init__(self, settings: Settings, output: TextIO) -> None:
        self.output = output
        self.buttons: list[dict[str, Any]] = []
        self.request = OfflineRequest(on_call=self._show)
        self.application = build_application(settings, request=self.request)
        self._update_id = int(time.time() * 1000)
        self._message_id = 0
        language = os.environ.get("LANG", "")
        self.user = {
            "id": CONSOLE_USER_ID,
            "is_bot": False,
            "first_name": getpass.getuser(),
            "language_code": "en" if language.lower().startswith("en") else "zh-hans",
        }

    def _show(self, call: Call) -> None:
        if call.method in {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}:
            if call.method == "sendPhoto":
                print("[picture]", file=self.output)
            if call.method == "sendDocument":
                print("[file]", file=self.output)
            print(plain(call.text), file=self.output)
            markup = call.params.get("reply_markup")
            if markup:
                data = json.loads(markup) if isinstance(markup, str) else markup
                first = len(self.buttons)
                self.buttons += [b for row in data.get("inline_keyboard", []) for b in row]
                labels = [
                    f"[:{first + i + 1}] {b['text']}" for i, b in enumerate(self.buttons[first:])
                ]
                print("  ".join(labels), file=self.output)
            print(file=self.output)
        return None

    def _next_update(self, body: dict[str, Any]) -> Update:
        self._update_id += 1
        data = {"update_id": self._update_id, **body}
        return Update.de_json(data, self.application.bot)

    def _message(self, text: str) -> dict[str, Any]:
        self._message_id += 1
        chat = {"id": CONSOLE_USER_ID, "type": "private", "first_name": self.user["first_name"]}
        message: dict[str, Any] = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    async def handle_line(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        pressed, self.buttons = self.buttons, []  # numbered across all one input brings back
        if re.fullmatch(r":\d+", line):
            index = int(line[1:]) - 1
            if not 0 <= index < len(pressed):
                self.buttons = pressed
                print("(no such button)", file=self.output)
                return
            query = {
                "id": str(self._update_id),
                "from": self.user,
                "chat_instance": "console",
                "data": pressed[index].get("callback_data"),
                "message": self._message(""),
            }
            await self.application.process_update(self._next_update({"callback_query": query}))
            return
        update = self._next_update({"message": self._message(line)})
        await self.application.process_update(update)


async def run_console(
    settings: Settings, stream: TextIO = sys.stdin, output: TextIO = sys.stdout
) -> None:
    console = Console(settings, output)
    await start_application(console.application)
    print("Sales assistant — console mode. Try /start, /help; Ctrl-D to quit.\n", file=output)
    loop = asyncio.get_running_loop()
    try:
        while True:
            if stream.isatty():
                print("> ", end="", file=output, flush=True)
            line = await loop.run_in_executor(None, stream.readline)
            if not line:
                break
            await console.handle_line(line)
    finally:
        await stop_application(console.application)
