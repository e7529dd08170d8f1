"""Logging that never writes the bot token, phone numbers or message contents."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping
from types import TracebackType

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# Phone numbers, not every run of digits: a log line starts with a timestamp and carries
# update ids, chat ids and durations, which must stay readable. Three shapes are phones:
_PHONES = [
    # international, written with its + (8 to 15 digits, spaces, dashes, dots or brackets)
    re.compile(r"(?<![\w+])\+\d(?:[ ().-]{0,2}\d){7,14}(?!\w)"),
    # a Chinese mobile, with or without 86 in front: 13912345678, 139 1234 5678, 139-1234-5678
    re.compile(r"(?<!\w)(?:86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\w)"),
    # a local number in groups ending in four digits: 010-1234-5678, (555) 123-4567
    re.compile(r"(?<![\w.:-])\(?\d{2,4}\)?[ -]\d{3,4}[ -]?\d{4}(?![\w:.]|-\d)"),
]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def redact(text: str) -> str:
    text = _TOKEN.sub("<token>", text)
    for phone in _PHONES:
        text = phone.sub("<phone>", text)
    return text


class RedactingFormatter(logging.Formatter):
    """Tracebacks keep their frames but drop the exception message, which may carry user data."""

    def formatException(self, ei: ExcInfo) -> str:
        exc_type, _exc, tb = ei
        frames = "".join(traceback.format_tb(tb))
        name = exc_type.__name__ if exc_type else "Exception"
        return f"Traceback (most recent call last):\n{frames}{name} (message withheld)"

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler's text may leak data
        try:
            return redact(super().format(_without_payload(record)))
        finally:
            record.exc_text = cached


# Libraries whose log arguments carry message contents: python-telegram-bot logs every Bot API
# call with its parameters and answer (the text of each message, at DEBUG), the database
# drivers and SQLAlchemy log SQL parameters (names, phone numbers). The first `keep` arguments
# (the endpoint name for telegram) stay; the others are withheld.
_PAYLOAD_LOGGERS = {"telegram": 1, "aiosqlite": 0, "sqlalchemy.engine": 0, "asyncpg": 0}


def _without_payload(record: logging.LogRecord) -> logging.LogRecord:
    keep = next(
        (
            kept
            for prefix, kept in _PAYLOAD_LOGGERS.items()
            if record.name == prefix or record.name.startswith(prefix + ".")
        ),
        None,
    )
    args = record.args
    if keep is None or not args:
        return record
    copy = logging.makeLogRecord(record.__dict__)
    if isinstance(args, Mapping):
        copy.args = {key: "<withheld>" for key in args}
    else:
        copy.args = tuple(
            value if index < keep else "<withheld>" for index, value in enumerate(args)
        )
    return copy


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.Updater", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
