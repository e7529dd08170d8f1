"""Date phrases: one rule (a pattern and what it means) per way of saying a date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from assistant.domain.dates.core import (
    CN_NUM,
    EN_NUM,
    EN_WEEKDAYS,
    HOLIDAYS,
    MAX_TEXT,
    MONTH_RE,
    ORD,
    WEEKDAY_RE,
    ZH_WEEKDAYS,
    ZH_YEAR,
    DateParseError,
    Rule,
    add_months,
    cn_number,
    edge_day,
    en_month,
    group,
    make_rule,
    month_end,
    normalize,
    roll_edge,
    roll_forward,
    valid,
    year_of,
)  # fmt: skip
from assistant.domain.dates.periods import PERIOD_RULES


def _iso(m: re.Match[str], today: date, text: str) -> date:
    return valid(int(group(m, "y")), int(group(m, "m")), int(group(m, "d")), text)


def _zh_month_day(m: re.Match[str], today: date, text: str) -> date:
    try:
        month = cn_number(group(m, "m"))
        day = cn_number(group(m, "d")) if group(m, "d") else None
    except ValueError:
        raise DateParseError(text, "invalid") from None
    year = year_of(m, today)
    edge = group(m, "edge")
    if day is None:
        if not 1 <= month <= 12:
            raise DateParseError(text, "invalid")
        edge = edge or "初"
        if year is not None:
            return edge_day(year, month, edge)
        return roll_edge(month, edge, today, text)
    if year is not None:
        return valid(year, month, day, text)
    return roll_forward(month, day, today, text)


def _holiday(m: re.Match[str], today: date, text: str) -> date:
    month, day = HOLIDAYS[group(m, "h")]
    year = year_of(m, today)
    if year is not None:
        return date(year, month, day)
    return roll_forward(month, day, today, text)


def _zh_relative_day(m: re.Match[str], today: date, text: str) -> date:
    offsets = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1}
    return today + timedelta(days=offsets[m.group(0).replace(" ", "")])


def _week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _zh_weekday(m: re.Match[str], today: date, text: str) -> date:
    weekday = ZH_WEEKDAYS[group(m, "wd")]
    rel = group(m, "rel") or ""
    weeks = {"上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
    if rel in weeks:
        return _week_start(today) + timedelta(days=7 * weeks[rel] + weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _en_weekday(m: re.Match[str], today: date, text: str) -> date:
    weekday = EN_WEEKDAYS[group(m, "wd")[:3]]
    ahead = (weekday - today.weekday()) % 7
    if group(m, "rel") == "next" and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def _zh_weekend(m: re.Match[str], today: date, text: str) -> date:
    rel = group(m, "rel") or ""
    if rel in {"下", "下个"}:
        return _week_start(today) + timedelta(days=12)
    return today + timedelta(days=(5 - today.weekday()) % 7)


def _en_weekend(m: re.Match[str], today: date, text: str) -> date:
    if group(m, "rel") == "next":
        return _week_start(today) + timedelta(days=12)
    return today + timedelta(days=(5 - today.weekday()) % 7)


def _zh_month_and_day(m: re.Match[str], today: date, text: str) -> date:
    which = (group(m, "which") or "").replace("个", "")
    shift = {"": 0, "本": 0, "这": 0, "下": 1, "下下": 2}[which]
    try:
        day = cn_number(group(m, "d"))
    except ValueError:
        raise DateParseError(text, "invalid") from None
    first = add_months(today.replace(day=1), shift)
    return valid(first.year, first.month, day, text)


def _zh_day_alone(m: re.Match[str], today: date, text: str) -> date:
    """'20号': the next 20th, this month if it is still ahead."""
    try:
        day = cn_number(group(m, "d"))
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
    raw = group(m, "n")
    try:
        amount = 0.5 if raw == "半" else float(cn_number(raw))
    except ValueError:
        raise DateParseError(text, "invalid") from None
    return _offset(amount, group(m, "unit"), today)


def _en_offset(m: re.Match[str], today: date, text: str) -> date:
    raw = group(m, "n")
    amount = 0.5 if raw.startswith("half") else float(cn_number(raw))
    return _offset(amount, group(m, "unit").rstrip("s"), today)


def _zh_month_edge(m: re.Match[str], today: date, text: str) -> date:
    which = (group(m, "which") or "").replace("个", "")
    shift = {"": 0, "本": 0, "这": 0, "下": 1, "下下": 2}[which]
    first = add_months(today.replace(day=1), shift)
    edge = m.groupdict().get("edge") or "初"
    if shift == 0 and edge == "初" and first < today:
        first = add_months(first, 1)  # 月初 said mid-month means next month's start
    if shift == 0 and edge == "中" and date(first.year, first.month, 15) < today:
        first = add_months(first, 1)
    return edge_day(first.year, first.month, edge)


def _zh_year_end(m: re.Match[str], today: date, text: str) -> date:
    year = year_of(m, today) or today.year
    return date(year, 12, 31)


def _en_month_day(m: re.Match[str], today: date, text: str) -> date:
    month = en_month(group(m, "mon"))
    day = int(group(m, "d"))
    if group(m, "y"):
        return valid(int(group(m, "y")), month, day, text)
    return roll_forward(month, day, today, text)


def _en_month_alone(m: re.Match[str], today: date, text: str) -> date:
    month = en_month(group(m, "mon"))
    if group(m, "y"):
        return date(int(group(m, "y")), month, 1)
    candidate = roll_edge(month, "初", today, text)
    if group(m, "rel") == "next" and candidate.year == today.year and month <= today.month:
        candidate = candidate.replace(year=candidate.year + 1)
    return candidate


def _en_relative_day(m: re.Match[str], today: date, text: str) -> date:
    word = m.group(0)
    if "after" in word:
        return today + timedelta(days=2)
    return today + timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[word])


def _en_month_end(m: re.Match[str], today: date, text: str) -> date:
    first = add_months(today.replace(day=1), 1 if group(m, "next") else 0)
    return month_end(first.year, first.month)


def _en_next_month(m: re.Match[str], today: date, text: str) -> date:
    return add_months(today.replace(day=1), 1)


def _en_year_end(m: re.Match[str], today: date, text: str) -> date:
    return date(today.year + (1 if group(m, "next") else 0), 12, 31)


RULES: Final[tuple[Rule, ...]] = (
    make_rule(r"(?<!\d)(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)", _iso),
    make_rule(
        ZH_YEAR + r"?\s*(?<!\d)(?P<m>" + CN_NUM + r")\s*月份?\s*"
        r"(?:(?P<d>" + CN_NUM + r")\s*[日号]?|(?P<edge>底|末|初|中))?(?![\d点时:])",
        _zh_month_day,
    ),
    make_rule(
        ZH_YEAR + r"?\s*(?P<h>五一|劳动节|国庆节?|十一(?![月日号点时])|元旦|圣诞节?|情人节)",
        _holiday,
    ),
    make_rule(r"大后天|后天|明天|明日|今天|今日|昨天", _zh_relative_day),
    make_rule(
        r"(?P<rel>下下|下|这|本|上)?\s*个?\s*(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
        _zh_weekday,
    ),
    make_rule(
        r"(?<!\d)(?P<n>"
        + CN_NUM
        + r"|半)\s*个?\s*(?P<unit>天|日|周|星期|礼拜|月|年)\s*(?:后|以后|之后)",
        _zh_offset,
    ),
    make_rule(
        r"(?P<which>下下个|下下|下个|下|本|这个)?\s*月\s*(?P<edge>底|末|初|中)", _zh_month_edge
    ),
    make_rule(
        r"(?P<which>下下个|下下|下个|下|本|这个)\s*月\s*(?P<d>" + CN_NUM + r")\s*[日号]",
        _zh_month_and_day,
    ),
    make_rule(
        r"(?P<which>下下个|下个|下)\s*月(?!\s*[底末初中\d一二三四五六七八九十两])", _zh_month_edge
    ),
    make_rule(r"(?<!\d)(?P<d>" + CN_NUM + r")\s*[日号]", _zh_day_alone, in_text=False),
    make_rule(r"(?P<rel>下个|下|这个|这|本)?\s*(?:周末|礼拜天?末)", _zh_weekend),
    make_rule(r"\b(?:(?P<rel>next|this)\s+)?weekend\b", _en_weekend),
    make_rule(r"(?:(?P<yw>今年|明年|后年)|年)\s*(?:底|末)", _zh_year_end),
    make_rule(
        r"\b(?P<mon>" + MONTH_RE + r")\.?\s+(?P<d>\d{1,2})" + ORD + r"\b(?:,?\s*(?P<y>\d{4})\b)?",
        _en_month_day,
    ),
    make_rule(
        r"\b(?:the\s+)?(?P<d>\d{1,2})" + ORD + r"\s+(?:of\s+)?(?P<mon>" + MONTH_RE + r")\b"
        r"(?:,?\s*(?P<y>\d{4})\b)?",
        _en_month_day,
    ),
    make_rule(r"\b(?P<mon>" + MONTH_RE + r")\s*,?\s*(?P<y>\d{4})\b", _en_month_alone),
    make_rule(r"\b(?P<rel>next|in)\s+(?P<mon>" + MONTH_RE + r")\b(?P<y>)", _en_month_alone),
    make_rule(r"\b(?P<rel>)(?P<mon>" + MONTH_RE + r")(?P<y>)\b", _en_month_alone, in_text=False),
    make_rule(r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\btoday\b|\btomorrow\b", _en_relative_day),
    # In a sentence a bare "Sun" or "Sat" is more likely a name (Sun Li) than a day.
    make_rule(
        r"\b(?:(?P<rel>next|this|coming|on)\s+)?(?P<wd>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
        _en_weekday,
    ),
    make_rule(r"\b(?P<rel>next|this|coming|on)\s+(?P<wd>" + WEEKDAY_RE + r")\b", _en_weekday),
    make_rule(r"\b(?P<wd>" + WEEKDAY_RE + r")\b", _en_weekday, in_text=False),
    make_rule(
        r"\bin\s+(?P<n>" + EN_NUM + r"|half\s+an?)\s+(?P<unit>days?|weeks?|months?|years?)\b",
        _en_offset,
    ),
    make_rule(
        r"\b(?P<n>"
        + EN_NUM
        + r")\s+(?P<unit>days?|weeks?|months?|years?)\s+(?:later|from\s+now)\b",
        _en_offset,
    ),
    make_rule(
        r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?month\b", _en_month_end
    ),
    make_rule(r"\bnext\s+month\b", _en_next_month),
    make_rule(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?year\b", _en_year_end),
    *PERIOD_RULES,
)


def parse_date(text: str, today: date) -> date:
    """The one date the whole text names, or DateParseError."""
    cleaned = normalize(text).strip(" .,，。")
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise DateParseError(text)
    for rule in RULES:
        match = rule.pattern.fullmatch(cleaned)
        if match:
            return _apply(rule, match, today, text)
    raise DateParseError(text)


def _apply(rule: Rule, match: re.Match[str], today: date, text: str) -> date:
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
    best: tuple[int, int, Rule, re.Match[str]] | None = None
    for rule in RULES:
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
