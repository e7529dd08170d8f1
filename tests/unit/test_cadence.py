from datetime import UTC, datetime, timedelta

import pytest

from assistant.domain.cadence import DATED_STAGES, next_followup
from assistant.domain.pipeline import PIPELINES

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CADENCE = {"A": 1, "B": 3, "C": 7, "D": 14}


def _next(stage: str, grade: str = "B", contacted: bool = True, **kw: object) -> datetime | None:
    args: dict[str, object] = {
        "stage": stage,
        "grade": grade,
        "now": NOW,
        "created_at": NOW,
        "contacted": contacted,
        "stage_since": NOW,
        "cadence": CADENCE,
    }
    args.update(kw)
    return next_followup(**args)  # type: ignore[arg-type]


def test_a_new_lead_not_yet_contacted_is_due_within_the_hour() -> None:
    assert _next("new", contacted=False) == NOW + timedelta(hours=1)


def test_an_uncontacted_new_lead_stays_overdue_from_its_creation() -> None:
    later = NOW + timedelta(hours=5)
    assert _next("new", contacted=False, now=later) == NOW + timedelta(hours=1)


@pytest.mark.parametrize(("grade", "days"), [("A", 1), ("B", 3), ("C", 7), ("D", 14)])
def test_after_a_contact_the_next_follow_up_depends_on_the_grade(grade: str, days: int) -> None:
    assert _next("valid", grade) == NOW + timedelta(days=days)


def test_team_cadence_overrides_the_defaults() -> None:
    assert _next("valid", "A", cadence={"A": 2, "B": 3, "C": 7, "D": 14}) == NOW + timedelta(days=2)


def test_visited_without_a_deal_follows_1_7_30_60_90_days() -> None:
    visit = NOW
    expected = [1, 7, 30, 60, 90]
    moments = [visit, *(visit + timedelta(days=d, hours=1) for d in expected[:-1])]
    for moment, days in zip(moments, expected, strict=True):
        assert _next("visited", now=moment, stage_since=visit) == visit + timedelta(days=days)


def test_after_the_last_visit_step_the_grade_cadence_takes_over() -> None:
    later = NOW + timedelta(days=91)
    assert _next("visited", "C", now=later, stage_since=NOW) == later + timedelta(days=7)


def test_won_leads_get_an_after_sale_visit_at_30_days() -> None:
    assert _next("won") == NOW + timedelta(days=30)
    assert _next("won", now=NOW + timedelta(days=31)) is None


def test_lost_leads_are_reactivated_after_90_days() -> None:
    assert _next("lost") == NOW + timedelta(days=90)


@pytest.mark.parametrize(
    "stage", sorted({stage for stages in PIPELINES.values() for stage in stages} | {"lost"})
)
@pytest.mark.parametrize("contacted", [True, False])
def test_only_dated_stages_depend_on_when_the_stage_began(stage: str, contacted: bool) -> None:
    """The service skips looking up the stage's start for every other stage."""
    long_ago = NOW - timedelta(days=400)
    recent = NOW - timedelta(days=2)
    differs = _next(stage, contacted=contacted, stage_since=long_ago) != _next(
        stage, contacted=contacted, stage_since=recent
    )
    assert differs == (stage in DATED_STAGES)
