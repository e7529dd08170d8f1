"""The chat app a team's clients use and the region its phone numbers are read in.

Mainland China chats on WeChat, Taiwan on LINE, Hong Kong on WhatsApp. A team picks one: it is
the app a lead's chat id is taken for when nothing says otherwise, and the app its "added" rate
is named after. Each lead keeps the app its own id belongs to.
"""

from __future__ import annotations

from typing import Final

WECHAT: Final = "wechat"
LINE: Final = "line"
WHATSAPP: Final = "whatsapp"
MESSENGERS: Final = (WECHAT, LINE, WHATSAPP)
DEFAULT_MESSENGER: Final = WECHAT

# Where a number typed without +country is read: mainland China, Taiwan, Hong Kong, Macau.
REGIONS: Final = ("CN", "TW", "HK", "MO")
DEFAULT_REGION: Final = "CN"

# What people type for each app in `/targets messenger …`, read as simplified and lower case.
MESSENGER_WORDS: Final[dict[str, str]] = {
    "wechat": WECHAT, "weixin": WECHAT, "wx": WECHAT, "微信": WECHAT,
    "line": LINE, "赖": LINE, "连我": LINE,
    "whatsapp": WHATSAPP, "whats app": WHATSAPP, "wa": WHATSAPP, "ws": WHATSAPP,
}  # fmt: skip
REGION_WORDS: Final[dict[str, str]] = {
    "cn": "CN", "china": "CN", "mainland": "CN", "中国": "CN", "大陆": "CN", "内地": "CN",
    "tw": "TW", "taiwan": "TW", "台湾": "TW",
    "hk": "HK", "hong kong": "HK", "hongkong": "HK", "香港": "HK",
    "mo": "MO", "macau": "MO", "macao": "MO", "澳门": "MO",
}  # fmt: skip


def messenger_of(text: str) -> str | None:
    """The app a word names (`LINE`, `微信`, `WhatsApp`), else None."""
    return MESSENGER_WORDS.get(" ".join(text.split()).casefold())


def region_of(text: str) -> str | None:
    """The phone region a word names (`TW`, `台湾`, `Hong Kong`), else None."""
    return REGION_WORDS.get(" ".join(text.split()).casefold())


def known_messenger(value: str | None) -> str:
    """A stored app name, or the default for a value this version does not know."""
    return value if value in MESSENGERS else DEFAULT_MESSENGER
