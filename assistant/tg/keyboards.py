"""Inline keyboards. callback_data is short, signed, and checked on every press."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.i18n import t
from assistant.services.actions import ActionRows

CALLBACK_LIMIT = 64
_MAC_LENGTH = 8


class Signer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, payload: str) -> str:
        digest = hmac.digest(self._key, payload.encode(), "sha256")
        return base64.urlsafe_b64encode(digest).decode()[:_MAC_LENGTH]

    def sign(self, action: str, *args: object) -> str:
        payload = ":".join([action, *(str(arg) for arg in args)])
        data = f"{payload}|{self._mac(payload)}"
        if len(data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback data too long: {action}")
        return data

    def verify(self, data: str) -> list[str] | None:
        """The action and its arguments, or None when the data was forged or mangled."""
        payload, sep, mac = data.rpartition("|")
        # Bytes: compare_digest refuses str with non-ASCII characters (forged data may have them).
        if not sep or not hmac.compare_digest(mac.encode(), self._mac(payload).encode()):
            return None
        return payload.split(":")


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


def markup(actions: ActionRows, locale: str, sign: Callable[..., str]) -> InlineKeyboardMarkup:
    """A use case's actions as signed inline buttons, labelled in `locale`; empty rows dropped."""
    return keyboard(
        *(
            [
                button(
                    t(locale, action.label_key, **dict(action.label_values)),
                    sign(action.intent, *action.ids),
                )
                for action in row
            ]
            for row in actions
        )
    )
