from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.allocation import allocate, largest_remainder, split_evenly


def test_worked_example_480_minutes_gives_320_133_0_27() -> None:
    assert allocate(480, {"A": 2, "B": 4, "C": 0, "D": 10}) == {"A": 320, "B": 133, "C": 0, "D": 27}


def test_with_every_grade_present_the_day_is_split_60_25_10_5() -> None:
    assert allocate(480, {"A": 1, "B": 1, "C": 1, "D": 1}) == {"A": 288, "B": 120, "C": 48, "D": 24}


def test_a_single_grade_with_leads_gets_the_whole_day() -> None:
    assert allocate(420, {"C": 3}) == {"A": 0, "B": 0, "C": 420, "D": 0}


def test_with_no_leads_at_all_the_plain_weights_apply() -> None:
    assert allocate(100, {}) == {"A": 60, "B": 25, "C": 10, "D": 5}


@given(
    st.integers(min_value=0, max_value=1440),
    st.dictionaries(st.sampled_from("ABCD"), st.integers(min_value=0, max_value=10_000)),
)
def test_minutes_always_add_up_to_the_working_day(total: int, counts: dict[str, int]) -> None:
    minutes = allocate(total, counts)
    assert sum(minutes.values()) == total
    assert all(value >= 0 for value in minutes.values())
    if any(counts.values()):
        assert all(minutes[g] == 0 for g in "ABCD" if counts.get(g, 0) == 0)


def test_minutes_per_lead_are_even_and_add_up() -> None:
    assert split_evenly(27, 10) == [3, 3, 3, 3, 3, 3, 3, 2, 2, 2]
    assert split_evenly(320, 2) == [160, 160]
    assert split_evenly(5, 0) == []


@given(st.integers(min_value=0, max_value=1440), st.integers(min_value=1, max_value=500))
def test_splitting_per_lead_never_loses_a_minute(total: int, parts: int) -> None:
    shares = split_evenly(total, parts)
    assert sum(shares) == total and max(shares) - min(shares) <= 1


@given(st.integers(min_value=0, max_value=1440), st.integers(min_value=1, max_value=300))
def test_splitting_per_lead_is_largest_remainder_with_equal_shares(total: int, parts: int) -> None:
    assert split_evenly(total, parts) == largest_remainder(total, [Fraction(1)] * parts)
