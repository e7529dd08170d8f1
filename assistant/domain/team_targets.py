"""Reading `/targets <what> <value>` and laying the change over a team's settings overrides.

Pure: no I/O. Team.settings keeps only what differs from team_settings.DEFAULTS, so a value set
back to its default disappears from the overrides.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, Final

from assistant.domain.messengers import messenger_of, region_of
from assistant.domain.pipeline import PIPELINES
from assistant.domain.team_settings import DEFAULTS, effective

TARGET_WORDS: Final[dict[str, str]] = {
    "valid_rate": "valid_rate", "valid": "valid_rate", "有效率": "valid_rate",
    "phone_rate": "phone_rate", "phone": "phone_rate", "转电话率": "phone_rate",
    "wechat_rate": "wechat_rate", "wechat": "wechat_rate", "转微信率": "wechat_rate",
    # The added rate is named after the team's app: 加LINE率 and 加WhatsApp率 are the same target.
    "line_rate": "wechat_rate", "加line率": "wechat_rate", "whatsapp_rate": "wechat_rate",
    "加whatsapp率": "wechat_rate",
    "valid_to_visit": "valid_to_visit", "visit": "valid_to_visit",
    "有效转进店率": "valid_to_visit", "进店率": "valid_to_visit",
    "visit_deal": "visit_deal", "deal": "visit_deal", "进店成交率": "visit_deal",
    "成交率": "visit_deal",
    "a_conversion": "a_conversion", "a": "a_conversion", "a转化率": "a_conversion",
    "a转换率": "a_conversion",  # Taiwan's word (zh-Hant replies say A轉換率)
}  # fmt: skip
GRADING_WORDS: Final[dict[str, str]] = {
    "grade": "grading",
    "grading": "grading",
    "评级": "grading",
    "分级": "grading",
}
CADENCE_WORDS: Final[dict[str, str]] = {
    "cadence": "cadence",
    "followup": "cadence",
    "跟进": "cadence",
    "跟进周期": "cadence",
}
PIPELINE_WORDS: Final[dict[str, str]] = {
    "pipeline": "pipeline",
    "流程": "pipeline",
    "模板": "pipeline",
}
# A pipeline by its key or its Chinese name (门店 = store, 企业 = b2b).
PIPELINE_NAMES: Final[dict[str, str]] = {
    **{name: name for name in PIPELINES}, "门店": "store", "企业": "b2b", "长周期": "b2b",
}  # fmt: skip
MESSENGER_SETTING_WORDS: Final = frozenset({"messenger", "chat", "app", "聊天工具", "通讯软件"})
REGION_SETTING_WORDS: Final = frozenset({"region", "地区", "区号", "phone_region"})
RESET_WORDS: Final = frozenset({"reset", "重置", "恢复默认"})
GRADE_KEYS: Final[dict[str, str]] = {"a": "a_days", "b": "b_days", "c": "c_days"}
CADENCE_GRADES: Final = ("A", "B", "C", "D")
MAX_GRADE_DAYS: Final = 3650
MAX_CADENCE_DAYS: Final = 90


class TargetError(ValueError):
    """What went wrong, as a template key suffix, with the text that was typed."""

    def __init__(self, reason: str, given: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.given = given


@dataclass(frozen=True)
class Change:
    section: str  # targets | grading | cadence | pipeline | messenger | region | reset
    key: str
    value: Any


def _whole(text: str, *, low: int, high: int, reason: str) -> int:
    cleaned = text.strip().removesuffix("%").removesuffix("天").removesuffix("d").strip()
    if not cleaned.isdecimal() or not low <= int(cleaned) <= high:
        raise TargetError(reason, text)
    return int(cleaned)


def parse_change(words: Sequence[str]) -> Change:
    """`valid_rate 75`, `有效率 75%`, `grade A 60`, `cadence B 2`, `pipeline b2b`,
    `messenger line`, `region TW`, `reset`."""
    if not words:
        raise TargetError("usage")
    head = words[0].strip().casefold()
    rest = list(words[1:])
    if head in RESET_WORDS:
        return Change("reset", "", None)
    if head in TARGET_WORDS:
        if len(rest) != 1:
            raise TargetError("percent", " ".join(rest))
        value = _whole(rest[0], low=1, high=100, reason="percent")
        return Change("targets", TARGET_WORDS[head], value)
    if head in GRADING_WORDS:
        if len(rest) != 2 or rest[0].casefold() not in GRADE_KEYS:
            raise TargetError("grading", " ".join(rest))
        days = _whole(rest[1], low=1, high=MAX_GRADE_DAYS, reason="grading")
        return Change("grading", GRADE_KEYS[rest[0].casefold()], days)
    if head in CADENCE_WORDS:
        if len(rest) != 2 or rest[0].upper() not in CADENCE_GRADES:
            raise TargetError("cadence", " ".join(rest))
        days = _whole(rest[1], low=1, high=MAX_CADENCE_DAYS, reason="cadence")
        return Change("cadence", rest[0].upper(), days)
    if head in PIPELINE_WORDS:
        chosen = PIPELINE_NAMES.get(rest[0].casefold()) if len(rest) == 1 else None
        if chosen is None:
            raise TargetError("pipeline", " ".join(rest))
        return Change("pipeline", "pipeline", chosen)
    if head in MESSENGER_SETTING_WORDS:
        app = messenger_of(" ".join(rest)) if rest else None
        if app is None:
            raise TargetError("messenger", " ".join(rest))
        return Change("messenger", "messenger", app)
    if head in REGION_SETTING_WORDS:
        region = region_of(" ".join(rest)) if rest else None
        if region is None:
            raise TargetError("region", " ".join(rest))
        return Change("region", "phone_region", region)
    raise TargetError("usage", words[0])


def apply_change(overrides: dict[str, Any] | None, change: Change) -> dict[str, Any]:
    """New overrides with the change laid in; grading thresholds must stay in order A < B < C."""
    result = deepcopy(overrides or {})
    if change.section == "reset":
        for name in ("targets", "grading", "cadence"):
            result.pop(name, None)
        return result
    if change.section not in ("targets", "grading", "cadence"):
        raise TargetError("usage", change.section)
    section: dict[str, Any] = dict(result.get(change.section) or {})
    section[change.key] = change.value
    if change.section == "grading":
        merged = {**DEFAULTS["grading"], **section}
        if not merged["a_days"] < merged["b_days"] < merged["c_days"]:
            raise TargetError("grading_order", str(change.value))
    defaults: dict[str, Any] = DEFAULTS[change.section]
    section = {key: value for key, value in section.items() if defaults.get(key) != value}
    if section:
        result[change.section] = section
    else:
        result.pop(change.section, None)
    return result


def view(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The effective targets, grading and cadence, each value marked when it is the default."""
    merged = effective(overrides)
    shown: dict[str, Any] = {}
    for name in ("targets", "grading", "cadence"):
        defaults: dict[str, Any] = DEFAULTS[name]
        shown[name] = [
            (key, value, value == defaults.get(key)) for key, value in merged[name].items()
        ]
    return shown
