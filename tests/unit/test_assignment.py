from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.domain.assignment import (
    POOL_DEFAULTS,
    Candidate,
    NobodyAvailable,
    Stale,
    assign,
    pool_settings,
    return_at,
    round_robin,
    stale_limit,
    stale_state,
    weighted,
)

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
REPS = [Candidate(3), Candidate(1), Candidate(2)]


def test_round_robin_over_1000_assignments_gives_everyone_the_same_share_within_one() -> None:
    counts = Counter(round_robin(REPS, 1000, TODAY, None))
    assert sorted(counts.values()) == [333, 333, 334]


def test_round_robin_continues_after_whoever_got_the_last_lead() -> None:
    assert round_robin(REPS, 4, TODAY, 2) == [3, 1, 2, 3]
    assert round_robin(REPS, 2, TODAY, 3) == [1, 2]


def test_weighted_with_equal_records_is_fair_over_1000_assignments() -> None:
    counts = Counter(weighted(REPS, 1000, TODAY))
    assert max(counts.values()) - min(counts.values()) <= 1


def test_weighted_gives_a_better_closer_proportionally_more_leads() -> None:
    strong = Candidate(1, won=8, lost=0)  # (8+1)/(8+2) = 0.9
    average = Candidate(2, won=4, lost=14)  # (4+1)/(18+2) = 0.25
    counts = Counter(weighted([strong, average], 1000, TODAY))
    assert counts[1] / 1000 == pytest.approx(0.9 / 1.15, abs=0.01)


def test_weighted_first_feeds_whoever_has_fewer_open_a_and_b_leads() -> None:
    busy, idle = Candidate(1, open_ab=5), Candidate(2, open_ab=0)
    assert weighted([busy, idle], 5, TODAY) == [2, 2, 2, 2, 2]
    assert Counter(weighted([busy, idle], 12, TODAY)) == {2: 8, 1: 4}


@pytest.mark.parametrize("mode", ["round_robin", "weighted"])
def test_members_away_get_nothing_until_the_day_after_their_return_date(mode: str) -> None:
    away = [Candidate(1), Candidate(2, away_until=TODAY + timedelta(days=2)), Candidate(3)]
    assert 2 not in set(assign(mode, away, 1000, TODAY))
    assert 2 not in set(assign(mode, away, 30, TODAY + timedelta(days=2)))
    assert 2 in set(assign(mode, away, 30, TODAY + timedelta(days=3)))


def test_when_everyone_is_away_nobody_is_picked() -> None:
    with pytest.raises(NobodyAvailable):
        round_robin([Candidate(1, away_until=TODAY)], 1, TODAY, None)
    with pytest.raises(NobodyAvailable):
        weighted([], 1, TODAY)


def test_team_pool_settings_lay_over_the_defaults() -> None:
    assert pool_settings(None) == POOL_DEFAULTS
    assert pool_settings({"pool": {"stale_days": 10, "junk": 1}})["stale_days"] == 10


SETTINGS = pool_settings(None)


def state(days_idle: float, grade: str = "B", warned_hours_ago: float | None = None) -> Stale:
    warned = None if warned_hours_ago is None else NOW - timedelta(hours=warned_hours_ago)
    return stale_state(last_touch=NOW - timedelta(days=days_idle), grade=grade, now=NOW,
                       settings=SETTINGS, warned_at=warned)  # fmt: skip


def test_a_b_lead_untouched_for_12_days_is_fresh_and_at_13_days_the_owner_is_warned() -> None:
    assert state(12.9) is Stale.FRESH
    assert state(13) is Stale.WARN


def test_a_b_lead_goes_back_at_14_days_only_after_a_warning_went_out() -> None:
    assert state(14) is Stale.WARN  # no warning sent yet
    assert state(14, warned_hours_ago=24) is Stale.RETURN
    assert state(14, warned_hours_ago=2) is Stale.WARN  # a late warning still gives 12 hours


def test_an_a_lead_is_warned_at_2_days_and_returns_at_3() -> None:
    assert state(1.9, "A") is Stale.FRESH
    assert state(2, "A") is Stale.WARN
    assert state(3, "A", warned_hours_ago=24) is Stale.RETURN


def test_the_return_time_is_the_limit_or_twelve_hours_after_the_warning() -> None:
    touch = NOW - timedelta(days=14)
    assert return_at(touch, "B", SETTINGS, NOW - timedelta(days=1)) == NOW
    assert return_at(touch, "B", SETTINGS, NOW) == NOW + timedelta(hours=12)


def test_a_lead_is_never_taken_before_its_cadence_asks_for_the_next_contact() -> None:
    cadence = {"A": 1, "B": 3, "C": 7, "D": 14}
    d_lead = dict(last_touch=NOW - timedelta(days=14), grade="D", now=NOW, settings=SETTINGS,
                  warned_at=NOW - timedelta(days=1))  # fmt: skip
    assert stale_state(**d_lead) is Stale.RETURN  # type: ignore[arg-type]
    assert stale_state(**d_lead, cadence=cadence) is Stale.WARN  # type: ignore[arg-type]
    assert stale_limit("D", SETTINGS, cadence) == timedelta(days=15)
    assert stale_limit("A", SETTINGS, cadence) == timedelta(days=3)
