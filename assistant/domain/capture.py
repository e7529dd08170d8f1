"""Fast capture: one line of free text -> a lead draft (PRODUCT.md 2.3).

`/add 王女士 13800138000 婚期 明年5月 转介绍` gives name 王女士, phone +86 138 0013 8000,
event date May 1 next year, source "referral" (转介绍) and strong intent.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Final

import phonenumbers

from assistant.domain.dates import DateParseError, find_date, prepare
from assistant.domain.messengers import DEFAULT_REGION, LINE, WECHAT, WHATSAPP
from assistant.domain.sources import find_source, is_referral, source_key

NAME_LIMIT: Final = 64
TEXT_LIMIT: Final = 1000
WECHAT_RE: Final = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}|\+?\d{5,20}")
LINE_RE: Final = re.compile(r"[a-z0-9._-]{4,20}")  # LINE ids are lower case; @ marks official

INTENT_WORDS: Final = ("意向很强", "意向强", "强意向", "准备下单", "准备定", "马上定", "确定要",
                       "ready to buy", "strong intent", "wants to buy")  # fmt: skip

_EXPLICIT_SOURCE: Final = re.compile(r"(?:来源|source)\s*[:：=]\s*(?P<v>[^\s,，;；]+)", re.I)
_EXPLICIT_NAME: Final = re.compile(r"(?:姓名|名字|name)\s*[:：=]\s*(?P<v>[^\s,，;；]+)", re.I)
# A chat id is marked by its app's name: wx:tom_2024, 微信 tom_2024, line:chen88, LINE ID chen88,
# 加赖 chen88 (Taiwan says 賴 for LINE), whatsapp:9123 4567, WhatsApp号码 +852 9123 4567.
_CHAT_MARK: Final = re.compile(
    r"(?<![A-Za-z])(?:"
    r"(?P<wechat>(?:wechat|weixin|微信号?|v信)\s*[:：=]?\s*|(?:wx|vx)(?:\s*[:：=]\s*|\s+))"
    r"|(?P<line>line\s*(?:id|账号|帐号|号)?\s*[:：=]\s*|line\s*(?:id|账号|帐号)\s+"
    r"|加\s*(?:line|赖)\s*[:：=]?\s*|赖\s*[:：=]\s*)"
    r"|(?P<whatsapp>what'?s\s*app\s*(?:号码|号|number|no\.?)?\s*[:：=]?\s*"
    r"|(?:wa|ws|wts)\s*[:：=]\s*)"
    r")",
    re.I,
)
_CHAT_VALUE: Final = re.compile(r"[^\s,，;；]+")
_SPACED_NUMBER: Final = re.compile(r"\+?\d[\d\s-]{3,18}\d(?![0-9A-Za-z])")
_DATE_PREFIX: Final = re.compile(
    r"(?:婚期|婚礼|日期|活动日期|预计时间|时间|wedding\s+date|wedding|event\s+date|date)"
    r"\s*[:：=]?\s*$",
    re.I,
)
# A date keyword whose words are not a date we read: what follows is said back to the person.
_DATE_KEYWORD: Final = re.compile(
    r"(?:婚期|婚礼日期|活动日期|预计时间|日期|(?:婚礼|时间)(?=\s*[:：=])"
    r"|(?<![A-Za-z])(?:wedding\s+date|event\s+date|date|wedding(?=\s*[:：=]))(?![A-Za-z]))"
    r"\s*[:：=]?\s*",
    re.I,
)
NO_DATE_YET: Final = frozenset({"未定", "待定", "没定", "还没定", "不确定", "不知道", "不清楚",
                                "tbd", "tba", "unknown", "undecided", "not sure", "?"})  # fmt: skip
_PHONE_PREFIX: Final = re.compile(r"(?:电话|手机号?|tel|phone|mobile)\s*[:：=]?\s*$", re.I)
_PHONE_CANDIDATE: Final = re.compile(r"(?<![0-9A-Za-z+])\+?\d[\d\s-]{5,18}\d(?![0-9A-Za-z])")
_SEPARATORS: Final = " ,，;；、|/"


@dataclass
class LeadDraft:
    name: str = ""
    phone: str | None = None  # E.164, e.g. +8613800138000
    wechat: str | None = None  # the chat id, on `messenger`
    messenger: str | None = None  # the app a marker named (line:…); None: the team's app
    event_date: date | None = None
    source: str | None = None
    strong_intent: bool = False
    notes: str | None = None
    bad_phone: str | None = None  # digits that look like a phone but are not a valid number
    bad_wechat: str | None = None  # a marked chat id that is no valid id on its app
    unread_date: str | None = None  # words after a date keyword that are no date we know
    problems: list[str] = field(default_factory=list)


def normalize_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 for a valid number read in the region (+country numbers anywhere), else None.

    Outside mainland China a number that is no local one but a mainland mobile is read as
    one (13800138000 in a Taipei team): teams there have mainland clients too, and 11 digits
    starting with 1 are no local number in Taiwan, Hong Kong or Macau.
    """
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if len(digits.lstrip("+")) < 5 or len(digits) > 20:
        return None
    for where in dict.fromkeys((region, DEFAULT_REGION)):
        try:
            number = phonenumbers.parse(text, where)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


@lru_cache(maxsize=4096)  # every card shows its phone; phonenumbers parses it anew each time
def format_phone(e164: str | None) -> str:
    """+8613800138000 -> +86 138 0013 8000."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_wechat(text: str) -> str | None:
    """A WeChat id (6–20 letters, digits, _ or -, starting with a letter) or a number id."""
    value = text.strip().lstrip("@")
    return value if WECHAT_RE.fullmatch(value) else None


def clean_chat_id(text: str, messenger: str, region: str = DEFAULT_REGION) -> str | None:
    """A valid id on the app, else None: a WeChat id, a LINE id (4–20 lower-case letters,
    digits, . _ or -; @ for an official account) or a WhatsApp number (E.164, read in the
    region)."""
    if messenger == WHATSAPP:
        return normalize_phone(text, region)
    if messenger == LINE:
        value = text.strip().lower()
        official = value.startswith("@")
        value = value.lstrip("@")
        return ("@" if official else "") + value if LINE_RE.fullmatch(value) else None
    return clean_wechat(text)


@dataclass(frozen=True)
class ChatMark:
    start: int
    end: int
    messenger: str
    given: str  # the id as typed after the marker


def find_chat_mark(text: str, region: str = DEFAULT_REGION) -> ChatMark | None:
    """The first chat id marked with its app's name in the text.

    A WhatsApp number may be typed in groups (9123 4567): the longest run of groups that is a
    valid number is taken, so a date or a second number typed after it stays out.
    """
    for mark in _CHAT_MARK.finditer(text):
        messenger = mark.lastgroup or WECHAT
        if messenger == WHATSAPP and (spaced := _SPACED_NUMBER.match(text, mark.end())):
            end = spaced.end()
            while end > mark.end():
                if normalize_phone(text[mark.end() : end], region) is not None:
                    return ChatMark(mark.start(), end, messenger, text[mark.end() : end])
                end = text.rfind(" ", mark.end(), end)
        value = _CHAT_VALUE.match(text, mark.end())
        if value is not None:
            return ChatMark(mark.start(), value.end(), messenger, value.group(0))
    return None


def marked_chat_id(text: str, region: str = DEFAULT_REGION) -> tuple[str | None, str | None, str]:
    """For 'wx:tom_2024', 'line:chen88' or 'whatsapp 9123 4567': (the app, the id or None if
    it is no valid id there, what was typed). Text without a marker gives (None, None, "")."""
    mark = find_chat_mark(prepare(text), region)
    if mark is None:
        return None, None, ""
    return mark.messenger, clean_chat_id(mark.given, mark.messenger, region), mark.given


class _Text:
    """The text with extracted spans blanked out, so what is left becomes name and notes."""

    def __init__(self, text: str) -> None:
        self.text = text

    def cut(self, start: int, end: int) -> None:
        self.text = self.text[:start] + "\x00" * (end - start) + self.text[end:]

    def cut_before(self, start: int, prefix: re.Pattern[str]) -> None:
        match = prefix.search(self.text[:start])
        if match:
            self.cut(match.start(), match.end())

    def pieces(self) -> list[str]:
        chunks = [chunk.strip(_SEPARATORS) for chunk in re.split(r"\x00+", self.text)]
        return [chunk for chunk in chunks if chunk]


def parse_capture(
    text: str, today: date, *, name_first: bool = True, region: str = DEFAULT_REGION
) -> LeadDraft:
    """Extract what we can from one line; whatever is not recognised becomes name and notes.

    With `name_first` (an /add line) date words inside the opening word stay part of the name
    (周一鸣, 王国庆); a forwarded client message passes False. Phone numbers without +country
    (and WhatsApp numbers) are read in `region`.
    """
    draft = LeadDraft()
    work = _Text(prepare(text))

    if match := _EXPLICIT_NAME.search(work.text):
        draft.name = match.group("v")
        work.cut(*match.span())
    if match := _EXPLICIT_SOURCE.search(work.text):
        draft.source = source_key(match.group("v"))
        work.cut(*match.span())
    if chat := find_chat_mark(work.text, region):
        draft.messenger = chat.messenger
        draft.wechat = clean_chat_id(chat.given, chat.messenger, region)
        if draft.wechat is None:
            draft.bad_wechat = chat.given
        work.cut(chat.start, chat.end)

    try:
        searched = work.text.replace("\x00", "|")  # same length: spans stay valid
        first_word = re.search(r"[^\s,;、|]+", searched) if name_first else None
        found = find_date(searched, today, whole_words_from=first_word.end() if first_word else 0)
    except DateParseError as error:
        draft.problems.append(f"date:{error.text}")
        found = None
    if found is not None:
        draft.event_date = found.value
        work.cut(found.start, found.end)
        work.cut_before(found.start, _DATE_PREFIX)

    for match in _PHONE_CANDIDATE.finditer(work.text):
        raw = match.group(0).strip()
        phone = normalize_phone(raw, region)
        if phone is not None and draft.phone is None:
            draft.phone = phone
        elif phone is None and draft.bad_phone is None and draft.phone is None:
            draft.bad_phone = raw
        else:
            continue
        work.cut(*match.span())
        work.cut_before(match.start(), _PHONE_PREFIX)

    lowered = work.text.lower()
    for word in INTENT_WORDS:
        position = lowered.find(word)
        if position != -1:
            draft.strong_intent = True
            work.cut(position, position + len(word))
            lowered = work.text.lower()

    if draft.source is None:
        _find_source(work, draft)
    if is_referral(draft.source):
        draft.strong_intent = True

    if draft.event_date is None:
        draft.unread_date = _unread_date(work.text)
    pieces = work.pieces()
    if not draft.name and pieces:
        first = pieces.pop(0)
        words = first.split()
        if len(words) > 3 or (len(words) > 1 and not first.isascii()):
            draft.name, rest = words[0], " ".join(words[1:])
            pieces.insert(0, rest)
        else:
            draft.name = first
    if pieces:
        draft.notes = " ".join(pieces)
    return draft


_NAME_CUE: Final = re.compile(
    r"(?:女士|先生|小姐|老师|阿姨|姐|哥|总)$|^(?:ms|mr|mrs|miss|dr)\.?(?:\s|$)", re.I
)


def looks_like_lead(draft: LeadDraft, text: str) -> bool:
    """Free text that reads as a client's details: a phone or a messenger id, or a name with a
    date (a name like 王女士 or Ms Li with any date, or any name after a date keyword such as
    婚期 or "wedding date", read or not). "明天开会" is no lead."""
    if draft.phone or draft.wechat:
        return True
    if not draft.name or not (draft.event_date or draft.unread_date):
        return False
    return bool(_NAME_CUE.search(draft.name) or _DATE_KEYWORD.search(prepare(text)))


def _unread_date(text: str) -> str | None:
    """What follows the first date keyword, up to the next separator or extracted item: one
    word, or up to four English words. It stays in the notes; the caller says it back."""
    for match in _DATE_KEYWORD.finditer(text):
        rest = re.split(r"[\x00,，;；、|]", text[match.end() :], maxsplit=1)[0].split()
        if not rest:
            continue
        words = [rest[0]]
        if rest[0].isascii():
            words += [w for w in itertools.takewhile(str.isascii, rest[1:4])]
        said = " ".join(words).strip(" .。")
        if said and said.lower().rstrip("?？") and said.lower() not in NO_DATE_YET:
            return said[:40]
    return None


def _find_source(work: _Text, draft: LeadDraft) -> None:
    found = find_source(work.text.lower())
    if found is not None:
        start, end, draft.source = found
        work.cut(start, end)


_AMOUNT: Final = re.compile(
    r"(?:¥|\$|rmb|cny)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>万|w|k|千|元|块|rmb|yuan|cny)?", re.I
)
_MULTIPLIERS: Final = {"万": 10_000, "w": 10_000, "k": 1_000, "千": 1_000}
AMOUNT_LIMIT: Final = 1_000_000_000


def parse_amount(text: str) -> float | None:
    """'8800', '8,800元', '¥8800', '1.2万', '12k' -> a non-negative amount, else None."""
    cleaned = prepare(text).replace(",", "").replace(" ", "")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        return None
    amount = float(match.group("n")) * _MULTIPLIERS.get((match.group("unit") or "").lower(), 1)
    return round(amount, 2) if amount < AMOUNT_LIMIT else None
