"""Team-wide numbers with their PRODUCT.md defaults; Team.settings stores only overrides.

Keys (all optional in Team.settings):
- "targets": rate targets in percent (section 3.1)
- "grading": day thresholds for grades A/B/C (section 2.2)
- "cadence": follow-up days per grade after a contact (section 5.1)
- "activation_batch": leads per activation batch (section 5.4)
- "lost_reasons": the team's list of common lost reasons, per locale (default: the catalogue's)
"""

from __future__ import annotations

from typing import Any, Final

DEFAULTS: Final[dict[str, Any]] = {
    "targets": {
        "valid_rate": 70,
        "phone_rate": 80,
        "wechat_rate": 90,
        "valid_to_visit": 60,
        "visit_deal": 50,
        "a_conversion": 70,
    },
    "grading": {"a_days": 90, "b_days": 180, "c_days": 365},
    "cadence": {"A": 1, "B": 3, "C": 7, "D": 14},
    "activation_batch": 10,
    "lost_reasons": {},
}  # fmt: skip


def _copied(value: Any) -> Any:
    """A deep copy of JSON-like data, a few times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def effective(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults with the team's overrides laid over them, one level deep."""
    merged: dict[str, Any] = _copied(DEFAULTS)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged
