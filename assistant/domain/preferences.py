"""Parsing the personal settings people change with /settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLOCK = re.compile(r"^(\d{1,2})(?:[:：.](\d{2}))?$")
_DAY_WORDS: dict[str, int] = {
    "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7,
}  # fmt: skip

MIN_WORK_MINUTES = 30
MAX_WORK_MINUTES = 960


class PreferenceError(ValueError):
    """The value typed for a setting cannot be used."""


@dataclass(frozen=True)
class QuietHours:
    start: str
    end: str


def parse_clock(text: str) -> str:
    """'9', '9:00', '21.30' -> 'HH:MM'."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise PreferenceError(text)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise PreferenceError(text)
    return f"{hour:02d}:{minute:02d}"


def parse_work_minutes(text: str) -> int:
    cleaned = text.strip().lower().removesuffix("min").removesuffix("分钟").strip()
    if cleaned.endswith(("h", "小时")):
        number = cleaned.removesuffix("h").removesuffix("小时").strip()
        if not re.fullmatch(r"\d+(\.\d+)?", number):
            raise PreferenceError(text)
        minutes = round(float(number) * 60)
    elif cleaned.isascii() and cleaned.isdigit():
        minutes = int(cleaned)
    else:
        raise PreferenceError(text)
    if not MIN_WORK_MINUTES <= minutes <= MAX_WORK_MINUTES:
        raise PreferenceError(text)
    return minutes


def _day_number(token: str) -> int:
    token = token.strip().lower().removeprefix("周").removeprefix("星期")
    if token.isascii() and token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    for word, number in _DAY_WORDS.items():
        if token.startswith(word):
            return number
    raise PreferenceError(token)


def parse_work_days(text: str) -> str:
    """'1-5', '12345', 'mon-fri', '周一到周五', '1,2,3,6' -> sorted ISO weekday digits."""
    cleaned = text.strip().lower().replace("到", "-").replace("至", "-").replace("~", "-")
    if not cleaned:
        raise PreferenceError(text)
    days: set[int] = set()
    if re.fullmatch(r"[1-7]+", cleaned):
        days = {int(ch) for ch in cleaned}
    else:
        for part in re.split(r"[,，、\s]+", cleaned):
            if not part:
                continue
            if "-" in part:
                first, _, last = part.partition("-")
                start, end = _day_number(first), _day_number(last)
                if start > end:
                    raise PreferenceError(text)
                days.update(range(start, end + 1))
            else:
                days.add(_day_number(part))
    if not days:
        raise PreferenceError(text)
    return "".join(str(day) for day in sorted(days))


def parse_quiet_hours(text: str) -> QuietHours:
    """'22:00-08:00' -> QuietHours; start and end must differ."""
    parts = re.split(r"\s*[-~到至]\s*", text.strip())
    if len(parts) != 2:
        raise PreferenceError(text)
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise PreferenceError(text)
    return QuietHours(start=start, end=end)
