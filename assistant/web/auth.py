"""Who is asking: Telegram's signed initData on every request, or a browser session opened by
a one-time link (assistant/services/web_access.py).

initData is checked by init-data-py: HMAC-SHA-256 keyed with the bot token over the sorted
fields, and `auth_date` at most 24 hours old. Anything else is a 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import init_data_py
from init_data_py import errors as init_data_errors
from starlette.requests import Request

from assistant.services.people import Profile

INIT_DATA_LIFETIME: Final = timedelta(hours=24)
COOKIE: Final = "mini_app_session"
SCHEME: Final = "tma"


class NotSignedIn(Exception):
    """No valid initData and no live session: the request is answered 401."""


@dataclass(frozen=True)
class Visitor:
    """What the request proves: a Telegram user (initData) or a browser session secret."""

    profile: Profile | None = None
    session_secret: str | None = None


def telegram_user(raw: str, *, bot_token: str, now: datetime) -> Visitor:
    """The Telegram user that signed initData, or NotSignedIn."""
    try:
        data = init_data_py.validate_by_hash(raw, bot_token, expires_in=INIT_DATA_LIFETIME, now=now)
    except (init_data_errors.InvalidInitDataError, ValueError):
        raise NotSignedIn from None
    if data.user is None:
        raise NotSignedIn
    user = data.user
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Visitor(
        profile=Profile(
            tg_user_id=user.id,
            chat_id=None,  # a Mini App is not a chat: the private chat stays as it was
            name=name,
            username=user.username,
            language_code=user.language_code,
        )
    )


def visitor_of(request: Request, *, bot_token: str, now: datetime) -> Visitor:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != SCHEME or not raw.strip():
            raise NotSignedIn
        return telegram_user(raw.strip(), bot_token=bot_token, now=now)
    secret = request.cookies.get(COOKIE, "")
    if not secret:
        raise NotSignedIn
    return Visitor(session_secret=secret)
