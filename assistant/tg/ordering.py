"""Several people's updates at once, each person's in the order they sent them.

PTB handles one update at a time unless told otherwise, so every update also waited for the one
before it to be answered, Telegram's round trip for the reply included: one slow reply held up
the whole team. With `PersonOrder` up to `concurrent_updates` updates run at once, while one
person's (or, without a person, one chat's) still run one after another: their second message
may depend on their first (a conversation step, a lead just added), and they see the replies in
the order they wrote. Everything an update does is one transaction with row locks or
conditional updates, as for several processes, so updates running side by side are safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def _sender(update: object) -> tuple[str, int] | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    return None


class PersonOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[tuple[str, int], asyncio.Lock] = {}
        self._queued: dict[tuple[str, int], int] = {}  # updates holding or awaiting the turn

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        sender = _sender(update)
        if sender is None:
            await coroutine
            return
        turn = self._turns.setdefault(sender, asyncio.Lock())
        self._queued[sender] = self._queued.get(sender, 0) + 1
        try:
            async with turn:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            self._queued[sender] -= 1
            if not self._queued[sender]:  # nobody else waits: forget the sender
                del self._queued[sender], self._turns[sender]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the application waits for running updates itself."""
