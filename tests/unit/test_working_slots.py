from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.quiet_hours import Quiet
from assistant.domain.working_slots import (
    SLOT,
    WorkingHours,
    first_contact_time,
    first_day,
    free_slot,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = WorkingHours("Asia/Shanghai", Quiet.parse("22:00", "08:00"), "12345")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def test_a_first_contact_in_working_time_keeps_its_minute() -> None:
    assert first_contact_time(local(2026, 11, 25, 16, 0), HOURS) == local(2026, 11, 25, 16, 0)


def test_a_lead_added_at_five_past_one_is_due_at_ten_not_at_two_in_the_night() -> None:
    assert first_contact_time(local(2026, 11, 25, 2, 5), HOURS) == local(2026, 11, 25, 10, 0)


def test_a_first_contact_falling_in_the_evening_quiet_waits_for_the_next_working_day() -> None:
    assert first_contact_time(local(2026, 11, 25, 22, 30), HOURS) == local(2026, 11, 26, 10, 0)
    friday_night = local(2026, 11, 27, 22, 30)
    assert first_contact_time(friday_night, HOURS) == local(2026, 11, 30, 10, 0)  # Monday


def test_a_cadence_day_gets_its_first_free_slot_from_ten() -> None:
    day = date(2026, 11, 26)
    after = local(2026, 11, 25, 15, 0)
    assert free_slot(day, HOURS, [], after=after) == local(2026, 11, 26, 10, 0)
    taken = [local(2026, 11, 26, 10, 0), local(2026, 11, 26, 10, 20)]
    assert free_slot(day, HOURS, taken, after=after) == local(2026, 11, 26, 10, 30)


def test_a_full_day_has_no_free_slot() -> None:
    day = date(2026, 11, 26)
    every = [local(2026, 11, 26, 10, 0) + SLOT * step for step in range(48)]
    assert free_slot(day, HOURS, every, after=local(2026, 11, 25, 9, 0)) is None


def test_quiet_hours_ending_late_move_the_first_slot() -> None:
    late = WorkingHours("Asia/Shanghai", Quiet.parse("22:00", "11:00"), "12345")
    assert free_slot(date(2026, 11, 26), late, [], after=local(2026, 11, 25, 9, 0)) == local(
        2026, 11, 26, 11, 0
    )


def test_a_cadence_due_on_a_day_off_moves_to_the_next_working_day() -> None:
    saturday = local(2026, 11, 28, 15, 0)
    assert first_day(saturday, HOURS, after=local(2026, 11, 25, 15, 0)) == date(2026, 11, 30)


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Kolkata"]),
    st.sampled_from(["12345", "123456", "67", "1234567"]),
    st.sampled_from(
        [("22:00", "08:00"), ("21:00", "09:30"), ("23:00", "07:00"), ("00:00", "00:00")]
    ),
    st.lists(st.integers(0, 60), max_size=20),
)
def test_a_cadence_time_is_never_quiet_never_on_a_day_off_and_on_the_quarter_hours(
    due: datetime, zone: str, days: str, quiet: tuple[str, str], busy: list[int]
) -> None:
    hours = WorkingHours(zone, Quiet.parse(*quiet), days)
    day = first_day(due, hours, after=due - timedelta(days=1))
    taken = [hours.slots(day)[0] + SLOT * step for step in busy] if hours.slots(day) else []
    slot = free_slot(day, hours, taken, after=due - timedelta(days=1))
    for moment in (slot, first_contact_time(due, hours)):
        if moment is None:
            continue
        assert hours.is_working(moment)
    if slot is not None:
        clock = slot.astimezone(ZoneInfo(zone)).time()
        assert clock.minute % 15 == 0 and clock >= time(10)
        assert not any(slot <= moment < slot + SLOT for moment in taken)
