from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain import funnel
from assistant.domain.funnel import (
    EventRow,
    Marketing,
    PeriodCounts,
    Step,
    biggest_drop,
    click_visit_flagged,
    count_events,
    diagnose,
    effort_mix,
    format_percent,
    layer_rates,
    pace,
    percent,
    rate_checks,
    reverse_plan,
    steps,
)
from assistant.domain.team_settings import effective

TARGETS = effective({})["targets"]
START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_stage_conversion_of_1000_to_600_is_60_percent() -> None:
    step = Step("new", "valid", 1000, 600)
    assert step.rate == 60.0
    assert format_percent(step.rate) == "60.0%"
    assert step.loss == 400


def test_zero_denominators_show_a_dash_never_zero_or_an_error() -> None:
    assert percent(5, 0) is None
    assert format_percent(percent(0, 0)) == "—"
    assert Step("new", "valid", 0, 0).rate is None
    checks = rate_checks(PeriodCounts(pipeline="store"), TARGETS)
    assert all(check.value is None and check.status == "none" for check in checks)
    assert diagnose(checks, None, Marketing()) is None


def test_the_rate_table_compares_each_rate_with_the_team_target() -> None:
    counts = PeriodCounts(
        pipeline="store",
        created=100,
        phone=85,
        wechat=80,
        reached={"valid": 70, "invited": 50, "visited": 35, "won": 20},
        a_won=7,
        a_lost=3,
    )
    checks = {check.key: check for check in rate_checks(counts, TARGETS)}
    assert [(k, round(c.value or 0, 1), c.target, c.status) for k, c in checks.items()] == [
        ("valid_rate", 70.0, 70, "above"),
        ("phone_rate", 85.0, 80, "above"),
        ("wechat_rate", 80.0, 90, "below"),
        ("valid_to_visit", 50.0, 60, "below"),
        ("visit_deal", 57.1, 50, "above"),
        ("a_conversion", 70.0, 70, "above"),
    ]


def test_team_overrides_change_the_targets_a_rate_is_judged_by() -> None:
    counts = PeriodCounts(pipeline="store", created=10, reached={"valid": 6})
    targets = effective({"targets": {"valid_rate": 50}})["targets"]
    assert rate_checks(counts, targets)[0].status == "above"
    assert rate_checks(counts, TARGETS)[0].status == "below"


def test_the_biggest_drop_off_is_the_largest_absolute_loss_between_stages() -> None:
    counts = {"new": 100, "valid": 80, "invited": 30, "visited": 20, "won": 5}
    all_steps = steps(("new", "valid", "invited", "visited", "won"), counts)
    drop = biggest_drop(all_steps)
    assert drop is not None and (drop.source, drop.target, drop.loss) == ("valid", "invited", 50)
    assert biggest_drop(steps(("new", "valid"), {"new": 0, "valid": 0})) is None


def test_the_five_layer_example_gives_the_four_rates() -> None:
    marketing = Marketing(impressions=12000, clicks=360, visits=270, consultations=27, orders=3)
    rates = {rate.key: format_percent(rate.value) for rate in layer_rates(marketing)}
    assert rates == {
        "ctr": "3.0%",
        "visit_rate": "75.0%",
        "consult_rate": "10.0%",
        "order_rate": "11.1%",
    }
    assert not click_visit_flagged(marketing)  # a 25% loss is normal


def test_a_click_to_visit_loss_above_30_percent_is_flagged() -> None:
    assert click_visit_flagged(Marketing(clicks=100, visits=69))
    assert not click_visit_flagged(Marketing(clicks=100, visits=70))
    assert not click_visit_flagged(Marketing(clicks=0, visits=0))
    weak = Marketing(impressions=1000, clicks=100, visits=50)
    found = diagnose([], None, weak)
    assert found is not None and found.rule.key == "visit_rate"
    assert found.rule.causes == ("page_speed", "page_relevance")


def test_missing_layers_give_dashes_for_the_rates_that_need_them() -> None:
    rates = {r.key: format_percent(r.value) for r in layer_rates(Marketing(clicks=10, visits=8))}
    assert rates == {"ctr": "—", "visit_rate": "80.0%", "consult_rate": "—", "order_rate": "—"}


def test_diagnosis_picks_the_rate_furthest_below_target() -> None:
    counts = PeriodCounts(
        pipeline="store",
        created=100,
        phone=40,
        wechat=88,
        reached={"valid": 68, "visited": 40, "won": 20},
    )
    found = diagnose(rate_checks(counts, TARGETS), None)
    assert found is not None
    assert (found.reason, found.subject) == ("target", "phone_rate")
    assert found.rule.causes == ("opening_scripts", "first_reply")
    assert found.rule.action == "reply_within_hour"


def test_low_valid_to_visit_points_at_invitations_and_lost_visit_reasons() -> None:
    counts = PeriodCounts(
        pipeline="store",
        created=10,
        phone=10,
        wechat=10,
        reached={"valid": 10, "visited": 2, "won": 1},
    )
    found = diagnose(rate_checks(counts, TARGETS), None)
    assert found is not None and found.rule.key == "valid_to_visit"
    assert "lost_visits" in found.rule.causes


def test_when_every_rate_meets_target_the_biggest_drop_is_explained() -> None:
    drop = Step("visited", "won", 10, 6)
    found = diagnose([], drop)
    assert found is not None and (found.reason, found.rule.key) == ("drop", "visit_deal")


def test_every_rule_has_causes_and_one_action() -> None:
    for key, rule in funnel.RULES.items():
        assert rule.key == key and rule.causes and rule.action
    assert set(funnel.STEP_RULES.values()) <= set(funnel.RULES)


def test_reverse_formula_worked_example_rounds_up_at_every_step() -> None:
    plan = reverse_plan(20, visit_deal=50, valid_to_visit=60, valid_rate=70)
    assert plan is not None
    assert (plan.visits, plan.valid, plan.raw) == (40, 67, 96)


def test_reverse_formula_is_exact_with_float_targets_and_refuses_zero_rates() -> None:
    plan = reverse_plan(10, visit_deal=50.0, valid_to_visit=100.0, valid_rate=100.0)
    assert plan is not None and (plan.visits, plan.valid, plan.raw) == (20, 20, 20)
    assert reverse_plan(20, visit_deal=0, valid_to_visit=60, valid_rate=70) is None


@given(
    st.integers(1, 500),
    st.integers(1, 100),
    st.integers(1, 100),
    st.integers(1, 100),
)
def test_reverse_formula_never_plans_too_few_leads(orders: int, a: int, b: int, c: int) -> None:
    plan = reverse_plan(orders, visit_deal=a, valid_to_visit=b, valid_rate=c)
    assert plan is not None
    visits = Fraction(orders * 100, a)
    valid = visits * 100 / b
    assert plan.visits - 1 < visits <= plan.visits
    assert plan.valid - 1 < valid <= plan.valid  # rounding is not compounded
    assert plan.raw - 1 < valid * 100 / c <= plan.raw
    assert plan.raw >= plan.valid >= plan.visits >= orders


def test_own_rates_are_used_only_when_every_stage_has_twenty_leads_of_history() -> None:
    rich = PeriodCounts(
        pipeline="store", created=40, reached={"valid": 30, "visited": 20, "won": 8}
    )
    used = {rate.key: rate for rate in funnel.goal_rates(rich, TARGETS)}
    assert used["visit_deal"].own and used["visit_deal"].value == 40
    assert used["valid_to_visit"].own and used["valid_to_visit"].value == Fraction(200, 3)
    assert used["valid_rate"].own and used["valid_rate"].value == 75
    thin = PeriodCounts(
        pipeline="store", created=40, reached={"valid": 30, "visited": 19, "won": 8}
    )
    used = {rate.key: rate for rate in funnel.goal_rates(thin, TARGETS)}
    assert not any(rate.own for rate in used.values())  # one thin stage: all team targets
    assert [used[k].value for k in ("visit_deal", "valid_to_visit", "valid_rate")] == [50, 60, 70]


def test_pace_says_done_expected_and_needed_per_remaining_working_day() -> None:
    # February 2027 with Monday-Thursday working days: 16 of them; the 15th is a Monday.
    today = date(2027, 2, 15)
    current = pace(20, 7, today=today, work_days="1234")
    assert current.total_days == 16
    assert current.remaining_days == 8
    assert current.expected == 10.0
    assert current.left == 13
    assert current.per_day_needed == pytest.approx(13 / 8)
    assert current.behind_percent == pytest.approx(30.0)


def test_pace_in_a_mon_to_fri_month_counts_only_working_days() -> None:
    current = pace(20, 7, today=date(2026, 11, 25), work_days="12345")
    assert (current.total_days, current.remaining_days) == (21, 4)  # 25, 26, 27 and Mon 30
    assert current.expected == pytest.approx(20 * 17 / 21)
    assert current.per_day_needed == pytest.approx(13 / 4)


def test_goal_reached_needs_nothing_more_and_the_last_day_has_no_division() -> None:
    assert pace(5, 6, today=date(2026, 11, 30), work_days="12345").per_day_needed == 0
    last = pace(5, 2, today=date(2026, 11, 30), work_days="12345")  # the last Monday
    assert (last.remaining_days, last.per_day_needed) == (1, 3.0)
    over = pace(5, 2, today=date(2026, 10, 31), work_days="12345")  # a Saturday, month over
    assert (over.remaining_days, over.per_day_needed) == (0, None)


def test_milestones_fire_once_when_crossed() -> None:
    assert funnel.milestones_crossed(20, 9, 10) == [50]
    assert funnel.milestones_crossed(20, 10, 11) == []
    assert funnel.milestones_crossed(20, 17, 20) == [90, 100]


def test_breakdown_per_week_and_working_day() -> None:
    split = funnel.breakdown(96, month_day=date(2026, 11, 1), work_days="12345")
    assert split.per_day == pytest.approx(96 / 21)
    assert split.per_week == pytest.approx(96 * 5 / 21)


def test_effort_mix_compares_contacts_with_60_25_10_5() -> None:
    shares = {share.grade: share for share in effort_mix({"A": 3, "B": 1, "D": 6})}
    assert shares["D"].share == 60.0 and shares["D"].gap == 55.0
    assert shares["C"].share == 0.0
    worst = funnel.most_off_mix(list(shares.values()))
    assert worst is not None and worst.grade == "D"
    assert all(share.share is None for share in effort_mix({}))


def test_text_bars_are_proportional_and_empty_for_nothing() -> None:
    assert funnel.text_bar(10, 10, width=5) == "█████"
    assert funnel.text_bar(5, 10, width=5) == "██▌"
    assert funnel.text_bar(0, 10) == ""
    assert funnel.text_bar(1, 1000) == "▏"


# ---------------------------------------------------------------- counting events


def test_counting_events_gives_each_lead_once_per_stage_and_passes_skipped_stages() -> None:
    rows = [
        EventRow(1, "created", at(2), None, "new", {"grade": "A"}),
        EventRow(2, "created", at(2), None, "new", {"grade": "B"}),
        EventRow(1, "contact", at(3), payload={"grade": "A"}),
        EventRow(1, "contact", at(4), payload={"grade": "A"}),
        EventRow(2, "contact", at(4), payload={"grade": "B"}),
        EventRow(1, "phone", at(3), None, "1"),
        EventRow(2, "wechat", at(3), None, "1"),
        EventRow(1, "stage", at(5), "new", "visited"),
        EventRow(1, "stage", at(8), "visited", "won", {"amount": 8800}),
        EventRow(2, "stage", at(6), "new", "valid"),
        EventRow(2, "stage", at(9), "valid", "lost", {"reason": "价格太高"}),
        EventRow(3, "stage", datetime(2026, 12, 1, tzinfo=UTC), "new", "valid"),  # outside
    ]
    counts = count_events(rows, pipeline="store", start=START, end=END, history=rows)
    assert counts.stage_counts() == {"new": 2, "valid": 2, "invited": 1, "visited": 1, "won": 1}
    assert (counts.contacted, counts.contacts, counts.phone, counts.wechat) == (2, 3, 1, 1)
    assert (counts.lost, counts.revenue, counts.a_won, counts.a_lost) == (1, 8800.0, 1, 0)
    assert counts.lost_reasons == (("价格太高", 1),)
    assert counts.stage_days == {"new": pytest.approx(3.5), "visited": 3.0, "valid": 3.0}
    assert counts.contact_grades == {"A": 2, "B": 1}


def test_the_grade_at_closing_time_decides_a_lead_conversion() -> None:
    history = [
        EventRow(1, "created", at(1), None, "new", {"grade": "B"}),
        EventRow(1, "grade", at(2), "B", "A", {"manual": True}),
        EventRow(1, "stage", at(3), "new", "lost", {"reason": "联系不上"}),
        EventRow(2, "created", at(1), None, "new", {"grade": "A"}),
        EventRow(2, "grade", at(2), "A", "C", {"auto": True}),
        EventRow(2, "stage", at(3), "new", "lost", {}),
    ]
    counts = count_events(history, pipeline="store", start=START, end=END, history=history)
    assert (counts.a_won, counts.a_lost, counts.lost) == (0, 1, 2)
    assert counts.lost_reasons == (("联系不上", 1),)


def test_b2b_counts_use_its_own_stages() -> None:
    rows = [
        EventRow(1, "created", at(2), None, "lead"),
        EventRow(1, "stage", at(3), "lead", "needs"),
        EventRow(1, "stage", at(4), "needs", "won", {"amount": "12000"}),
    ]
    counts = count_events(rows, pipeline="b2b", start=START, end=END, history=rows)
    assert counts.stage_counts() == {
        "lead": 1,
        "qualified": 1,
        "needs": 1,
        "proposal": 1,
        "negotiation": 1,
        "won": 1,
    }
    assert counts.revenue == 12000.0
    assert [check.key for check in rate_checks(counts, TARGETS)] == ["a_conversion"]


def test_an_empty_period_counts_nothing() -> None:
    counts = count_events([], pipeline="store", start=START, end=END)
    assert counts.stage_counts() == {"new": 0, "valid": 0, "invited": 0, "visited": 0, "won": 0}
    assert counts.lost_reasons == () and counts.stage_days == {}


def test_bad_amounts_never_break_revenue() -> None:
    rows = [
        EventRow(1, "stage", at(3), "visited", "won", {"amount": "lots"}),
        EventRow(2, "stage", at(3), "visited", "won", {}),
    ]
    counts = count_events(rows, pipeline="store", start=START, end=END)
    assert counts.revenue == 0.0 and counts.won == 2


def test_sums_of_marketing_days_keep_unknown_layers_unknown() -> None:
    total = funnel.sum_marketing(
        [Marketing(impressions=100, clicks=5), Marketing(impressions=50, cost=20.5)]
    )
    assert total == Marketing(impressions=150, clicks=5, cost=20.5)
    assert funnel.cost_per(total, "clicks") == pytest.approx(4.1)
    assert funnel.cost_per(total, "orders") is None


def test_the_behind_pace_warning_needs_five_days_left_and_more_than_20_percent() -> None:
    six_left = pace(20, 5, today=date(2026, 11, 23), work_days="12345")
    assert six_left.remaining_days == 6 and not funnel.behind_pace_alert(six_left)
    five_left = pace(20, 5, today=date(2026, 11, 23) + timedelta(days=1), work_days="12345")
    assert five_left.remaining_days == 5
    assert funnel.behind_pace_alert(five_left)
    assert not funnel.behind_pace_alert(pace(20, 15, today=date(2026, 11, 24), work_days="12345"))


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(-(10**9), 10**12))
def test_a_rate_of_counts_is_the_exact_quotient_rounded_once(
    numerator: int, denominator: int
) -> None:
    # percent's shortcut for int counts gives the float of the exact Fraction, bit for bit.
    exact = None if denominator == 0 else float(Fraction(numerator) * 100 / Fraction(denominator))
    found = percent(numerator, denominator)
    assert found == exact and str(found) == str(exact)
