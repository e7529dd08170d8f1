"""What people type about leads, in either language: field and stage names, filters, lost
reasons, amounts, follow-up times, and the limits on what is kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from assistant.domain import pipeline
from assistant.domain.capture import parse_amount
from assistant.domain.dates import DateParseError, parse_when
from assistant.domain.sources import known_source, source_key
from assistant.i18n import LOCALES, catalogue, t
from assistant.i18n.hant import as_typed
from assistant.services.actor import Actor
from assistant.services.errors import UserError

PAGE_SIZE: Final = 10
HISTORY_SIZE: Final = 10
NOTE_LIMIT: Final = 500
SOURCE_LIMIT: Final = 64
TAGS_LIMIT: Final = 200
REASON_LIMIT: Final = 200
UNDO_WINDOW: Final = timedelta(hours=24)
FOLLOWUP_YEARS: Final = 5
FOLLOWUP_HORIZON: Final = timedelta(days=365 * FOLLOWUP_YEARS + 1)
FIND_LIMIT: Final = 20
GRADES: Final = ("A", "B", "C", "D")
# Fields /edit accepts, with their names in both languages.
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("name", "姓名", "名字", "称呼"),
    "phone": ("phone", "tel", "mobile", "电话", "手机", "手机号"),
    "wechat": ("wechat", "wx", "vx", "微信", "微信号"),
    "line": ("line", "line id", "line账号", "赖"),
    "whatsapp": ("whatsapp", "wa", "ws", "whatsapp号码"),
    "source": ("source", "来源", "渠道"),
    "date": ("date", "event", "event_date", "婚期", "日期", "活动日期"),
    "notes": ("notes", "note", "intent", "备注", "意向", "需求"),
    "tags": ("tags", "tag", "标签"),
}
_STAGE_ALIASES: Final = {
    "新": "new", "新线索": "new", "有效线索": "valid", "邀约": "invited", "已邀": "invited",
    "到店": "visited", "进店": "visited", "已进店": "visited", "visit": "visited",
    "成交": "won", "签单": "won", "deal": "won", "流失": "lost", "丢单": "lost",
    "invite": "invited", "qualify": "qualified",
}  # fmt: skip


# ---------------------------------------------------------------- looking leads up


def parse_number(text: str) -> int:
    cleaned = text.strip().lstrip("#＃")
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 9:
        raise UserError("lead_id_needed", given=text[:40])
    return int(cleaned)


def parse_filter(pipeline_name: str, text: str) -> str:
    """'' | A-D | a stage key | overdue | today; words in both languages."""
    cleaned = text.strip()
    if not cleaned or cleaned.lower() in {"all", "全部", "所有"}:
        return ""
    if cleaned.upper() in GRADES:
        return cleaned.upper()
    if cleaned.lower() in {"overdue", "逾期", "过期", "超期"}:
        return "overdue"
    if cleaned.lower() in {"today", "今天", "今日"}:
        return "today"
    stage = find_stage(pipeline_name, cleaned)
    if stage is None:
        raise UserError("bad_filter", given=cleaned[:40])
    return stage


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def typed_source(text: str | None) -> str | None:
    """The key of a known source (轉介紹 is "referral"), else the source as it was typed."""
    key = source_key(text)
    return key if key is None or known_source(key) is not None else as_typed(key)


def parse_followup(text: str, scope: Actor, now: datetime) -> datetime:
    from zoneinfo import ZoneInfo

    local_now = now.astimezone(ZoneInfo(scope.person.timezone))
    try:
        when = parse_when(text, local_now)
    except DateParseError as error:
        raise UserError("bad_when", given=text[:40], reason=error.reason) from None
    if when - local_now > FOLLOWUP_HORIZON:  # (9999-12-31 in a western zone has no UTC time)
        raise UserError("bad_when", given=text[:40], reason="far", years=FOLLOWUP_YEARS)
    return when


@lru_cache(maxsize=512)
def find_stage(pipeline_name: str, text: str) -> str | None:
    """A stage key from its key or name in either language (e.g. 到店, visited)."""
    wanted = " ".join(text.split()).lower()
    keys = [*pipeline.stages(pipeline_name), pipeline.LOST]
    for key in keys:
        names = {key} | {t(locale, f"stages.{key}").lower() for locale in LOCALES}
        if wanted in names:
            return key
    alias = _STAGE_ALIASES.get(wanted)
    return alias if alias in keys else None


def lost_reasons(scope: Actor) -> list[str]:
    """The team's common lost reasons in the person's language (else the catalogue's)."""
    reasons = scope.settings["lost_reasons"]
    if isinstance(reasons, dict):
        listed: list[Any] = (
            reasons.get(scope.person.locale) or catalogue(scope.person.locale)["lost_reasons"]
        )
        return [str(reason) for reason in listed]
    return [str(reason) for reason in reasons]


def pick_reason(scope: Actor, text: str) -> str:
    """'2' picks the team's second reason; anything else is taken as typed."""
    cleaned = as_typed(" ".join(text.split()))
    reasons = lost_reasons(scope)
    if cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= len(reasons):
        return reasons[int(cleaned) - 1]
    return cleaned


def amount_from(text: str) -> float | None:
    if not text.strip():
        return None
    amount = parse_amount(text)
    if amount is None:
        raise UserError("bad_amount", given=text[:40])
    return amount


def field_of(text: str) -> str:
    wanted = text.strip().lower()
    for key, names in FIELDS.items():
        if wanted in names:
            return key
    raise UserError("bad_field", given=text[:40])


_CLEAR: Final = {"-", "无", "none", "清空", "clear", "删除"}
