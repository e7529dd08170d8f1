import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.preferences import (
    PreferenceError,
    parse_clock,
    parse_quiet_hours,
    parse_work_days,
    parse_work_minutes,
)


def test_clock_times_are_normalised_to_hh_mm() -> None:
    assert parse_clock("9") == "09:00"
    assert parse_clock("9:05") == "09:05"
    assert parse_clock("21.30") == "21:30"
    assert parse_clock("8：30") == "08:30"


@pytest.mark.parametrize("bad", ["24:00", "9:60", "nine", "", "12:5"])
def test_impossible_clock_times_are_rejected(bad: str) -> None:
    with pytest.raises(PreferenceError):
        parse_clock(bad)


def test_working_minutes_accept_minutes_and_hours() -> None:
    assert parse_work_minutes("420") == 420
    assert parse_work_minutes("7h") == 420
    assert parse_work_minutes("7.5小时") == 450


@pytest.mark.parametrize("bad", ["0", "10", "2000", "abc", "h", "-5"])
def test_working_minutes_outside_30_to_960_are_rejected(bad: str) -> None:
    with pytest.raises(PreferenceError):
        parse_work_minutes(bad)


def test_working_days_read_digits_ranges_and_day_names() -> None:
    assert parse_work_days("1-5") == "12345"
    assert parse_work_days("123456") == "123456"
    assert parse_work_days("mon-sat") == "123456"
    assert parse_work_days("周一到周五") == "12345"
    assert parse_work_days("1,3,5") == "135"


@pytest.mark.parametrize("bad", ["", "8", "5-1", "someday"])
def test_unreadable_working_days_are_rejected(bad: str) -> None:
    with pytest.raises(PreferenceError):
        parse_work_days(bad)


def test_quiet_hours_need_two_different_times() -> None:
    quiet = parse_quiet_hours("22:00-08:00")
    assert (quiet.start, quiet.end) == ("22:00", "08:00")
    with pytest.raises(PreferenceError):
        parse_quiet_hours("22:00-22:00")


@given(st.text(max_size=30))
def test_settings_parsers_only_ever_raise_preference_errors(text: str) -> None:
    for parser in (parse_clock, parse_work_minutes, parse_work_days, parse_quiet_hours):
        with contextlib.suppress(PreferenceError):
            parser(text)
