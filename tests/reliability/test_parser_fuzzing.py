"""Every parser of user input, fed arbitrary text: it answers or refuses with its own error,
which the bot turns into a friendly message; it never crashes with anything else."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.domain import periods, preferences, timezones
from assistant.domain import scripts as script_domain
from assistant.domain.funnel import NumbersError, parse_numbers
from assistant.domain.quiet_hours import parse_hhmm
from assistant.domain.team_targets import TargetError, parse_change
from assistant.services.analytics import numbers_day
from assistant.services.errors import UserError
from assistant.services.scripts import check_team_text, parse_one_line
from assistant.tg.keyboards import Signer

# Text a person could type: any characters, biased towards digits, separators and the words
# the parsers look for, so the fuzzing reaches past the first "not understood".
WORDS = [
    "展现", "点击", "访问", "咨询", "订单", "花费", "impressions", "clicks", "cost", "万", "k",
    "week", "month", "本周", "上月", "today", "昨天", "11-24", "2026-02-30", "12/31", "9:00",
    "22:00-08:00", "mon-fri", "周一", "UTC+8", "GMT-13:30", "Asia/Shanghai", "pct", "grading",
    "cadence", "太贵", "A", "valid", "|", "{{", "}}", "{{ name }}", "{% if %}", "-", "+", ".", ",",
    "，", "：", "=", "0", "99999999999999999999", "1e309", "nan", "-1", "½", "٣", "\x00", "\n",
]  # fmt: skip
typed = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(WORDS), st.integers(-10**6, 10**12).map(str)),
             max_size=8).map(" ".join),
)  # fmt: skip
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
FUZZ = settings(max_examples=150, deadline=None)


def _either(call: Any, *errors: type[Exception]) -> None:
    with contextlib.suppress(*errors):
        call()


@FUZZ
@given(typed, days)
def test_periods_and_days_parse_or_say_what_to_type(text: str, today: date) -> None:
    _either(lambda: periods.parse_period(text, today), periods.PeriodError)
    _either(lambda: periods.parse_day(text, today), periods.PeriodError)
    _either(lambda: periods.parse_month(text, today), periods.PeriodError)
    _either(lambda: numbers_day(text, today), periods.PeriodError)


@FUZZ
@given(typed)
def test_preferences_parse_or_say_what_to_type(text: str) -> None:
    for parse in (
        preferences.parse_clock,
        preferences.parse_work_minutes,
        preferences.parse_work_days,
        preferences.parse_quiet_hours,
    ):
        _either(lambda parse=parse: parse(text), preferences.PreferenceError)
    _either(lambda: parse_hhmm(text), ValueError)


@FUZZ
@given(typed)
def test_time_zones_resolve_to_a_real_zone_or_to_nothing(text: str) -> None:
    from zoneinfo import ZoneInfo

    zone = timezones.resolve_timezone(text)
    if zone is not None:
        ZoneInfo(zone)


@FUZZ
@given(typed)
def test_numbers_input_parses_or_says_what_to_type(text: str) -> None:
    try:
        found = parse_numbers(text)
    except NumbersError:
        return
    assert all(value >= 0 for value in found.values.values())


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6))
def test_team_targets_parse_or_say_what_to_type(words: list[str]) -> None:
    _either(lambda: parse_change(words), TargetError)


@FUZZ
@given(typed, st.sampled_from(["store", "b2b"]))
def test_script_lines_and_texts_parse_or_say_what_to_type(text: str, pipeline: str) -> None:
    _either(lambda: parse_one_line(text, pipeline=pipeline), UserError)
    _either(lambda: check_team_text(text, "zh-Hans"), UserError)
    _either(lambda: check_team_text(text, "en"), UserError)
    script_domain.parse_team_script_id(text)


yaml_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["situation", "scripts", "id", "text", "stages", "grades", "x"]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@FUZZ
@given(yaml_like)
def test_the_scripts_loader_accepts_a_file_or_names_what_is_wrong(data: object) -> None:
    _either(
        lambda: script_domain.parse_file(data, situation="price", locale="zh-Hans"),
        script_domain.ScriptError,
    )


@FUZZ
@given(st.text(max_size=80))
def test_callback_data_that_was_not_signed_by_the_bot_is_refused(data: str) -> None:
    signer = Signer(b"the bot's own key")
    parts = signer.verify(data)
    if parts is not None:  # only data the bot could have signed passes
        assert signer.sign(*parts) == data
