"""Picking scripts: stage, grade, situation and last outcome; crediting uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.domain import lead_lines
from assistant.domain import scripts as domain
from assistant.domain.scripts import LeadFacts, Script, StageMove, Use

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def script(
    sid: str,
    situation: str,
    stages: tuple[str, ...],
    grades: tuple[str, ...] = ("A",),
    **extra: object,
) -> Script:
    return Script(
        id=sid,
        situation=situation,
        stages=stages,
        grades=grades,
        text="x?",
        why="w",
        locale="en",
        **extra,
    )  # type: ignore[arg-type]


def facts(stage: str, grade: str, **changes: object) -> LeadFacts:
    base: dict[str, object] = dict(
        pipeline="store",
        stage=stage,
        grade=grade,
        has_event_date=True,
        contacted=True,
        days_since_contact=1,
    )
    base.update(changes)
    return LeadFacts(**base)  # type: ignore[arg-type]


def test_b_leads_in_valid_get_the_dream_first() -> None:
    assert lead_lines.situations_for(facts("valid", "B"))[0] == "dream"


def test_c_and_d_leads_get_brand_chat_and_light_touches() -> None:
    assert lead_lines.situations_for(facts("valid", "C"))[0] == "brand"
    assert lead_lines.situations_for(facts("valid", "D"))[0] == "light_touch"


def test_a_price_complaint_in_the_last_note_puts_the_price_answer_first() -> None:
    found = lead_lines.situations_for(facts("visited", "A", last_note="客户说太贵了"))
    assert found[0] == "too_expensive"
    assert (
        lead_lines.situations_for(facts("invited", "B", last_note="needs to ask her partner"))[0]
        == "partner_decides"
    )


def test_a_lead_untouched_for_a_week_is_reactivated_and_a_fresh_one_opened() -> None:
    assert lead_lines.situations_for(facts("valid", "B", days_since_contact=9))[0] == "reactivation"
    assert (
        lead_lines.situations_for(facts("new", "A", contacted=False, days_since_contact=None))[0]
        == "opening"
    )


def test_won_and_lost_leads_get_after_sale_and_win_back() -> None:
    assert lead_lines.situations_for(facts("won", "A")) == ["after_sale", "referral"]
    assert lead_lines.situations_for(facts("lost", "C"))[0] == "lost_reactivation"


def test_ranking_needs_the_stage_prefers_the_grade_and_team_words() -> None:
    scripts = [
        script("lib-b", "dream", ("valid",), ("B",)),
        script("lib-a", "dream", ("valid",), ("A",)),
        script("other-stage", "dream", ("visited",), ("B",)),
        script("t1", "dream", ("valid",), ("B",), team=True),
    ]
    ranked = domain.rank(scripts, stage="valid", grade="B", situations=["dream"])
    assert [s.id for s in ranked] == ["t1", "lib-b", "lib-a"]


def test_scripts_that_need_a_date_are_skipped_for_leads_without_one() -> None:
    dated = script("dated", "dream", ("valid",), placeholders=frozenset({"event_date"}))
    plain = script("plain", "dream", ("valid",))
    ranked = domain.rank([dated, plain], stage="valid", has_event_date=False)
    assert [s.id for s in ranked] == ["plain"]


def test_situation_words_work_in_both_languages() -> None:
    assert domain.situation_for_word("太贵") == "too_expensive"
    assert domain.situation_for_word("Expensive") == "too_expensive"
    assert domain.situation_for_word("他说要跟老公商量") == "partner_decides"
    assert domain.situation_for_word("after-sale") == "after_sale"
    assert domain.situation_for_word("banana") is None
    assert domain.stage_for_word("已到店", "store") == "visited"
    assert domain.stage_for_word("negotiation", "b2b") == "negotiation"


def test_a_stage_move_within_seven_days_credits_the_latest_use_only() -> None:
    uses = [
        Use(1, 10, "a", T0),
        Use(2, 10, "b", T0 + timedelta(days=2)),
        Use(3, 11, "a", T0),
        Use(4, 12, "a", T0),
    ]
    moves = [
        StageMove(10, "invited", T0 + timedelta(days=3)),
        StageMove(11, "invited", T0 + timedelta(days=8)),  # too late
        StageMove(12, "lost", T0 + timedelta(days=1)),  # not a conversion
    ]
    credited = domain.credited_uses(uses, moves)
    assert credited == {2}
    stats = domain.summarize(uses, credited)
    assert stats["a"].uses == 3 and stats["a"].credited == 0
    assert stats["b"].rate == 1.0


def test_a_move_before_the_use_does_not_count() -> None:
    uses = [Use(1, 10, "a", T0)]
    assert domain.credited_uses(uses, [StageMove(10, "valid", T0 - timedelta(hours=1))]) == set()


def test_team_script_ids_round_trip() -> None:
    assert domain.team_script_id(12) == "t12"
    assert domain.parse_team_script_id("t12") == 12
    assert domain.parse_team_script_id("#12") == 12
    assert domain.parse_team_script_id("x12") is None


def test_a_script_sent_to_the_lead_lately_drops_behind_fresh_ones() -> None:
    scripts = [script("a", "dream", ("valid",), ("B",)), script("b", "dream", ("valid",))]
    ranked = domain.rank(scripts, stage="valid", grade="B", situations=["dream"], recent={"a"})
    assert [s.id for s in ranked] == ["b", "a"]


def test_a_script_that_has_proven_itself_moves_up_among_equals() -> None:
    scripts = [script("a", "dream", ("valid",)), script("b", "dream", ("valid",))]
    stats = {"a": domain.UseStats(uses=5, credited=0), "b": domain.UseStats(uses=4, credited=3)}
    ranked = domain.rank(scripts, stage="valid", situations=["dream"], stats=stats)
    assert [s.id for s in ranked] == ["b", "a"]
    few = {"b": domain.UseStats(uses=2, credited=2)}  # too few uses to judge
    assert [s.id for s in domain.rank(scripts, stage="valid", stats=few)] == ["a", "b"]


def test_a_one_line_team_script_with_only_commas_before_the_bar_asks_for_the_format() -> None:
    import pytest

    from assistant.services.errors import UserError
    from assistant.services.scripts import parse_one_line

    with pytest.raises(UserError) as error:
        parse_one_line(",|0", pipeline="store")
    assert error.value.key == "script_add_format"
