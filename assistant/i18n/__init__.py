"""Locales and the catalogue of short strings (button labels, command descriptions)."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from assistant.domain.sources import known_source
from assistant.domain.timezones import utc_offset

DEFAULT_LOCALE = "zh-Hans"
LOCALES = ("zh-Hans", "en", "zh-Hant")
# Written by hand; zh-Hant is generated from zh-Hans (assistant/i18n/generate_hant.py).
WRITTEN_LOCALES = ("zh-Hans", "en")
_HERE = Path(__file__).parent
# Telegram language codes (IETF tags, lower case) written in traditional characters.
TRADITIONAL_CODES = frozenset({"zh-hant", "zh-tw", "zh-hk", "zh-mo"})
_CHOICES = {
    "zh-Hans": {"zh", "zh-hans", "zh-cn", "zh-sg", "cn", "中文", "chinese", "简体", "简体中文",
                "简中", "simplified"},
    "zh-Hant": {"zh-hant", "zh-tw", "zh-hk", "zh-mo", "tw", "hk", "繁体", "繁体中文", "繁中",
                "正体", "正体中文", "traditional"},
    "en": {"en", "english", "英文", "英语"},
}  # fmt: skip


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram language_code onto a supported locale (zh-TW, zh-Hant-HK: zh-Hant)."""
    if not code:
        return default
    lowered = code.strip().lower().replace("_", "-")
    if lowered.startswith("en"):
        return "en"
    if lowered.startswith("zh"):
        parts = lowered.split("-")
        if "hans" not in parts and any(f"zh-{part}" in TRADITIONAL_CODES for part in parts[1:]):
            return "zh-Hant"
        return "zh-Hans"
    if lowered in {"cn", "中文", "chinese"}:
        return "zh-Hans"
    return default


def parse_locale_choice(text: str) -> str | None:
    """What /lang accepts: zh / 简体, 繁體 / zh-Hant / zh-TW, en / english (either script)."""
    from assistant.i18n.hant import to_simplified

    lowered = to_simplified(" ".join(text.split()).lower().replace("_", "-"))
    for locale, choices in _CHOICES.items():
        if lowered in choices:
            return locale
    return None


class _NamesOnly(string.Formatter):
    """str.format for catalogue strings: `{name}` fields only. A value is inserted as it is
    (braces in it are never read), and no field can reach an attribute or an item."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return kwargs[field_name], field_name


_FORMATTER = _NamesOnly()


@cache
def catalogue(locale: str) -> dict[str, Any]:
    """The locale's whole catalogue (the default locale's for an unknown one)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    with (_HERE / f"{locale}.yaml").open(encoding="utf-8") as file:
        data: dict[str, Any] = yaml.safe_load(file)
    return data


def t(locale: str, key: str, **values: Any) -> str:
    """A short string from the catalogue, e.g. t('en', 'button.done')."""
    text = _entry(locale, key)
    return _FORMATTER.vformat(text, (), values) if values else text


@cache
def _entry(locale: str, key: str) -> str:
    node: Any = catalogue(locale)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{locale}:{key}")
        node = node[part]
    return str(node)


def source_label(source: str | None, locale: str) -> str:
    """How a stored lead source reads in a locale: a known key's label, else the text as typed.

    Stored values from before sources had keys (抖音, walk-in) read as their key's label too.
    """
    if not source:
        return ""
    labels: dict[str, str] = catalogue(locale if locale in LOCALES else DEFAULT_LOCALE)["sources"]
    return labels.get(known_source(source) or source, source)


def zone_label(zone: str, locale: str, at: datetime) -> str:
    """How a time zone reads: 'Asia/Shanghai (UTC+8)' in English, '北京（UTC+8）' in Chinese (a
    zone with no Chinese city name, like a bare offset, reads as its offset alone)."""
    offset = utc_offset(zone, at)
    if zone == "UTC" or zone.startswith("Etc/"):
        return offset
    if locale == "en":
        return f"{zone} ({offset})"
    city = catalogue(locale).get("zones", {}).get(zone)
    return f"{city}（{offset}）" if city else offset
