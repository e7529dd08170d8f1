"""A local Bot API that enforces Telegram's flood limits, for the fan-out benchmark and tests.

It is an in-process `BaseRequest` (OfflineRequest with an `on_call` hook), not a loopback HTTP
server, on purpose: the benchmark measures the outbox sender and its pacing, not httpx and the
kernel's loopback; the moment a request reaches `do_request` is the moment the sender granted
it, so the limits are checked against exactly the times the sender chose (no network jitter to
excuse or blame); and tests need no ports. The HTTP layer in front of it is python-telegram-bot's
own and is exercised by the webhook tests.

Limits, checked when a sending call arrives (refused calls do not count):
- at most 30 messages in any 1-second window, over all chats;
- a private chat (id > 0): at most 1 message a second;
- a group (id < 0): at most 20 messages in any 60-second window.
Beyond a limit the call gets `429 Too Many Requests: retry after N` with
`parameters.retry_after = N`, as Telegram answers.

Every accepted message is recorded with the callback data of its first button (the benchmark's
pushes carry their outbox row id there), and, with `journal`, appended to a file at once, so a
process killed with SIGKILL leaves an exact list of what Telegram received.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.tg.offline import Call, Failure, OfflineRequest

SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass(frozen=True)
class Delivered:
    at: float
    chat_id: int
    key: str


def first_button_data(params: dict[str, Any]) -> str:
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return ""
    for row in markup.get("inline_keyboard", []):
        for button in row:
            return str(button.get("callback_data", ""))
    return ""


class TelegramLimits:
    """An `on_call` hook: refuses with 429 what Telegram would refuse, records the rest."""

    def __init__(
        self,
        *,
        per_second: int = 30,
        private_gap: float = 1.0,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
        journal: Path | None = None,
        storm: Callable[[Call], int | None] | None = None,
    ) -> None:
        self.per_second = per_second
        self.private_gap = private_gap
        self.group_per_minute = group_per_minute
        self.clock = clock
        self.storm = storm  # extra refusals: returns retry_after seconds to refuse a call
        self.delivered: list[Delivered] = []
        self.refused = 0
        self.reasons: Counter[str] = Counter()  # which limit refused how many calls
        self._recent: deque[float] = deque()
        self._last_private: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self._journal = os.open(journal, flags) if journal else None

    def _wait(self, chat_id: int, now: float) -> float:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        waits = [0.0]
        if len(self._recent) >= self.per_second:
            waits.append(self._recent[0] + 1.0 - now)
            self.reasons["overall"] += 1
        if chat_id > 0:
            last = self._last_private.get(chat_id)
            if last is not None and now - last < self.private_gap:
                waits.append(last + self.private_gap - now)
                self.reasons["private chat"] += 1
        else:
            group = self._groups.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= self.group_per_minute:
                waits.append(group[0] + 60.0 - now)
                self.reasons["group"] += 1
        return max(waits)

    def _refuse(self, seconds: float) -> Failure:
        self.refused += 1
        retry = max(1, math.ceil(seconds))
        return (
            429,
            f"Too Many Requests: retry after {retry}",
            {"parameters": {"retry_after": retry}},
        )

    def __call__(self, call: Call) -> Failure | None:
        if call.method not in SENDING:
            return None
        now = self.clock()
        chat_id = int(call.params["chat_id"])
        if self.storm is not None and (retry := self.storm(call)) is not None:
            return self._refuse(retry)
        wait = self._wait(chat_id, now)
        if wait > 0:
            return self._refuse(wait)
        self._recent.append(now)
        if chat_id > 0:
            self._last_private[chat_id] = now
        else:
            self._groups[chat_id].append(now)
        delivered = Delivered(now, chat_id, first_button_data(call.params))
        self.delivered.append(delivered)
        if self._journal is not None:
            os.write(self._journal, f"{delivered.chat_id} {delivered.key}\n".encode())
        return None

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None


def limited_api(**limits: Any) -> tuple[OfflineRequest, TelegramLimits]:
    """An offline Bot API with Telegram's limits; keep the second value to read the results."""
    hook = TelegramLimits(**limits)
    return OfflineRequest(on_call=hook), hook
