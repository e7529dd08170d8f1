import contextlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.dates import DateParseError, find_date, parse_date, parse_when

TODAY = date(2026, 11, 25)  # a Wednesday
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-05-01", date(2027, 5, 1)),
        ("2027/5/1", date(2027, 5, 1)),
        ("2027年5月1日", date(2027, 5, 1)),
        ("5月1日", date(2027, 5, 1)),
        ("5月1号", date(2027, 5, 1)),
        ("五月一日", date(2027, 5, 1)),
        ("１２月３日", date(2026, 12, 3)),
        ("明年五一", date(2027, 5, 1)),
        ("五一", date(2027, 5, 1)),
        ("明年5月", date(2027, 5, 1)),
        ("明年 5 月", date(2027, 5, 1)),
        ("2027年10月", date(2027, 10, 1)),
        ("国庆", date(2027, 10, 1)),
        ("元旦", date(2027, 1, 1)),
        ("下周六", date(2026, 12, 5)),
        ("周六", date(2026, 11, 28)),
        ("这周五", date(2026, 11, 27)),
        ("下下周一", date(2026, 12, 7)),
        ("三个月后", date(2027, 2, 25)),
        ("3天后", date(2026, 11, 28)),
        ("两周后", date(2026, 12, 9)),
        ("半年后", date(2027, 5, 25)),
        ("月底", date(2026, 11, 30)),
        ("下个月底", date(2026, 12, 31)),
        ("下月初", date(2026, 12, 1)),
        ("5月底", date(2027, 5, 31)),
        ("年底", date(2026, 12, 31)),
        ("明年底", date(2027, 12, 31)),
        ("明天", date(2026, 11, 26)),
        ("后天", date(2026, 11, 27)),
        ("in 3 months", date(2027, 2, 25)),
        ("in 2 weeks", date(2026, 12, 9)),
        ("3 days later", date(2026, 11, 28)),
        ("next Saturday", date(2026, 11, 28)),
        ("next Wednesday", date(2026, 12, 2)),
        ("Saturday", date(2026, 11, 28)),
        ("May 1", date(2027, 5, 1)),
        ("May 1st", date(2027, 5, 1)),
        ("1 May 2028", date(2028, 5, 1)),
        ("December 3", date(2026, 12, 3)),
        ("May 2027", date(2027, 5, 1)),
        ("May", date(2027, 5, 1)),
        ("next month", date(2026, 12, 1)),
        ("end of month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("tomorrow", date(2026, 11, 26)),
        ("周末", date(2026, 11, 28)),
        ("下周末", date(2026, 12, 5)),
        ("next weekend", date(2026, 12, 5)),
        ("下个月5号", date(2026, 12, 5)),
        ("本月30号", date(2026, 11, 30)),
        ("20号", date(2026, 12, 20)),
        ("28号", date(2026, 11, 28)),
        ("下个月", date(2026, 12, 1)),
    ],
)
def test_natural_language_dates_in_both_languages(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("后年春天", date(2028, 3, 1)),
        ("春天", date(2027, 3, 1)),
        ("春季", date(2027, 3, 1)),
        ("明年开春", date(2027, 3, 1)),
        ("明年夏天", date(2027, 6, 1)),
        ("秋天", date(2027, 9, 1)),
        ("冬天", date(2026, 12, 1)),
        ("今年冬季", date(2026, 12, 1)),
        ("上半年", date(2027, 1, 1)),
        ("下半年", date(2027, 7, 1)),
        ("后年下半年", date(2028, 7, 1)),
        ("2027年上半年", date(2027, 1, 1)),
        ("年中", date(2027, 7, 1)),
        ("明年年中", date(2027, 7, 1)),
        ("明年中", date(2027, 7, 1)),
        ("明年初", date(2027, 1, 1)),
        ("年初", date(2027, 1, 1)),
        ("next spring", date(2027, 3, 1)),
        ("spring 2028", date(2028, 3, 1)),
        ("in the autumn", date(2027, 9, 1)),
        ("this winter", date(2026, 12, 1)),
        ("summer of the year after next", date(2028, 6, 1)),
        ("the second half of next year", date(2027, 7, 1)),
        ("first half of 2027", date(2027, 1, 1)),
        ("the start of next year", date(2027, 1, 1)),
        ("early next year", date(2027, 1, 1)),
        ("mid-2027", date(2027, 7, 1)),
        ("mid-year", date(2027, 7, 1)),
    ],
)
def test_seasons_and_parts_of_a_year_mean_their_first_day(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_a_season_already_begun_means_the_next_one_as_a_month_does() -> None:
    april = date(2026, 4, 10)
    assert parse_date("春天", april) == date(2027, 3, 1)
    assert parse_date("夏天", april) == date(2026, 6, 1)
    assert parse_date("下半年", date(2026, 7, 1)) == date(2026, 7, 1)  # today counts


def test_a_wedding_the_year_after_next_in_spring_is_found_inside_a_pasted_line() -> None:
    found = find_date("郑女士 13512349876 婚期后年春天 抖音", TODAY)
    assert found is not None and found.value == date(2028, 3, 1)


@pytest.mark.parametrize("text", ["Summer Chen 13800138000", "王夏天 13800138000", "fall in love"])
def test_season_words_that_are_names_or_verbs_are_not_dates(text: str) -> None:
    assert find_date(text, TODAY, whole_words_from=len(text.split()[0])) is None


def test_a_month_day_already_passed_this_year_means_next_year() -> None:
    assert parse_date("3月1日", TODAY) == date(2027, 3, 1)
    assert parse_date("11月25日", TODAY) == date(2026, 11, 25)
    assert parse_date("11月24日", TODAY) == date(2027, 11, 24)


def test_february_29_waits_for_the_next_leap_year() -> None:
    assert parse_date("2月29日", TODAY) == date(2028, 2, 29)


def test_an_explicit_past_date_is_kept_as_typed() -> None:
    assert parse_date("2025-05-01", TODAY) == date(2025, 5, 1)


@pytest.mark.parametrize(
    "text", ["", "sometime", "随便", "4月31日", "13月1日", "2027-02-30", "明年", "后年", "fall"]
)
def test_text_that_is_not_a_date_is_rejected_not_guessed(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date(text, TODAY)


def test_a_date_phrase_is_found_inside_a_sentence() -> None:
    found = find_date("王女士 婚期 明年5月 转介绍", TODAY)
    assert found is not None and found.value == date(2027, 5, 1)
    assert find_date("王女士 想看看套餐", TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("周五下午3点", datetime(2026, 11, 27, 15, 0)),
        ("明天10点", datetime(2026, 11, 26, 10, 0)),
        ("明天上午10点半", datetime(2026, 11, 26, 10, 30)),
        ("明晚8点", datetime(2026, 11, 26, 20, 0)),
        ("下午3点", datetime(2026, 11, 25, 15, 0)),
        ("9点", datetime(2026, 11, 26, 9, 0)),
        ("tomorrow 3pm", datetime(2026, 11, 26, 15, 0)),
        ("tomorrow at 3:30 pm", datetime(2026, 11, 26, 15, 30)),
        ("friday 15:00", datetime(2026, 11, 27, 15, 0)),
        ("明天", datetime(2026, 11, 26, 10, 0)),
        ("下周一上午", datetime(2026, 11, 30, 10, 0)),
        ("2026-12-01 09:15", datetime(2026, 12, 1, 9, 15)),
        ("28号下午2点", datetime(2026, 11, 28, 14, 0)),
        ("周末上午", datetime(2026, 11, 28, 10, 0)),
        ("今天23:59", datetime(2026, 11, 25, 23, 59)),
        ("今天 23:59", datetime(2026, 11, 25, 23, 59)),
        ("today 23:59", datetime(2026, 11, 25, 23, 59)),
        ("今晚8点", datetime(2026, 11, 25, 20, 0)),
        ("周五15:30", datetime(2026, 11, 27, 15, 30)),
        ("明天3pm", datetime(2026, 11, 26, 15, 0)),
    ],
)
def test_follow_up_times_in_both_languages(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected.replace(tzinfo=SHANGHAI)


def test_relative_times_count_from_now() -> None:
    assert parse_when("in 2 hours", NOW) == NOW + timedelta(hours=2)
    assert parse_when("2小时后", NOW) == NOW + timedelta(hours=2)
    assert parse_when("半小时后", NOW) == NOW + timedelta(minutes=30)
    assert parse_when("in 30 minutes", NOW) == NOW + timedelta(minutes=30)


@pytest.mark.parametrize("text", ["昨天下午3点", "2020-01-01 10:00", "whenever", "25点", "今天"])
def test_follow_up_times_in_the_past_or_unclear_are_rejected(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_when(text, NOW)


@given(st.text(max_size=60), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_the_date_parser_never_crashes(text: str, today: date) -> None:
    try:
        parse_date(text, today)
        find_date(text, today)
    except DateParseError:
        pass


@given(st.text(max_size=40))
def test_the_time_parser_never_crashes(text: str) -> None:
    try:
        moment = parse_when(text, NOW)
    except DateParseError:
        return
    assert moment > NOW


@given(
    st.integers(1, 12),
    st.integers(1, 31),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from(["{m}月{d}日", "{m}月{d}号", "{mon} {d}", "{d} {mon}"]),
)
def test_a_month_day_without_a_year_is_never_in_the_past(
    month: int, day: int, today: date, shape: str
) -> None:
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    text = shape.format(m=month, d=day, mon=months[month - 1])
    try:
        result = parse_date(text, today)
    except DateParseError:
        return
    assert result >= today
    assert (result.month, result.day) == (month, day)


DATE_WORDS = [
    "明年",
    "今年",
    "后年",
    "春天",
    "冬季",
    "上半年",
    "下半年",
    "年中",
    "开春",
    "spring",
    "fall",
    "half",
    "mid",
    "after next",
    "2027",
    "年",
    "5",
    "12",
    "31",
    "五",
    "十一",
    "两",
    "半",
    "月",
    "日",
    "号",
    "底",
    "初",
    "中",
    "下",
    "下下",
    "个",
    "这",
    "本",
    "周",
    "星期",
    "礼拜",
    "六",
    "天",
    "末",
    "后",
    "五一",
    "国庆",
    "元旦",
    "今天",
    "明天",
    "后天",
    "-",
    "/",
    " ",
    "上午",
    "下午",
    "晚上",
    "点",
    "分",
    "半",
    ":",
    "30",
    "in",
    "next",
    "this",
    "may",
    "june",
    "monday",
    "sat",
    "weekend",
    "month",
    "months",
    "week",
    "year",
    "day",
    "days",
    "end of",
    "the",
    "of",
    "1st",
    "3",
    "a",
    "half",
    "hours",
    "minutes",
    "pm",
    "am",
    "at",
    "tomorrow",
    "today",
    "later",
    "from now",
    "小时",
    "分钟",
]


@given(st.lists(st.sampled_from(DATE_WORDS), max_size=8).map("".join))
def test_date_like_word_salad_never_crashes_the_parsers(text: str) -> None:
    with contextlib.suppress(DateParseError):
        parse_date(text, TODAY)
    with contextlib.suppress(DateParseError):
        find_date(text, TODAY)
    with contextlib.suppress(DateParseError):
        assert parse_when(text, NOW) > NOW
