"""Natural-language dates and times in Chinese and English (PRODUCT.md 2.2, 5.1).

Pure: "today" and "now" are passed in. A month-day without a year is always the next such day
from today; a month alone means its 1st day. Anything we do not understand raises
`DateParseError` instead of being guessed.

Accepted date forms (examples):
- absolute: 2027-05-01, 2027/5/1, 2027年5月1日, May 1 2027, 1 May 2027
- month-day: 5月1日, 5月1号, 五月一日, May 1, May 1st, 1st of May
- month: 5月, 明年5月, 2027年5月, May, next May, May 2027 (its 1st day)
- holidays: 五一, 明年五一, 国庆, 十一, 元旦, 圣诞, 情人节
- relative: 今天, 明天, 后天, 大后天, today, tomorrow, the day after tomorrow
- weekdays: 周六, 星期六, 这周六, 下周六, 下下周六, Saturday, this Saturday, next Saturday
  (下周六 is the Saturday of next calendar week; "next Saturday" the first Saturday after today)
- offsets: 3天后, 两周后, 三个月后, 半年后, 一年后, in 3 days, in 2 weeks, in 3 months,
  3 months later
- weekends and days of a month: 周末, 下周末, this weekend, next weekend, 下个月5号, 本月20号,
  20号 (the next 20th)
- month ends: 月底, 月初, 下个月底, 下月初, 5月底, 年底, end of month, end of next month,
  end of the year, next month (its 1st day)

Times (for follow-ups): 下午3点, 3点半, 15:30, 10点20分, 3pm, 3:30 pm, at 10am, noon, in 2 hours,
2小时后, 半小时后, in 30 minutes, 上午/下午/晚上 alone (10:00 / 15:00 / 20:00).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

DEFAULT_HOUR: Final = 10
MAX_TEXT: Final = 100


class DateParseError(ValueError):
    """The text is not a date (or time) we understand; `reason` is unknown | invalid | past."""

    def __init__(self, text: str, reason: str = "unknown") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.text = text
        self.reason = reason


# ---------------------------------------------------------------- numbers

_CN_DIGITS: Final = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                     "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_EN_NUMBERS: Final = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                      "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                      "twelve": 12}  # fmt: skip
CN_NUM: Final = r"(?:\d{1,3}|[零〇一二两三四五六七八九十]{1,3})"
EN_NUM: Final = r"(?:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


def cn_number(text: str) -> int:
    """'5' -> 5, '十一' -> 11, '二十' -> 20, '三十一' -> 31, '两' -> 2."""
    if text.isascii() and text.isdigit():
        return int(text)
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            raise ValueError(text)
        value = (_CN_DIGITS[tens] if tens else 1) * 10
        return value + (_CN_DIGITS[ones] if ones else 0)
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    raise ValueError(text)


# ---------------------------------------------------------------- calendar helpers


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _valid(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(text, "invalid") from None


def _roll_forward(month: int, day: int, today: date, text: str) -> date:
    """The next month-day on or after today (Feb 29 waits for a leap year)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31 or day > (29 if month == 2 else 31):
        raise DateParseError(text, "invalid")
    if day > calendar.monthrange(2024, month)[1]:  # 4月31日 never exists
        raise DateParseError(text, "invalid")
    year = today.year
    while True:
        try:
            candidate = date(year, month, day)
        except ValueError:  # Feb 29 outside a leap year
            year += 1
            continue
        if candidate >= today:
            return candidate
        year += 1


def _roll_edge(month: int, edge: str, today: date, text: str) -> date:
    if not 1 <= month <= 12:
        raise DateParseError(text, "invalid")
    year = today.year
    candidate = _edge_day(year, month, edge)
    if candidate < today:
        candidate = _edge_day(year + 1, month, edge)
    return candidate


def _edge_day(year: int, month: int, edge: str) -> date:
    if edge in {"底", "末", "end"}:
        return month_end(year, month)
    if edge == "中":
        return date(year, month, 15)
    return date(year, month, 1)


# ---------------------------------------------------------------- patterns

_YEAR_WORDS: Final = {"今年": 0, "明年": 1, "后年": 2, "去年": -1, "前年": -2}
_HOLIDAYS: Final = {"五一": (5, 1), "劳动节": (5, 1), "国庆": (10, 1), "国庆节": (10, 1),
                    "十一": (10, 1), "元旦": (1, 1), "圣诞": (12, 25), "圣诞节": (12, 25),
                    "情人节": (2, 14)}  # fmt: skip
_ZH_WEEKDAYS: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                       "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}  # fmt: skip
_EN_WEEKDAYS: Final = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EN_MONTHS: Final = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7,
                     "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
MONTH_RE: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY_RE: Final = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_ZH_YEAR: Final = r"(?P<yw>今年|明年|后年|去年|前年|(?<!\d)(?P<y>\d{4})\s*年)"
_ORD: Final = r"(?:st|nd|rd|th)?"


def _g(match: re.Match[str], name: str) -> Any:
    """A named group's text, or None when the rule has no such group or it did not match."""
    return match.groupdict().get(name)


def _year_of(match: re.Match[str], today: date) -> int | None:
    if match.groupdict().get("y"):
        return int(match.group("y"))
    word = match.groupdict().get("yw")
    if word in _YEAR_WORDS:
        return today.year + _YEAR_WORDS[word]
    return None


def _en_month(text: str) -> int:
    return _EN_MONTHS[text[:3]]


Handler = Callable[[re.Match[str], date, str], date]


def _iso(m: re.Match[str], today: date, text: str) -> date:
    return _valid(int(_g(m, "y")), int(_g(m, "m")), int(_g(m, "d")), text)


def _zh_month_day(m: re.Match[str], today: date, text: str) -> date:
    try:
        month = cn_number(_g(m, "m"))
        day = cn_number(_g(m, "d")) if _g(m, "d") else None
    except ValueError:
        raise DateParseError(text, "invalid") from None
    year = _year_of(m, today)
    edge = _g(m, "edge")
    if day is None:
        if not 1 <= month <= 12:
            raise DateParseError(text, "invalid")
        edge = edge or "初"
        if year is not None:
            return _edge_day(year, month, edge)
        return _roll_edge(month, edge, today, text)
    if year is not None:
        return _valid(year, month, day, text)
    return _roll_forward(month, day, today, text)


def _holiday(m: re.Match[str], today: date, text: str) -> date:
    month, day = _HOLIDAYS[_g(m, "h")]
    year = _year_of(m, today)
    if year is not None:
        return date(year, month, day)
    return _roll_forward(month, day, today, text)


def _zh_relative_day(m: re.Match[str], today: date, text: str) -> date:
    offsets = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1}
    return today + timedelta(days=offsets[m.group(0).replace(" ", "")])


def _week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _zh_weekday(m: re.Match[str], today: date, text: str) -> date:
    weekday = _ZH_WEEKDAYS[_g(m, "wd")]
    rel = _g(m, "rel") or ""
    weeks = {"上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
    if rel in weeks:
        return _week_start(today) + timedelta(days=7 * weeks[rel] + weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _en_weekday(m: re.Match[str], today: date, text: str) -> date:
    weekday = _EN_WEEKDAYS[_g(m, "wd")[:3]]
    ahead = (weekday - today.weekday()) % 7
    if _g(m, "rel") == "next" and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def _zh_weekend(m: re.Match[str], today: date, text: str) -> date:
    rel = _g(m, "rel") or ""
    if rel in {"下", "下个"}:
        return _week_start(today) + timedelta(days=12)
    return today + timedelta(days=(5 - today.weekday()) % 7)


def _en_weekend(m: re.Match[str], today: date, text: str) -> date:
    if _g(m, "rel") == "next":
        return _week_start(today) + timedelta(days=12)
    return today + timedelta(days=(5 - today.weekday()) % 7)


def _zh_month_and_day(m: re.Match[str], today: date, text: str) -> date:
    which = (_g(m, "which") or "").replace("个", "")
    shift = {"": 0, "本": 0, "这": 0, "下": 1, "下下": 2}[which]
    try:
        day = cn_number(_g(m, "d"))
    except ValueError:
        raise DateParseError(text, "invalid") from None
    first = add_months(today.replace(day=1), shift)
    return _valid(first.year, first.month, day, text)


def _zh_day_alone(m: re.Match[str], today: date, text: str) -> date:
    """'20号': the next 20th, this month if it is still ahead."""
    try:
        day = cn_number(_g(m, "d"))
    except ValueError:
        raise DateParseError(text, "invalid") from None
    if not 1 <= day <= 31:
        raise DateParseError(text, "invalid")
    first = today.replace(day=1)
    for shift in range(0, 3):
        month = add_months(first, shift)
        if day <= calendar.monthrange(month.year, month.month)[1]:
            candidate = month.replace(day=day)
            if candidate >= today:
                return candidate
    raise DateParseError(text, "invalid")


def _offset(amount: float, unit: str, today: date) -> date:
    if unit in {"天", "日", "day"}:
        return today + timedelta(days=round(amount))
    if unit in {"周", "星期", "礼拜", "week"}:
        return today + timedelta(days=round(amount * 7))
    if unit in {"月", "month"}:
        if amount == 0.5:
            return today + timedelta(days=15)
        return add_months(today, round(amount))
    if amount == 0.5:
        return add_months(today, 6)
    return add_months(today, round(amount) * 12)


def _zh_offset(m: re.Match[str], today: date, text: str) -> date:
    raw = _g(m, "n")
    try:
        amount = 0.5 if raw == "半" else float(cn_number(raw))
    except ValueError:
        raise DateParseError(text, "invalid") from None
    return _offset(amount, _g(m, "unit"), today)


def _en_offset(m: re.Match[str], today: date, text: str) -> date:
    raw = _g(m, "n")
    amount = 0.5 if raw.startswith("half") else float(cn_number(raw))
    return _offset(amount, _g(m, "unit").rstrip("s"), today)


def _zh_month_edge(m: re.Match[str], today: date, text: str) -> date:
    which = (_g(m, "which") or "").replace("个", "")
    shift = {"": 0, "本": 0, "这": 0, "下": 1, "下下": 2}[which]
    first = add_months(today.replace(day=1), shift)
    edge = m.groupdict().get("edge") or "初"
    if shift == 0 and edge == "初" and first < today:
        first = add_months(first, 1)  # 月初 said mid-month means next month's start
    if shift == 0 and edge == "中" and date(first.year, first.month, 15) < today:
        first = add_months(first, 1)
    return _edge_day(first.year, first.month, edge)


def _zh_year_end(m: re.Match[str], today: date, text: str) -> date:
    year = _year_of(m, today) or today.year
    return date(year, 12, 31)


def _en_month_day(m: re.Match[str], today: date, text: str) -> date:
    month = _en_month(_g(m, "mon"))
    day = int(_g(m, "d"))
    if _g(m, "y"):
        return _valid(int(_g(m, "y")), month, day, text)
    return _roll_forward(month, day, today, text)


def _en_month_alone(m: re.Match[str], today: date, text: str) -> date:
    month = _en_month(_g(m, "mon"))
    if _g(m, "y"):
        return date(int(_g(m, "y")), month, 1)
    candidate = _roll_edge(month, "初", today, text)
    if _g(m, "rel") == "next" and candidate.year == today.year and month <= today.month:
        candidate = candidate.replace(year=candidate.year + 1)
    return candidate


def _en_relative_day(m: re.Match[str], today: date, text: str) -> date:
    word = m.group(0)
    if "after" in word:
        return today + timedelta(days=2)
    return today + timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[word])


def _en_month_end(m: re.Match[str], today: date, text: str) -> date:
    first = add_months(today.replace(day=1), 1 if _g(m, "next") else 0)
    return month_end(first.year, first.month)


def _en_next_month(m: re.Match[str], today: date, text: str) -> date:
    return add_months(today.replace(day=1), 1)


def _en_year_end(m: re.Match[str], today: date, text: str) -> date:
    return date(today.year + (1 if _g(m, "next") else 0), 12, 31)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: Handler
    in_text: bool = True  # also searched for inside a longer sentence (capture)


def _rule(pattern: str, handler: Handler, in_text: bool = True) -> _Rule:
    return _Rule(re.compile(pattern, re.IGNORECASE), handler, in_text)


_RULES: Final[tuple[_Rule, ...]] = (
    _rule(r"(?<!\d)(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)", _iso),
    _rule(
        _ZH_YEAR + r"?\s*(?<!\d)(?P<m>" + CN_NUM + r")\s*月份?\s*"
        r"(?:(?P<d>" + CN_NUM + r")\s*[日号]?|(?P<edge>底|末|初|中))?(?![\d点时:])",
        _zh_month_day,
    ),
    _rule(
        _ZH_YEAR + r"?\s*(?P<h>五一|劳动节|国庆节?|十一(?![月日号点时])|元旦|圣诞节?|情人节)",
        _holiday,
    ),
    _rule(r"大后天|后天|明天|明日|今天|今日|昨天", _zh_relative_day),
    _rule(
        r"(?P<rel>下下|下|这|本|上)?\s*个?\s*(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
        _zh_weekday,
    ),
    _rule(
        r"(?<!\d)(?P<n>"
        + CN_NUM
        + r"|半)\s*个?\s*(?P<unit>天|日|周|星期|礼拜|月|年)\s*(?:后|以后|之后)",
        _zh_offset,
    ),
    _rule(r"(?P<which>下下个|下下|下个|下|本|这个)?\s*月\s*(?P<edge>底|末|初|中)", _zh_month_edge),
    _rule(
        r"(?P<which>下下个|下下|下个|下|本|这个)\s*月\s*(?P<d>" + CN_NUM + r")\s*[日号]",
        _zh_month_and_day,
    ),
    _rule(
        r"(?P<which>下下个|下个|下)\s*月(?!\s*[底末初中\d一二三四五六七八九十两])", _zh_month_edge
    ),
    _rule(r"(?<!\d)(?P<d>" + CN_NUM + r")\s*[日号]", _zh_day_alone, in_text=False),
    _rule(r"(?P<rel>下个|下|这个|这|本)?\s*(?:周末|礼拜天?末)", _zh_weekend),
    _rule(r"\b(?:(?P<rel>next|this)\s+)?weekend\b", _en_weekend),
    _rule(r"(?:(?P<yw>今年|明年|后年)|年)\s*(?:底|末)", _zh_year_end),
    _rule(
        r"\b(?P<mon>" + MONTH_RE + r")\.?\s+(?P<d>\d{1,2})" + _ORD + r"\b(?:,?\s*(?P<y>\d{4})\b)?",
        _en_month_day,
    ),
    _rule(
        r"\b(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<mon>" + MONTH_RE + r")\b"
        r"(?:,?\s*(?P<y>\d{4})\b)?",
        _en_month_day,
    ),
    _rule(r"\b(?P<mon>" + MONTH_RE + r")\s*,?\s*(?P<y>\d{4})\b", _en_month_alone),
    _rule(r"\b(?P<rel>next|in)\s+(?P<mon>" + MONTH_RE + r")\b(?P<y>)", _en_month_alone),
    _rule(r"\b(?P<rel>)(?P<mon>" + MONTH_RE + r")(?P<y>)\b", _en_month_alone, in_text=False),
    _rule(r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\btoday\b|\btomorrow\b", _en_relative_day),
    # In a sentence a bare "Sun" or "Sat" is more likely a name (Sun Li) than a day.
    _rule(
        r"\b(?:(?P<rel>next|this|coming|on)\s+)?(?P<wd>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
        _en_weekday,
    ),
    _rule(r"\b(?P<rel>next|this|coming|on)\s+(?P<wd>" + WEEKDAY_RE + r")\b", _en_weekday),
    _rule(r"\b(?P<wd>" + WEEKDAY_RE + r")\b", _en_weekday, in_text=False),
    _rule(
        r"\bin\s+(?P<n>" + EN_NUM + r"|half\s+an?)\s+(?P<unit>days?|weeks?|months?|years?)\b",
        _en_offset,
    ),
    _rule(
        r"\b(?P<n>"
        + EN_NUM
        + r")\s+(?P<unit>days?|weeks?|months?|years?)\s+(?:later|from\s+now)\b",
        _en_offset,
    ),
    _rule(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?month\b", _en_month_end),
    _rule(r"\bnext\s+month\b", _en_next_month),
    _rule(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?year\b", _en_year_end),
)


def prepare(text: str) -> str:
    """Full-width digits and punctuation to ASCII, single spaces; case kept."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def normalize(text: str) -> str:
    """`prepare` plus lower case, keeping every character's position (spans stay valid)."""
    return "".join(low if len(low := char.lower()) == 1 else char for char in prepare(text))


def parse_date(text: str, today: date) -> date:
    """The one date the whole text names, or DateParseError."""
    cleaned = normalize(text).strip(" .,，。")
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise DateParseError(text)
    for rule in _RULES:
        match = rule.pattern.fullmatch(cleaned)
        if match:
            return _apply(rule, match, today, text)
    raise DateParseError(text)


def _apply(rule: _Rule, match: re.Match[str], today: date, text: str) -> date:
    try:
        return rule.handler(match, today, text)
    except DateParseError:
        raise
    except (ValueError, OverflowError):  # e.g. year 0 or past 9999
        raise DateParseError(text, "invalid") from None


@dataclass(frozen=True)
class Found:
    value: date
    start: int
    end: int


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _inside_word(text: str, start: int, end: int) -> bool:
    """A Chinese date word glued into a longer word, e.g. 国庆 in the name 王国庆."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (bool(before) and _is_cjk(before)) or (bool(after) and _is_cjk(after) and start == 0)


def find_date(text: str, today: date, *, whole_words_from: int = 0) -> Found | None:
    """The first (longest) date phrase inside a sentence, with its span in `prepare(text)`.

    Matches starting before `whole_words_from` (e.g. inside the name that opens an /add line)
    only count when they are not glued to other Chinese characters, so 周一鸣 and 王国庆 stay
    names. Invalid dates (e.g. 4月31日) raise DateParseError rather than being skipped.
    """
    cleaned = normalize(text)
    best: tuple[int, int, _Rule, re.Match[str]] | None = None
    for rule in _RULES:
        if not rule.in_text:
            continue
        for match in rule.pattern.finditer(cleaned):
            start, end = match.span()
            if start == end:
                continue
            if start < whole_words_from and _inside_word(cleaned, start, end):
                continue
            if best is None or start < best[0] or (start == best[0] and end > best[1]):
                best = (start, end, rule, match)
            break
    if best is None:
        return None
    start, end, rule, match = best
    return Found(_apply(rule, match, today, match.group(0)), start, end)


# ---------------------------------------------------------------- times

_TIME_RULES_SOURCE: Final = (
    # 下午3点半, 10点20分, 晚上八点, 3点
    r"(?P<ap>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?\s*(?P<h>" + CN_NUM + r")\s*[点时]\s*"
    r"(?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<mi>" + CN_NUM + r")\s*分?)?",
    # 15:30, 3:30pm, at 10am, 3 pm
    r"(?:\bat\s+)?\b(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?",
    r"(?:\bat\s+)?\b(?P<h>\d{1,2})\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)",
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
