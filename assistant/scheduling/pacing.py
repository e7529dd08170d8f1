"""Real-time pacing of sends for Telegram's flood limits, shared by every send of one process.

Telegram allows a bot about 30 messages a second overall, 1 a second to one private chat and
20 a minute to one group, and answers 429 (retry after N seconds) beyond that. The outbox
sender's own per-chat pacing works in the scheduling clock; this pacer works in wall-clock time,
right before each request, so concurrent sends never burst past a limit:

- overall: at most `per_second` sends in any window of `window` seconds (the window is a little
  longer than a second, `margin`, so timer jitter cannot push a 31st message into one second);
- a private chat: one send per `private_gap` seconds; a group: one per `group_gap` seconds
  (3 s = 20 a minute).

The time of a send is taken when the permission is granted, with no await before the request
goes out, so the recorded times are the times Telegram sees (up to network delay). Several bot
processes each have their own pacer: give each a share (`per_second`) when you run more than one.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(
        self,
        *,
        per_second: int = 30,
        window: float = 1.0,
        margin: float = 0.02,
        private_gap: float = 1.0,
        group_gap: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self.window = window * (1 + margin)
        self.private_gap = private_gap * (1 + margin)
        self.group_gap = group_gap * (1 + margin)
        self._clock = clock
        self._sleep = sleep
        self._recent: deque[float] = deque(maxlen=per_second)
        self._last_in_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting, for the benchmarks

    def _chat_wait(self, chat_id: int, now: float) -> float:
        last = self._last_in_chat.get(chat_id)
        if last is None:
            return 0.0
        gap = self.group_gap if chat_id < 0 else self.private_gap
        return last + gap - now

    def _overall_wait(self, now: float) -> float:
        if len(self._recent) < self.per_second:
            return 0.0
        return self._recent[0] + self.window - now

    async def _pause(self, seconds: float) -> None:
        self.waited += seconds
        await self._sleep(seconds)

    async def chat_ready(self, chat_id: int) -> None:
        """Wait until the chat's own gap has passed (without taking an overall slot)."""
        while (wait := self._chat_wait(chat_id, self._clock())) > 0:
            await self._pause(wait)

    async def acquire(self, chat_id: int) -> None:
        """Wait until one more message to `chat_id` keeps every limit, and count it as sent."""
        while True:
            wait = self._chat_wait(chat_id, self._clock())
            if wait > 0:
                await self._pause(wait)  # outside the lock: other chats go on meanwhile
                continue
            async with self._lock:
                while (wait := self._overall_wait(self._clock())) > 0:
                    await self._pause(wait)
                now = self._clock()
                if self._chat_wait(chat_id, now) > 0:
                    continue  # another send to this chat went first while we waited
                self._recent.append(now)
                self._last_in_chat[chat_id] = now
                if len(self._last_in_chat) > 50_000:
                    self._forget(now)
                return

    def _forget(self, now: float) -> None:
        horizon = now - max(self.private_gap, self.group_gap)
        for chat, at in list(self._last_in_chat.items()):
            if at < horizon:
                del self._last_in_chat[chat]
