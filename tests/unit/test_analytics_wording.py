import pytest

from assistant.domain import funnel
from assistant.domain.pipeline import PIPELINES
from assistant.i18n import LOCALES, t
from assistant.render import Renderer


@pytest.mark.parametrize("locale", LOCALES)
def test_every_diagnosis_rule_has_causes_and_an_action_worded_in_each_language(
    locale: str,
) -> None:
    environment = Renderer()._environments[locale]
    advice = environment.get_template("analytics/_advice.html.j2").module
    for rule in funnel.RULES.values():
        assert all(advice.causes[cause] for cause in rule.causes)
        assert advice.actions[rule.action]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_stage_rate_and_layer_has_a_name_in_each_language(locale: str) -> None:
    for stages in PIPELINES.values():
        for stage in (*stages, "lost"):
            assert t(locale, f"analytics.stage.{stage}")
    for key in funnel.RATE_FORMULAS:
        assert t(locale, f"analytics.rate.{key}")
    for layer in (*funnel.LAYERS, "cost"):
        assert t(locale, f"analytics.layer.{layer}")
    for key, _, _ in funnel.LAYER_RATES:
        assert t(locale, f"analytics.layer_rate.{key}")
    assert (
        t(locale, "tasks.numbers")
        == {"zh-Hans": "数据", "en": "Numbers", "zh-Hant": "數據"}[locale]
    )
    for command in ("summary", "numbers", "goal", "chart"):
        assert t(locale, f"commands.{command}")
