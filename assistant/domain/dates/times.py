"""Follow-up moments: a clock time, a date with a time, or "in 2 hours" (PRODUCT.md 5.1)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Final

from assistant.domain.dates.core import (
    CN_NUM,
    DEFAULT_HOUR,
    MAX_TEXT,
    DateParseError,
    cn_number,
    normalize,
)  # fmt: skip
from assistant.domain.dates.rules import parse_date

_TIME_RULES_SOURCE: Final = (
    # 下午3点半, 10点20分, 晚上八点, 3点
    r"(?P<ap>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?\s*(?P<h>" + CN_NUM + r")\s*[点时]\s*"
    r"(?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<mi>" + CN_NUM + r")\s*分?)?",
    # 15:30, 3:30pm, at 10am, 3 pm
    r"(?:\bat\s+)?(?<![0-9A-Za-z])(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?",
    r"(?:\bat\s+)?(?<![0-9A-Za-z])(?P<h>\d{1,2})\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)",
    r"(?P<ap>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)",
    r"\b(?:at\s+)?(?P<en>noon|midday|morning|afternoon|evening|tonight)\b",
)
_TIME_RULES: Final = tuple(re.compile(p, re.IGNORECASE) for p in _TIME_RULES_SOURCE)
_AP_DEFAULT: Final = {"凌晨": 6, "早上": 9, "早晨": 9, "上午": 10, "中午": 12, "下午": 15,
                      "傍晚": 18, "晚上": 20}  # fmt: skip
_EN_DEFAULT: Final = {"noon": 12, "midday": 12, "morning": 9, "afternoon": 15, "evening": 20,
                      "tonight": 20}  # fmt: skip
_RELATIVE_TIME: Final = (
    re.compile(
        r"(?:in\s+)?(?P<n>\d{1,3}|半|一|两|三|四|五|六|七|八|九|十|an?|one|two|three|half\s+an?)"
        r"\s*个?\s*(?P<unit>小时|钟头|分钟|分|hours?|hrs?|h|minutes?|mins?)"
        r"\s*(?:后|以后|之后|later|from\s+now)?",
        re.IGNORECASE,
    ),
)


def _clock_time(match: re.Match[str], text: str) -> time:
    groups = match.groupdict()
    if groups.get("en"):
        return time(_EN_DEFAULT[groups["en"]])
    ap = groups.get("ap")
    if groups.get("h") is None:
        return time(_AP_DEFAULT[ap or "上午"])
    try:
        hour = cn_number(groups["h"])
        minute = cn_number(groups["mi"]) if groups.get("mi") else 0
    except ValueError:
        raise DateParseError(text, "invalid") from None
    if groups.get("half"):
        minute = 30
    if groups.get("quarter"):
        minute = 15 if groups["quarter"] == "一刻" else 45
    ampm = (groups.get("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise DateParseError(text, "invalid")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif (ap in {"下午", "傍晚", "晚上"} and hour < 12) or (ap == "中午" and hour < 6):
        hour += 12
    elif ap is None and "ampm" not in groups and 1 <= hour <= 6:
        hour += 12  # a bare "3点" in working talk is the afternoon
    if hour == 24 and minute == 0:
        hour = 23
        minute = 59
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DateParseError(text, "invalid")
    return time(hour, minute)


def _relative_time(text: str, now: datetime) -> datetime | None:
    for pattern in _RELATIVE_TIME:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        raw, unit = match.group("n"), match.group("unit")
        explicit = text.startswith("in ") or text.endswith(("后", "later", "now"))
        if not explicit:
            return None
        amount = 0.5 if raw.startswith(("半", "half")) else float(cn_number(raw))
        minutes = amount * 60 if unit[0] in "小钟h" else amount
        if minutes <= 0:
            raise DateParseError(text, "invalid")
        return now + timedelta(minutes=round(minutes))
    return None


def parse_when(text: str, now: datetime) -> datetime:
    try:
        return _parse_when(text, now)
    except DateParseError:
        raise
    except (ValueError, OverflowError):
        raise DateParseError(text, "invalid") from None


def _parse_when(text: str, now: datetime) -> datetime:
    """A future moment from text like 周五下午3点, 明天10点, tomorrow 3pm, in 2 hours.

    `now` is aware and in the person's own time zone; the result is in that zone. A date alone
    means 10:00 that day; a time alone means the next such time.
    """
    cleaned = normalize(text).strip(" .,，。")
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise DateParseError(text)
    cleaned = cleaned.replace("今晚", "今天晚上").replace("明晚", "明天晚上")
    relative = _relative_time(cleaned, now)
    if relative is not None:
        return relative
    today = now.date()
    clock: time | None = None
    rest = cleaned
    for pattern in _TIME_RULES:
        match = pattern.search(cleaned)
        if match is None:
            continue
        clock = _clock_time(match, text)
        if match.groupdict().get("en") == "tonight":
            rest = "today"
        else:
            rest = (cleaned[: match.start()] + " " + cleaned[match.end() :]).strip(" ,，的")
        break
    day: date | None = None
    if rest:
        day = parse_date(rest, today)
    if clock is None:
        assert day is not None
        if day == today:
            raise DateParseError(text, "needs_time")
        clock = time(DEFAULT_HOUR)
    moment = datetime.combine(day or today, clock, tzinfo=now.tzinfo)
    if day is None and moment <= now:
        moment += timedelta(days=1)
    if moment <= now:
        raise DateParseError(text, "past")
    return moment
