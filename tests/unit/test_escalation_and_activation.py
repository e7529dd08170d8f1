from datetime import UTC, datetime, timedelta

import pytest

from assistant.domain.activation import Candidate, pick_batch, raised_grade, rate
from assistant.domain.escalation import current, days_overdue, reached

DUE = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def names(steps: list) -> list[str]:  # type: ignore[type-arg]
    return [step.name for step in steps]


def test_a_follow_up_not_yet_due_has_no_escalation() -> None:
    assert reached(DUE, DUE - timedelta(minutes=1)) == []


def test_the_owner_is_reminded_at_once_and_again_after_a_day() -> None:
    assert names(reached(DUE, DUE)) == ["remind"]
    assert names(reached(DUE, DUE + timedelta(hours=23))) == ["remind"]
    assert names(reached(DUE, DUE + timedelta(days=1))) == ["remind", "again"]


def test_managers_get_a_copy_after_3_days_and_a_reassign_button_after_7() -> None:
    assert names(reached(DUE, DUE + timedelta(days=3))) == ["remind", "again", "manager"]
    assert names(reached(DUE, DUE + timedelta(days=6, hours=23))) == ["remind", "again", "manager"]
    assert names(reached(DUE, DUE + timedelta(days=7))) == [
        "remind", "again", "manager", "reassign",
    ]  # fmt: skip


def test_after_a_long_outage_only_the_latest_step_per_audience_is_sent() -> None:
    latest = current(DUE, DUE + timedelta(days=9))
    assert latest["owner"].name == "again" and latest["managers"].name == "reassign"
    assert days_overdue(DUE, DUE + timedelta(days=9, hours=5)) == 9


NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def candidate(lead_id: int, grade: str, days_silent: float) -> Candidate:
    return Candidate(lead_id, grade, NOW - timedelta(days=days_silent))


def test_batch_takes_dormant_d_and_c_leads_first_longest_silent_first() -> None:
    leads = [
        candidate(1, "A", 30),
        candidate(2, "C", 8),
        candidate(3, "D", 7),
        candidate(4, "D", 20),
        candidate(5, "B", 6.9),  # not dormant yet
        candidate(6, "C", 40),
    ]
    assert [c.lead_id for c in pick_batch(leads, NOW, 10)] == [4, 3, 6, 2, 1]
    assert [c.lead_id for c in pick_batch(leads, NOW, 2)] == [4, 3]


@pytest.mark.parametrize(
    ("replied", "size", "rating"),
    [(10, 10, "good"), (8, 10, "good"), (7, 10, "pass"), (5, 10, "pass"), (4, 10, "poor"),
     (0, 10, "poor"), (4, 5, "good"), (3, 5, "pass"), (2, 5, "poor"), (16, 20, "good"),
     (9, 20, "poor"), (2, 3, "pass"), (3, 3, "good"), (1, 3, "poor")],
)  # fmt: skip
def test_batch_rating_scales_with_the_batch_size(replied: int, size: int, rating: str) -> None:
    assert rate(replied, size) == rating


def test_a_reply_lifts_a_lead_one_grade_but_never_to_a() -> None:
    assert [raised_grade(g) for g in "DCBA"] == ["C", "B", "B", "A"]
