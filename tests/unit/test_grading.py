from datetime import date, timedelta

import pytest

from assistant.domain.grading import grade_for, is_upgrade

TODAY = date(2026, 11, 25)
THRESHOLDS = {"a_days": 90, "b_days": 180, "c_days": 365}


@pytest.mark.parametrize(
    ("days", "grade"),
    [(0, "A"), (89, "A"), (90, "A"), (91, "B"), (180, "B"), (181, "C"), (365, "C"), (366, "D")],
)
def test_grade_follows_days_until_the_event(days: int, grade: str) -> None:
    result = grade_for(TODAY + timedelta(days=days), TODAY, False, THRESHOLDS)
    assert result.grade == grade
    assert not result.date_passed


def test_lead_with_wedding_in_80_days_is_grade_a() -> None:
    assert grade_for(TODAY + timedelta(days=80), TODAY, False, THRESHOLDS).grade == "A"


def test_a_past_event_date_grades_d_and_flags_the_date() -> None:
    result = grade_for(TODAY - timedelta(days=1), TODAY, False, THRESHOLDS)
    assert result.grade == "D" and result.date_passed


def test_no_date_grades_d() -> None:
    assert grade_for(None, TODAY, False, THRESHOLDS).grade == "D"


def test_a_referral_or_strong_intent_is_grade_a_whatever_the_date() -> None:
    assert grade_for(None, TODAY, True, THRESHOLDS).grade == "A"
    assert grade_for(TODAY + timedelta(days=400), TODAY, True, THRESHOLDS).grade == "A"


def test_team_thresholds_change_the_bands() -> None:
    tight = {"a_days": 30, "b_days": 60, "c_days": 90}
    assert grade_for(TODAY + timedelta(days=45), TODAY, False, tight).grade == "B"


def test_c_to_b_is_an_upgrade_and_b_to_c_is_not() -> None:
    assert is_upgrade("C", "B")
    assert not is_upgrade("B", "C")
