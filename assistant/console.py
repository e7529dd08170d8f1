"""Console mode: the same bot, commands and database, spoken in a terminal.

Each line typed becomes a real Telegram update that flows through the Application; whatever
the bot sends comes back here as plain text. Type `:1`, `:2`… to press a button. Pictures and
files are written to CONSOLE_FILES_DIR and their paths printed.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from assistant.clock import Clock, system_clock
from assistant.config import Settings
from assistant.i18n import normalize_locale, t
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.common import NAMELESS_USERS
from assistant.tg.offline import Call, OfflineRequest

CONSOLE_USER_ID = 100
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def console_locale(settings: Settings) -> str:
    """The console speaks the terminal's language: LANG (en_US.UTF-8 -> en), else the default."""
    return normalize_locale(os.environ.get("LANG", "").split(".")[0], settings.default_locale)


def save_file(folder: Path, name: str, content: bytes) -> Path:
    """Write `content` under a name not taken yet (`chart-….png`, then `chart-…-2.png`, …)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(Path(name).name).stem or "file", Path(name).suffix
    for attempt in itertools.count(1):
        path = folder / (f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            with path.open("xb") as file:
                file.write(content)
        except FileExistsError:
            continue
        return path.resolve()
    raise AssertionError("unreachable")


# Bot API method -> (file part, console message, name when none was sent)
_FILES = {
    "sendPhoto": ("photo", "picture", "picture.png"),
    "sendDocument": ("document", "file", "file"),
}


class Console:
    def __init__(self, settings: Settings, output: TextIO, clock: Clock = system_clock) -> None:
        self.output = output
        self.buttons: list[dict[str, Any]] = []
        self.request = OfflineRequest(on_call=self._show)
        self.application = build_application(settings, request=self.request, clock=clock)
        self.application.bot_data[NAMELESS_USERS] = {CONSOLE_USER_ID}
        self.files = Path(settings.console_files_dir)
        self.locale = console_locale(settings)
        self._update_id = int(time.time() * 1000)
        self._message_id = 0
        self.user = {
            "id": CONSOLE_USER_ID,
            "is_bot": False,
            # Not the OS account's name ("root"): a neutral word; /name gives scripts a name.
            "first_name": t(self.locale, "console.person"),
            "language_code": self.locale.lower(),  # en, zh-hans, zh-hant: as Telegram sends
        }

    def _save(self, call: Call) -> None:
        part, label, fallback = _FILES[call.method]
        name = call.filenames.get(part, "")
        if not name or name == "application.octet-stream":  # sent without a name
            name = fallback
        path = save_file(self.files, name, call.files.get(part, b""))
        print(t(self.locale, f"console.{label}", path=str(path)), file=self.output)

    def _show(self, call: Call) -> None:
        chat = call.params.get("chat_id")
        if chat is not None and int(chat) != CONSOLE_USER_ID:
            return None  # a message to someone else (a colleague told of a handover)
        if call.method in {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}:
            if call.method in _FILES:
                self._save(call)
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
                print(t(self.locale, "console.no_button"), file=self.output)
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
    settings: Settings,
    stream: TextIO = sys.stdin,
    output: TextIO = sys.stdout,
    *,
    clock: Clock = system_clock,
    intro: str = "",
) -> None:
    from assistant.web.server import serving

    console = Console(settings, output, clock)
    await start_application(console.application)
    print(t(console.locale, "console.banner"), file=output)
    print(f"{intro}\n" if intro else "", file=output)
    loop = asyncio.get_running_loop()
    try:
        async with serving(console.application, settings):  # the Mini App, with WEB_PORT
            while True:
                if stream.isatty():
                    print("> ", end="", file=output, flush=True)
                line = await loop.run_in_executor(None, stream.readline)
                if not line:
                    break
                await console.handle_line(line)
    finally:
        await stop_application(console.application)
