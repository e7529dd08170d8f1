"""The Telegram side of the sender's channel port (scheduling/channel.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from assistant.scheduling.channel import RetryLater, SendFailed, Unreachable
from assistant.scheduling.sender import Sender
from assistant.services.actions import ActionRows
from assistant.tg.common import AppContext
from assistant.tg.keyboards import Signer, markup

# Telegram's words for a chat that is gone for good (a 400, not a 403).
_GONE = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


class TelegramChannel:
    """Sends through the Bot API: actions become signed inline buttons."""

    def __init__(self, bot: Bot, signer: Signer) -> None:
        self.bot = bot
        self.signer = signer

    async def send(self, chat_id: int, text: str, *, locale: str, actions: ActionRows) -> None:
        extra: dict[str, Any] = {}
        if actions:
            extra["reply_markup"] = markup(actions, locale, self.signer.sign)
        try:
            await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **extra)
        except RetryAfter as error:
            wait = error.retry_after
            raise RetryLater(
                wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            ) from error
        except (Forbidden, ChatMigrated) as error:
            raise Unreachable(str(error)) from error
        except BadRequest as error:
            if any(words in str(error).lower() for words in _GONE):
                raise Unreachable(str(error)) from error
            raise SendFailed(str(error)) from error
        except TelegramError as error:
            raise SendFailed(str(error)) from error


def telegram_sender(app: AppContext, bot: Bot, **options: Any) -> Sender:
    """The outbox sender of this bot, sending through Telegram (options: see Sender)."""
    return Sender(app, TelegramChannel(bot, app.signer), **options)
