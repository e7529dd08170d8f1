"""A Bot API that never leaves the process: it answers like Telegram and records every call.

Used by console mode, the tests and the benchmarks. The real Telegram servers are only reached
by a user who sets TELEGRAM_BOT_TOKEN.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 1,
    "is_bot": True,
    "first_name": "Sales Assistant",
    "username": "sales_assistant_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    filenames: dict[str, str] = field(default_factory=dict)  # file part -> the name sent

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")


# A hook may return a Bot API error as (status, description, extra) to simulate failures.
Failure = tuple[int, str, dict[str, Any]]
Hook = Callable[[Call], Failure | None]


class OfflineRequest(BaseRequest):
    """`keep` off: calls are answered but not kept in `calls` (a bot sending pushes for an hour,
    as in the memory benchmark, would otherwise hold every message it sent)."""

    def __init__(self, on_call: Hook | None = None, *, keep: bool = True) -> None:
        self.calls: list[Call] = []
        self.on_call = on_call
        self.keep = keep
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self._message_id += 1
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or self._message_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "reply_markup" in params:
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        message.update(extra)
        return message

    def _result(self, call: Call) -> Any:
        params = call.params
        if call.method == "getMe":
            return BOT_USER
        if call.method in {"sendMessage", "editMessageText", "editMessageReplyMarkup"}:
            return self._message(params)
        if call.method == "sendPhoto":
            size = len(call.files.get("photo", b""))
            photo = {
                "file_id": "photo",
                "file_unique_id": "p",
                "width": 1,
                "height": 1,
                "file_size": size,
            }
            return self._message(params, photo=[photo], caption=params.get("caption"))
        if call.method == "sendDocument":
            document = {"file_id": "doc", "file_unique_id": "d"}
            return self._message(params, document=document, caption=params.get("caption"))
        if call.method == "getUpdates":
            return []
        if call.method == "getMyCommands":
            return []
        return True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            for name, value in request_data.multipart_data.items():
                content = value[1] if isinstance(value, tuple) else value
                files[name] = content if isinstance(content, bytes) else b""
                if isinstance(value, tuple) and value[0]:
                    filenames[name] = str(value[0])
        call = Call(api_method, params, files, filenames)
        if api_method != "getUpdates" and self.keep:
            self.calls.append(call)
        failure = self.on_call(call) if self.on_call else None
        if failure is not None:
            status, description, extra = failure
            body = {"ok": False, "error_code": status, "description": description, **extra}
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(call)}).encode()
