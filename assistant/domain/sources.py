"""Lead sources: one stored key per known channel, whatever language it was typed in.

A lead from 抖音 and one typed as `douyin` are the same channel, so both are stored as the
key "douyin" and counted together; each locale shows its own label (the i18n catalogues'
`sources` section, through `assistant.i18n.source_label`). A source we do not know is stored
exactly as typed and shown as typed.

Choices worth knowing:
- TikTok is its own channel, not Douyin: for a team in China a TikTok lead is an overseas one.
- Xiaohongshu and RedNote are one app; WeChat Moments (朋友圈) and Channels (视频号) are two.
- Short English words that also occur in ordinary sentences ("red", "moments", "fair", "web")
  count as a source only when they are the whole value (`/edit 3 source moments`, a CSV
  cell), never when found inside a free-text /add line.
"""

from __future__ import annotations

from typing import Final

REFERRAL: Final = "referral"

# key -> words found inside a free-text line (first the Chinese label, then the English one).
FOUND_IN_TEXT: Final[dict[str, tuple[str, ...]]] = {
    REFERRAL: ("转介绍", "老客户转介绍", "老客户介绍", "老客介绍", "朋友介绍", "介绍",
               "referral", "referred", "word of mouth"),
    "douyin": ("抖音", "douyin"),
    "tiktok": ("抖音国际版", "国际版抖音", "tiktok", "tik tok"),
    "baidu": ("百度", "baidu"),
    "xiaohongshu": ("小红书", "xiaohongshu", "rednote", "xhs"),
    "weibo": ("微博", "weibo"),
    "dianping": ("大众点评", "点评", "dianping"),
    "meituan": ("美团", "meituan"),
    "moments": ("朋友圈", "wechat moments"),
    "channels": ("视频号", "wechat channels"),
    "kuaishou": ("快手", "kuaishou"),
    "walk_in": ("进店", "自然进店", "到店咨询", "walk-in", "walkin", "walk in"),
    "expo": ("展会", "婚博会", "expo", "wedding fair", "trade show"),
    "website": ("官网", "网站", "website"),
}  # fmt: skip

# key -> further words accepted only as a whole value.
WHOLE_VALUE_ONLY: Final[dict[str, tuple[str, ...]]] = {
    REFERRAL: ("referrals", "推荐"),
    "xiaohongshu": ("red", "little red book"),
    "moments": ("moments", "wechat moment"),
    "channels": ("channels", "video channel", "wechat channel"),
    "walk_in": ("walk-ins",),
    "expo": ("fair", "exhibition", "trade fair"),
    "website": ("web", "homepage", "官方网站"),
}

KEYS: Final = tuple(FOUND_IN_TEXT)

_BY_WORD: Final[dict[str, str]] = {
    word: key
    for table in (FOUND_IN_TEXT, WHOLE_VALUE_ONLY)
    for key, words in table.items()
    for word in (key, key.replace("_", "-"), *words)
}


def _folded(text: str) -> str:
    return " ".join(text.strip().lower().split())


def known_source(text: str | None) -> str | None:
    """The key of a known source named by `text` (a key, a label or an alias), else None."""
    if not text:
        return None
    return _BY_WORD.get(_folded(text))


def source_key(text: str | None) -> str | None:
    """What to store for a typed source: its key when known, else the text as typed.

    `source_key("抖音") == source_key("Douyin") == "douyin"`; `source_key("朋友的朋友")` is
    "朋友的朋友"; empty text gives None.
    """
    if text is None or not text.strip():
        return None
    return known_source(text) or text.strip()


def is_referral(source: str | None) -> bool:
    return known_source(source) == REFERRAL


def find_source(lowered: str) -> tuple[int, int, str] | None:
    """The first known source word in lower-cased free text: (start, end, key), or None.

    Latin words count only as whole words; at one position the longest word wins.
    """
    best: tuple[int, int, str] | None = None
    for key, words in FOUND_IN_TEXT.items():
        for word in words:
            position = lowered.find(word)
            while position != -1:
                end = position + len(word)
                bounded = not word.isascii() or (
                    (position == 0 or not lowered[position - 1].isalnum())
                    and (end == len(lowered) or not lowered[end].isalnum())
                )
                if bounded:
                    if best is None or (position, -end) < (best[0], -best[1]):
                        best = (position, end, key)
                    break
                position = lowered.find(word, end)
    return best
