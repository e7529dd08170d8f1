"""Catalogue strings are the format; a person's words are only ever values put into them."""

from __future__ import annotations

from typing import Any

import pytest

from assistant import i18n
from assistant.i18n import t


def test_braces_in_a_value_are_shown_as_typed() -> None:
    label = t("zh-Hans", "lead_buttons.merge", number="{0.__class__} {number} {{x}}")
    assert label == "🔗 合并到 #{0.__class__} {number} {{x}}"


def test_a_catalogue_field_cannot_reach_an_attribute_or_an_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strings: dict[str, Any] = {"probe": {"attr": "{name.__class__}", "item": "{name[0]}"}}
    monkeypatch.setattr(i18n, "catalogue", lambda locale: strings)
    for key in ("probe.attr", "probe.item"):
        with pytest.raises(KeyError):
            t("en", key, name="Ann")
