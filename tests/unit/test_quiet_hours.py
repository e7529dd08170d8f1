from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.quiet_hours import Quiet, at_local, daily_due, next_allowed

NIGHT = Quiet.parse("22:00", "08:00")
SHANGHAI = "Asia/Shanghai"


def test_quiet_hours_crossing_midnight_cover_late_evening_and_early_morning() -> None:
    assert NIGHT.contains(time(22, 0)) and NIGHT.contains(time(23, 59))
    assert NIGHT.contains(time(0, 0)) and NIGHT.contains(time(7, 59))
    assert not NIGHT.contains(time(8, 0)) and not NIGHT.contains(time(21, 59))


def test_quiet_hours_within_one_day_work_too() -> None:
    lunch = Quiet.parse("12:00", "13:30")
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13, 30))


def test_a_push_at_23_local_waits_until_8_next_morning() -> None:
    late = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert next_allowed(late, SHANGHAI, NIGHT) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def test_a_push_at_3_local_waits_until_8_the_same_morning() -> None:
    early = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # 03:00 on the 26th in Shanghai
    assert next_allowed(early, SHANGHAI, NIGHT) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def test_a_push_on_saturday_waits_for_monday_morning_when_only_weekdays_are_worked() -> None:
    saturday_noon = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    monday_8 = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert next_allowed(saturday_noon, SHANGHAI, NIGHT, "12345") == monday_8
    assert next_allowed(saturday_noon, SHANGHAI, NIGHT, "123456") == saturday_noon


def test_the_morning_briefing_is_at_9_local_in_every_zone() -> None:
    day = date(2026, 11, 25)
    assert daily_due(day, "09:00", SHANGHAI, NIGHT, "12345") == datetime(
        2026, 11, 25, 1, 0, tzinfo=UTC
    )
    assert daily_due(day, "09:00", "America/New_York", NIGHT, "12345") == datetime(
        2026, 11, 25, 14, 0, tzinfo=UTC
    )
    assert daily_due(day, "09:00", "Asia/Kolkata", NIGHT, "12345") == datetime(
        2026, 11, 25, 3, 30, tzinfo=UTC
    )


def test_no_daily_push_on_a_day_off_and_one_set_inside_quiet_hours_moves_to_their_end() -> None:
    assert daily_due(date(2026, 11, 28), "09:00", SHANGHAI, NIGHT, "12345") is None
    assert daily_due(date(2026, 11, 25), "07:00", SHANGHAI, NIGHT, None) == datetime(
        2026, 11, 25, 0, 0, tzinfo=UTC
    )
    assert daily_due(date(2026, 11, 25), "23:00", SHANGHAI, NIGHT, None) is None


def test_morning_briefing_stays_at_9_local_across_daylight_saving_changes() -> None:
    zone = "America/New_York"
    before = daily_due(date(2026, 3, 7), "09:00", zone, NIGHT, None)
    after = daily_due(date(2026, 3, 9), "09:00", zone, NIGHT, None)
    assert before == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    autumn = daily_due(date(2026, 11, 2), "09:00", zone, NIGHT, None)
    assert autumn == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_a_wall_time_skipped_by_dst_lands_just_after_the_gap_and_a_repeated_one_once() -> None:
    zone = "America/New_York"
    skipped = at_local(date(2026, 3, 8), time(2, 30), zone)
    assert skipped == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    repeated = at_local(date(2026, 11, 1), time(1, 30), zone)
    assert repeated == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # first 01:30, EDT


def test_quiet_hours_ending_on_a_dst_morning_end_at_8_local() -> None:
    zone = "Europe/Berlin"
    night = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET, clocks jump at 02:00
    assert next_allowed(night, zone, NIGHT) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]),
    st.integers(0, 23),
    st.integers(0, 23),
    st.sampled_from(["12345", "123456", "1234567", "67"]),
)
def test_the_next_allowed_moment_is_never_earlier_nor_quiet_nor_a_day_off(
    naive: datetime, zone: str, start: int, end: int, work_days: str
) -> None:
    quiet = Quiet(time(start), time(end))
    moment = naive.replace(tzinfo=UTC)
    allowed = next_allowed(moment, zone, quiet, work_days)
    local = allowed.astimezone(ZoneInfo(zone))
    assert allowed >= moment
    assert not quiet.contains(local.time())
    assert str(local.isoweekday()) in work_days
    assert allowed - moment < timedelta(days=8)
