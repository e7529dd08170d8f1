import pytest

from assistant.domain import team_targets
from assistant.domain.team_settings import effective
from assistant.domain.team_targets import Change, TargetError, apply_change, parse_change


def test_rate_targets_are_read_in_both_languages_with_or_without_a_percent_sign() -> None:
    assert parse_change(["valid_rate", "75"]) == Change("targets", "valid_rate", 75)
    assert parse_change(["有效率", "75%"]) == Change("targets", "valid_rate", 75)
    assert parse_change(["进店成交率", "55"]) == Change("targets", "visit_deal", 55)


def test_grading_cadence_and_pipeline_changes_are_understood() -> None:
    assert parse_change(["grade", "a", "60"]) == Change("grading", "a_days", 60)
    assert parse_change(["cadence", "b", "2天"]) == Change("cadence", "B", 2)
    assert parse_change(["pipeline", "B2B"]) == Change("pipeline", "pipeline", "b2b")


def test_the_chat_app_and_phone_region_are_read_in_both_languages() -> None:
    assert parse_change(["messenger", "LINE"]) == Change("messenger", "messenger", "line")
    assert parse_change(["聊天工具", "WhatsApp"]) == Change("messenger", "messenger", "whatsapp")
    assert parse_change(["聊天工具", "微信"]) == Change("messenger", "messenger", "wechat")
    assert parse_change(["region", "tw"]) == Change("region", "phone_region", "TW")
    assert parse_change(["地区", "香港"]) == Change("region", "phone_region", "HK")
    assert parse_change(["region", "Hong", "Kong"]) == Change("region", "phone_region", "HK")
    # The added rate's target is one target, whichever app names it.
    assert parse_change(["加LINE率", "85"]) == Change("targets", "wechat_rate", 85)


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        (["messenger", "telegram"], "messenger"),
        (["messenger"], "messenger"),
        (["region", "JP"], "region"),
        (["valid_rate", "150"], "percent"),
        (["valid_rate", "lots"], "percent"),
        (["grade", "D", "400"], "grading"),
        (["cadence", "A", "0"], "cadence"),
        (["pipeline", "retail"], "pipeline"),
        (["speed", "9"], "usage"),
        ([], "usage"),
    ],
)
def test_bad_values_are_rejected_with_the_reason(words: list[str], reason: str) -> None:
    with pytest.raises(TargetError) as error:
        parse_change(words)
    assert error.value.reason == reason


def test_overrides_keep_only_what_differs_from_the_defaults() -> None:
    changed = apply_change({}, Change("targets", "valid_rate", 75))
    assert changed == {"targets": {"valid_rate": 75}}
    assert effective(changed)["targets"]["phone_rate"] == 80
    assert apply_change(changed, Change("targets", "valid_rate", 70)) == {}


def test_grading_thresholds_must_stay_in_order() -> None:
    with pytest.raises(TargetError) as error:
        apply_change({}, Change("grading", "a_days", 200))
    assert error.value.reason == "grading_order"
    assert apply_change({}, Change("grading", "a_days", 60)) == {"grading": {"a_days": 60}}


def test_reset_drops_every_override_but_keeps_other_settings() -> None:
    overrides = {"targets": {"valid_rate": 75}, "cadence": {"A": 2}, "activation_batch": 5}
    assert apply_change(overrides, Change("reset", "", None)) == {"activation_batch": 5}


def test_the_view_marks_changed_values() -> None:
    shown = team_targets.view({"targets": {"valid_rate": 75}})
    assert ("valid_rate", 75, False) in shown["targets"]
    assert ("phone_rate", 80, True) in shown["targets"]
