"""The port the sender sends through: a `Channel` delivers one rendered message to one chat.

The Telegram edge implements it (tg/channel.py); a WeCom or Feishu adapter would too. A channel
turns its own failures into the three the sender knows how to treat:

- `RetryLater(seconds)`: the channel asks to wait (Telegram's 429); not a failure.
- `Unreachable`: the recipient blocked the bot, left, or the chat is gone; the row is dropped
  and the person marked unreachable.
- `SendFailed`: anything else the channel reported; retried with back-off.
"""

from __future__ import annotations

from typing import Protocol

from assistant.services.actions import ActionRows


class RetryLater(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Unreachable(Exception):
    """The recipient cannot be reached through this channel any more."""


class SendFailed(Exception):
    """The channel refused or failed to deliver the message this time."""


class Channel(Protocol):
    async def send(self, chat_id: int, text: str, *, locale: str, actions: ActionRows) -> None:
        """Deliver `text` (HTML) to `chat_id`, with `actions` as its buttons (labels in
        `locale`); raises RetryLater, Unreachable or SendFailed."""
        ...
