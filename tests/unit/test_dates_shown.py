"""render/formats.py: the one date formatter, and the template filters that call it."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from assistant.render import Renderer, formats

THURSDAY = datetime(2026, 11, 26, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_days_months_and_times_read_the_same_in_every_locale() -> None:
    assert formats.day(date(2026, 11, 5)) == "2026-11-05"
    assert formats.day(THURSDAY) == "2026-11-26"
    assert formats.month(date(2026, 11, 5)) == "2026-11"
    assert formats.month_day(date(2026, 11, 5)) == "11-05"
    assert formats.time(time(9)) == "09:00" and formats.time(THURSDAY) == "09:05"
    assert formats.date_time(THURSDAY) == "2026-11-26 09:05"
    assert formats.short(THURSDAY) == "11-26 09:05"
    assert formats.day_span(date(2026, 11, 1), date(2026, 11, 1)) == "2026-11-01"
    assert formats.day_span(date(2026, 11, 1), date(2026, 11, 25)) == "2026-11-01 – 2026-11-25"


def test_a_follow_ups_moment_has_its_weekday_in_english_only() -> None:
    assert formats.moment(THURSDAY, "en") == "Thu 26 Nov 09:05"
    assert formats.moment(THURSDAY, "zh-Hans") == "11-26 09:05"
    assert formats.moment(THURSDAY, "zh-Hant") == "11-26 09:05"


def test_templates_format_through_the_same_functions() -> None:
    renderer = Renderer()
    for locale in ("en", "zh-Hans", "zh-Hant"):
        environment = renderer._environments[locale]
        shown = environment.from_string(
            "{{ d | day }} {{ d | month }} {{ m | time }} {{ m | date_time }} {{ m | moment }}"
        ).render(d=date(2026, 11, 5), m=THURSDAY.astimezone(UTC))
        moment = formats.moment(THURSDAY.astimezone(UTC), locale)
        assert shown == f"2026-11-05 2026-11 01:05 2026-11-26 01:05 {moment}"
