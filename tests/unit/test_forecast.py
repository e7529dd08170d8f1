import pytest

from assistant.domain.forecast import (
    MIN_HISTORY,
    OpenLead,
    StageHistory,
    closes_this_month,
    forecast,
    goal_gap,
    probabilities,
)
from assistant.domain.pipeline import stages

STORE = stages("store")


def test_without_history_the_store_defaults_are_5_15_35_60_percent() -> None:
    chances = probabilities("store", STORE, {}, None)
    assert {s: c for s, (c, _) in chances.items()} == pytest.approx(
        {"new": 0.05, "valid": 0.15, "invited": 0.35, "visited": 0.60}
    )
    assert {source for _, source in chances.values()} == {"default"}


def test_b2b_has_its_own_defaults() -> None:
    chances = probabilities("b2b", stages("b2b"), {}, None)
    assert chances["negotiation"] == (0.6, "default") and chances["lead"] == (0.05, "default")


def test_enough_history_replaces_a_default_and_a_team_setting_beats_both() -> None:
    history = {"visited": StageHistory(closed=MIN_HISTORY, won=15),
               "invited": StageHistory(closed=MIN_HISTORY - 1, won=19)}  # fmt: skip
    chances = probabilities("store", STORE, history, {"new": 8})
    assert chances["visited"] == (0.75, "learnt")
    assert chances["invited"] == (0.35, "default")  # 19 closed leads are not enough
    assert chances["new"] == (0.08, "team")


def test_invited_and_visited_leads_close_this_month_the_earlier_ones_next_month() -> None:
    assert [closes_this_month(s, STORE) for s in STORE] == [False, False, True, True, False]
    b2b = stages("b2b")
    assert [s for s in b2b if closes_this_month(s, b2b)] == ["proposal", "negotiation"]


def test_expected_orders_and_revenue_are_probability_times_leads_times_average_deal() -> None:
    leads = [OpenLead(1, "a", "visited", "A"), OpenLead(2, "b", "visited", "B"),
             OpenLead(3, "c", "invited", "B"), OpenLead(4, "d", "new", "D"),
             OpenLead(5, "e", "valid", "C")]  # fmt: skip
    result = forecast(leads, STORE, probabilities("store", STORE, {}, None), 10_000)
    assert result.this_month.orders == pytest.approx(0.6 + 0.6 + 0.35)
    assert result.this_month.revenue == pytest.approx(15_500)
    assert result.next_month.orders == pytest.approx(0.05 + 0.15)
    assert result.next_month.revenue == pytest.approx(2_000)
    assert [w.lead.number for w in result.this_month.leads] == [1, 2, 3]


def test_the_goal_gap_counts_what_is_won_and_what_is_expected() -> None:
    assert goal_gap(10, 4, 1.55) == pytest.approx(4.45)
    assert goal_gap(3, 4, 1.0) == 0
    assert goal_gap(None, 4, 1.0) is None
