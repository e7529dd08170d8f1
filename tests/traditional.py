"""Whether a text reads as traditional Chinese: no character that only simplified text uses."""

from __future__ import annotations

import re

from assistant.i18n.hant import converter

# Characters that simplified and traditional share in these words only (漏斗 is a funnel in
# both scripts, while 斗 alone is simplified for 鬥).
SHARED_WORDS = ("漏斗",)
# 台 is how Taiwan itself writes 臺 every day (台北, 台灣), though OpenCC's standard is 臺.
EVERYDAY_TRADITIONAL = frozenset("台")
_CJK = re.compile(r"[\u3400-\u9fff]")


def simplified_characters(text: str) -> set[str]:
    """Characters OpenCC writes differently in Taiwan's standard and that are their own
    simplified form: 后, 们, 转 in a reply meant to be traditional."""
    for word in SHARED_WORDS:
        text = text.replace(word, "")
    to_traditional, to_simplified = converter("s2tw").convert, converter("t2s").convert
    return {
        char
        for char in set(_CJK.findall(text))
        if to_traditional(char) != char
        and to_simplified(char) == char
        and char not in EVERYDAY_TRADITIONAL
    }
