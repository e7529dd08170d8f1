"""Understanding what people type for a time zone: IANA names, city names, UTC offsets."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

CITY_ZONES: dict[str, str] = {
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "广州": "Asia/Shanghai",
    "深圳": "Asia/Shanghai",
    "杭州": "Asia/Shanghai",
    "成都": "Asia/Shanghai",
    "中国": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "香港": "Asia/Hong_Kong",
    "澳门": "Asia/Macau",
    "九龙": "Asia/Hong_Kong",
    "hongkong": "Asia/Hong_Kong",
    "台北": "Asia/Taipei",
    "台湾": "Asia/Taipei",
    "新北": "Asia/Taipei",
    "台中": "Asia/Taipei",
    "台南": "Asia/Taipei",
    "高雄": "Asia/Taipei",
    "taiwan": "Asia/Taipei",
    "macau": "Asia/Macau",
    "新加坡": "Asia/Singapore",
    "东京": "Asia/Tokyo",
    "首尔": "Asia/Seoul",
    "悉尼": "Australia/Sydney",
    "伦敦": "Europe/London",
    "巴黎": "Europe/Paris",
    "柏林": "Europe/Berlin",
    "莫斯科": "Europe/Moscow",
    "迪拜": "Asia/Dubai",
    "纽约": "America/New_York",
    "new york": "America/New_York",
    "洛杉矶": "America/Los_Angeles",
    "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "温哥华": "America/Vancouver",
    "多伦多": "America/Toronto",
    "utc": "UTC",
    "gmt": "UTC",
}

# Offsets that are not whole hours map to the zone most people with that offset live in.
_FRACTIONAL_OFFSETS: dict[tuple[int, int], str] = {
    (5, 30): "Asia/Kolkata",
    (5, 45): "Asia/Kathmandu",
    (9, 30): "Australia/Darwin",
    (3, 30): "Asia/Tehran",
    (-3, 30): "America/St_Johns",
    (6, 30): "Asia/Yangon",
}

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@cache
def _zones_by_lower_name() -> dict[str, str]:
    zones: dict[str, str] = {}
    for name in available_timezones():
        zones[name.lower()] = name
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        zones.setdefault(city, name)
    return zones


def _from_offset(text: str) -> str | None:
    match = _OFFSET.match(text)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    hours = int(match.group(2))
    minutes = int(match.group(3) or 0)
    if minutes:
        return _FRACTIONAL_OFFSETS.get((sign * hours, minutes))
    if hours > 14 or (sign < 0 and hours > 12):
        return None
    if hours == 0:
        return "UTC"
    # The Etc/GMT zones carry the POSIX sign: Etc/GMT-8 is eight hours ahead of UTC.
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def resolve_timezone(text: str) -> str | None:
    """The IANA name for what a person typed, or None if it is not a zone we know."""
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        return None
    lowered = cleaned.lower()
    if lowered in CITY_ZONES:
        return CITY_ZONES[lowered]
    if cleaned in CITY_ZONES:
        return CITY_ZONES[cleaned]
    offset_zone = _from_offset(lowered.replace(" ", ""))
    if offset_zone:
        return offset_zone
    name = _zones_by_lower_name().get(lowered) or _zones_by_lower_name().get(
        lowered.replace(" ", "_")
    )
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def utc_offset(zone: str, at: datetime) -> str:
    """'UTC+8', 'UTC-3:30', 'UTC' for the zone at that moment."""
    offset = ZoneInfo(zone).utcoffset(at) or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
