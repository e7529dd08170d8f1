"""The name a rep gives clients in scripts (/name 小陈), read from what was typed."""

from __future__ import annotations

from typing import Final

from assistant.domain.invisible import visible_words

REP_NAME_LIMIT: Final = 20  # characters: it sits inside a first message of at most 300


class RepNameError(ValueError):
    """`reason` is "invisible" (nothing visible was typed) or "too_long"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_rep_name(text: str) -> str:
    """The name as it will be stored: visible characters, single spaces, at most the limit."""
    name = visible_words(text)
    if not name:
        raise RepNameError("invisible")
    if len(name) > REP_NAME_LIMIT:
        raise RepNameError("too_long")
    return name


def rep_name_from_telegram(first_name: str | None) -> str | None:
    """Telegram's first name when it can stand in a script as it is; otherwise none, and the
    scripts use a neutral word until the person types /name."""
    try:
        return parse_rep_name(first_name or "")
    except RepNameError:
        return None
