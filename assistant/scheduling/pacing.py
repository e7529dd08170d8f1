"""Real-time pacing of sends for Telegram's flood limits, shared by every send of one process.

Telegram allows a bot about 30 messages a second overall, 1 a second to one private chat and
20 a minute to one group, and answers 429 (retry after N seconds) beyond that. The outbox
sender's own per-chat pacing works in the scheduling clock; this pacer works in wall-clock time,
right before each request, so concurrent sends never burst past a limit:

- overall: at most `per_second` sends in any window of `window` seconds (the window is a little
  longer than a second, `margin`, for timer jitter);
- a private chat: one send per `private_gap` seconds; a group: one per `group_gap` seconds
  (3 s = 20 a minute).

Telegram counts a message when it arrives, somewhere between the moment we send it and the
moment its answer is back; over real HTTP on a busy machine that moment wanders by tens of
milliseconds. So `sending()` counts each message from when its answer came back: the 31st
message is sent only a window after the answer to the 1st, and the next message to a chat only
a gap after the answer to the previous one, which keeps the limits however late the earlier
message arrived. (Counting from the moment of sending, with a 2% margin, earned a 429 every few
seconds behind a loopback HTTP server on a loaded machine.) The price is one round trip per
window, about 1% at a 10 ms round trip. Only one process sends pushes (the leader), so one
pacer holds the limits for the whole bot.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class Pacer:
    def __init__(
        self,
        *,
        per_second: int = 30,
        window: float = 1.0,
        margin: float = 0.005,
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
        self._recent: deque[list[float]] = deque(maxlen=per_second)  # [time] per send
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
        return self._recent[0][0] + self.window - now

    async def _pause(self, seconds: float) -> None:
        self.waited += seconds
        await self._sleep(seconds)

    async def chat_ready(self, chat_id: int) -> None:
        """Wait until the chat's own gap has passed (without taking an overall slot)."""
        while (wait := self._chat_wait(chat_id, self._clock())) > 0:
            await self._pause(wait)

    @asynccontextmanager
    async def sending(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for a slot, send inside the block; the send counts from when the block ends."""
        slot = await self.acquire(chat_id)
        try:
            yield
        finally:
            done = self._clock()
            slot[0] = done
            self._last_in_chat[chat_id] = max(self._last_in_chat.get(chat_id, done), done)

    async def acquire(self, chat_id: int) -> list[float]:
        """Wait until one more message to `chat_id` keeps every limit, and count it as sent
        now; returns its slot (`sending` moves the slot to when the answer came back)."""
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
                slot = [now]
                self._recent.append(slot)
                self._last_in_chat[chat_id] = now
                if len(self._last_in_chat) > 50_000:
                    self._forget(now)
                return slot

    def _forget(self, now: float) -> None:
        horizon = now - max(self.private_gap, self.group_gap)
        for chat, at in list(self._last_in_chat.items()):
            if at < horizon:
                del self._last_in_chat[chat]
