from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.periods import Period, PeriodError, month_arg, parse_period

WED = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("", WED, WED),
        ("today", WED, WED),
        ("今天", WED, WED),
        ("昨天", date(2026, 11, 24), date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 24), date(2026, 11, 24)),
        ("week", date(2026, 11, 23), date(2026, 11, 29)),
        ("本周", date(2026, 11, 23), date(2026, 11, 29)),
        ("上周", date(2026, 11, 16), date(2026, 11, 22)),
        ("last week", date(2026, 11, 16), date(2026, 11, 22)),
        ("month", date(2026, 11, 1), date(2026, 11, 30)),
        ("本月", date(2026, 11, 1), date(2026, 11, 30)),
        ("last month", date(2026, 10, 1), date(2026, 10, 31)),
        ("上个月", date(2026, 10, 1), date(2026, 10, 31)),
        ("11-01 11-15", date(2026, 11, 1), date(2026, 11, 15)),
        ("11-01~11-15", date(2026, 11, 1), date(2026, 11, 15)),
        ("11月1日到11月15日", date(2026, 11, 1), date(2026, 11, 15)),
        ("11-20 to 11-30", date(2026, 11, 20), date(2026, 11, 30)),
        ("12-20 01-05", date(2025, 12, 20), date(2026, 1, 5)),
        ("2026-10-03", date(2026, 10, 3), date(2026, 10, 3)),
        ("11/3", date(2026, 11, 3), date(2026, 11, 3)),
        ("12-01", date(2025, 12, 1), date(2025, 12, 1)),
        ("10月", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_periods_are_read_in_both_languages_relative_to_local_today(
    text: str, start: date, end: date
) -> None:
    period = parse_period(text, WED)
    assert (period.start, period.end) == (start, end)


def test_a_week_always_runs_monday_to_sunday_even_on_a_sunday() -> None:
    period = parse_period("week", date(2026, 11, 29))
    assert (period.start, period.end, period.days) == (date(2026, 11, 23), date(2026, 11, 29), 7)


def test_a_month_under_way_can_be_clipped_to_today() -> None:
    assert parse_period("month", WED).clipped(WED) == Period("month", date(2026, 11, 1), WED)


@pytest.mark.parametrize(
    "bad", ["forever", "13-01", "02-30", "11-15 11-01x", "2026-11-15 2026-11-01"]
)
def test_anything_else_is_rejected_not_guessed(bad: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad, WED)


def test_goal_months_look_ahead() -> None:
    assert month_arg("", WED) == date(2026, 11, 1)
    assert month_arg("下月", WED) == date(2026, 12, 1)
    assert month_arg("next", date(2026, 12, 31)) == date(2027, 1, 1)
    assert month_arg("2", WED) == date(2027, 2, 1)
    assert month_arg("11月", WED) == date(2026, 11, 1)
    assert month_arg("2027-03", WED) == date(2027, 3, 1)
    with pytest.raises(PeriodError):
        month_arg("someday", WED)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_a_full_date_is_always_that_day(day: date) -> None:
    period = parse_period(day.isoformat(), WED)
    assert (period.start, period.end) == (day, day)


@given(
    st.dates(min_value=date(2020, 3, 1), max_value=date(2030, 12, 31)),
    st.integers(1, 12),
    st.integers(1, 28),
)
def test_a_date_without_a_year_is_the_latest_one_not_after_today(
    today: date, month: int, day: int
) -> None:
    found = parse_period(f"{month}-{day}", today).start
    assert (found.month, found.day) == (month, day)
    assert found <= today and (today - found).days < 366
