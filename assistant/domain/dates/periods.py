"""Parts of a year said as a date: seasons, halves, the start and the middle of a year.

Each means its first day, as a month alone means its 1st: spring (春天, 春季, 开春) March 1,
summer June 1, autumn September 1, winter December 1; 上半年 / 年初 / the start of a year
January 1; 下半年, 年中 and mid-year July 1 (the middle of a year is where its second half
begins). Without a year it is the next such day from today (today counts), so 春天 said in
April is next spring, just as 5月 said in mid-May is next May. With a year word (今年, 明年,
后年, 2027年; this / next year, the year after next, 2027) it is that year's, as typed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from assistant.domain.dates.core import ZH_YEAR, Rule, group, make_rule, year_of

# The month each part of a year starts in.
PART_MONTHS: Final = {"春": 3, "夏": 6, "秋": 9, "冬": 12, "spring": 3, "summer": 6, "autumn": 9,
                      "fall": 9, "winter": 12, "上半年": 1, "年初": 1, "初": 1, "下半年": 7,
                      "年中": 7, "中": 7, "first": 1, "second": 7, "start": 1, "beginning": 1,
                      "early": 1, "middle": 7, "mid": 7}  # fmt: skip
_EN_SEASON: Final = r"(?P<part>spring|summer|autumn|fall|winter)"
_EN_SEASON_BARE: Final = r"(?P<part>spring|summer|autumn|winter)"  # "fall" alone is a verb
_EN_NAMED_YEAR: Final = (
    r"(?:(?P<y>\d{4})|(?P<en_y>this\s+year|next\s+year|the\s+year\s+after\s+next))"
)
_EN_YEAR: Final = r"(?:" + _EN_NAMED_YEAR + r"|(?P<the_year>the\s+year))"
_EN_YEAR_OFFSETS: Final = {"this year": 0, "next year": 1, "the year after next": 2}


def _first_day(month: int, year: int | None, today: date) -> date:
    """The 1st of `month` in `year`, or without a year the next one on or after today."""
    if year is not None:
        return date(year, month, 1)
    candidate = date(today.year, month, 1)
    return candidate if candidate >= today else date(today.year + 1, month, 1)


def _en_year(match: re.Match[str], today: date) -> int | None:
    if group(match, "y"):
        return int(group(match, "y"))
    words = group(match, "en_y")
    if words:
        return today.year + _EN_YEAR_OFFSETS[" ".join(words.split())]
    if group(match, "rel") == "this":
        return today.year
    return None  # "next spring", "the second half of the year": the next one


def _zh_part(m: re.Match[str], today: date, text: str) -> date:
    return _first_day(PART_MONTHS[group(m, "part")], year_of(m, today), today)


def _en_part(m: re.Match[str], today: date, text: str) -> date:
    return _first_day(PART_MONTHS[group(m, "part")], _en_year(m, today), today)


PERIOD_RULES: Final[tuple[Rule, ...]] = (
    make_rule(ZH_YEAR + r"?\s*(?P<part>春|夏|秋|冬)(?:天|季)", _zh_part),
    make_rule(r"(?:(?P<yw>今年|明年|后年)\s*)?开(?P<part>春)", _zh_part),
    make_rule(ZH_YEAR + r"?\s*(?P<part>上半年|下半年)", _zh_part),
    make_rule(ZH_YEAR + r"?\s*(?P<part>年初|年中)(?!秋)", _zh_part),
    make_rule(r"(?P<yw>今年|明年|后年)(?P<part>初|中)(?![秋旬])", _zh_part),
    make_rule(r"\b(?P<rel>next|this|coming)\s+" + _EN_SEASON + r"\b", _en_part),
    make_rule(
        r"\b(?:in\s+)?(?:the\s+)?" + _EN_SEASON + r"\s+(?:of\s+)?" + _EN_NAMED_YEAR + r"\b",
        _en_part,
    ),
    make_rule(r"\bin\s+(?:the\s+)?" + _EN_SEASON + r"\b", _en_part),
    make_rule(r"\b" + _EN_SEASON_BARE + r"\b", _en_part, in_text=False),
    make_rule(
        r"\b(?:in\s+)?(?:the\s+)?(?P<part>first|second)\s+half\s+of\s+" + _EN_YEAR + r"\b",
        _en_part,
    ),
    make_rule(
        r"\b(?:in\s+|at\s+)?(?:the\s+)?(?P<part>start|beginning|middle)\s+of\s+" + _EN_YEAR + r"\b",
        _en_part,
    ),
    make_rule(r"\b(?P<part>early|mid)[-\s]?" + _EN_NAMED_YEAR + r"\b", _en_part),
    make_rule(r"\b(?P<part>mid)[-\s]?year\b", _en_part),
)
