"""Lead use cases: capture, look-up, contacts, stages, grades, follow-ups and delete.

Every change writes LeadEvent rows in the vocabulary of assistant/domain/events.py. A rep sees
only their own leads; managers and owners the whole team's. A lead the person may not see is
"not found", exactly like one that does not exist.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Final, Protocol

from sqlalchemy import Integer, bindparam, func, or_, union_all, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.domain import cadence, events, pipeline
from assistant.domain.capture import (
    NAME_LIMIT,
    TEXT_LIMIT,
    LeadDraft,
    clean_chat_id,
    normalize_phone,
    parse_amount,
    parse_capture,
)
from assistant.domain.dates import DateParseError, parse_date, parse_when
from assistant.domain.grading import grade_for, is_upgrade
from assistant.domain.invisible import visible_words
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.messengers import LINE, WECHAT, WHATSAPP
from assistant.domain.sources import is_referral, known_source, source_key
from assistant.domain.team_settings import effective
from assistant.i18n import LOCALES, catalogue, t
from assistant.i18n.hant import as_typed, typed_variants
from assistant.services import cadence_times, permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import hold_lead
from assistant.services.conversation import clear_state as clear_state
from assistant.services.conversation import get_state as get_state
from assistant.services.conversation import set_state as set_state
from assistant.services.errors import UserError
from assistant.services.teams import active_team, membership

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


Scope = Actor  # the older name, until every use case takes the unit of work


async def scope_of(session: AsyncSession, person: Person) -> Scope:
    team, member = await active_team(session, person)
    return Scope(person, team, member)


async def scope_for_lead(session: AsyncSession, person: Person, lead: Lead) -> Scope:
    """The person's scope in the lead's own team (a reminder may come from another team)."""
    team = await session.get(Team, lead.team_id)
    member = await membership(session, team_id=lead.team_id, person_id=person.id or 0)
    if team is None or member is None or not member.active:
        raise UserError("lead_not_found", number=lead.number)
    return Scope(person, team, member)


# ---------------------------------------------------------------- looking leads up


def parse_number(text: str) -> int:
    cleaned = text.strip().lstrip("#＃")
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 9:
        raise UserError("lead_id_needed", given=text[:40])
    return int(cleaned)


# The statements of every simple command, built once: a reused statement keeps its cache key.
_TEAM_LEAD = select(Lead).where(
    Lead.team_id == bindparam("team"), Lead.number == bindparam("number")
)
_OWN_LEAD = _TEAM_LEAD.where(Lead.owner_id == bindparam("owner"))
_EVENTS = LeadEvent.__table__.c  # type: ignore[attr-defined]
_HISTORY = (
    sa_select(_EVENTS.at, _EVENTS.kind, _EVENTS.from_value, _EVENTS.to_value, _EVENTS.payload)
    .where(_EVENTS.lead_id == bindparam("lead"))
    .order_by(_EVENTS.at.desc(), _EVENTS.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


async def get_lead(
    session: AsyncSession, scope: Scope, number: str | int, *, deleted: bool = False
) -> Lead:
    """A lead by its short per-team number; not visible or deleted reads as not found."""
    value = number if isinstance(number, int) else parse_number(number)
    params: dict[str, Any] = {"team": scope.team_id, "number": value}
    sees_all = permissions.sees_all(scope.member)
    if not sees_all:  # as `permissions.lead_scope`
        params["owner"] = scope.person_id
    query = _TEAM_LEAD if sees_all else _OWN_LEAD
    lead = (await session.exec(query, params=params)).first()
    if lead is None or (lead.deleted_at is not None) != deleted:
        raise UserError("lead_not_found", number=value)
    return lead


async def get_lead_by_id(
    session: AsyncSession, scope: Scope, lead_id: str | int, *, deleted: bool = False
) -> Lead:
    """A lead by database id (from a signed button), with permissions re-checked."""
    try:
        value = int(lead_id)
    except ValueError:
        raise UserError("bad_button") from None
    lead = await session.get(Lead, value)
    if (
        lead is None
        or not permissions.can_view_lead(scope.member, lead)
        or (lead.deleted_at is not None) != deleted
    ):
        raise UserError("lead_not_found", number="")
    return lead


class ShownEvent(Protocol):
    """What a lead's history shows of an event: a LeadEvent, or a row of `history`."""

    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def from_value(self) -> str | None: ...
    @property
    def to_value(self) -> str | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...


async def history(session: AsyncSession, lead: Lead, limit: int = HISTORY_SIZE) -> list[ShownEvent]:
    """The lead's latest events, newest first: plain rows of the shown columns."""
    await session.flush()  # as the ORM's autoflush would: events written so far are included
    connection = await session.connection()
    rows = await connection.execute(_HISTORY, {"lead": lead.id, "limit": limit})
    return list(rows.all())


async def owner_name(session: AsyncSession, lead: Lead) -> str:
    if lead.owner_id is None:
        return ""
    person = await session.get(Person, lead.owner_id)
    return person.name if person else ""


@dataclass
class Page:
    leads: list[Lead]
    page: int
    pages: int
    total: int
    filter: str


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


async def list_leads(
    session: AsyncSession, scope: Scope, *, filter_key: str, page: int, now: datetime
) -> Page:
    conditions = [*permissions.lead_scope(scope.member), col(Lead.deleted_at).is_(None)]
    open_stage = col(Lead.stage).not_in([pipeline.WON, pipeline.LOST])
    if filter_key in GRADES:
        conditions += [Lead.grade == filter_key, open_stage]
    elif filter_key == "overdue":
        conditions += [col(Lead.next_followup_at) < now, open_stage]
    elif filter_key == "today":
        start, end = local_day_bounds(scope.today(now), scope.person.timezone)
        conditions += [col(Lead.next_followup_at) >= start, col(Lead.next_followup_at) < end]
    elif filter_key:
        conditions.append(Lead.stage == filter_key)
    else:
        conditions.append(open_stage)
    total = (await session.exec(select(func.count()).select_from(Lead).where(*conditions))).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    order = (col(Lead.next_followup_at).is_(None), col(Lead.next_followup_at), col(Lead.number))
    # The page's ids come from the index alone; only those rows are read from the table.
    ids = (
        select(Lead.id)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    query = select(Lead).where(col(Lead.id).in_(ids)).order_by(*order)
    leads = list((await session.exec(query)).all())
    return Page(leads, page, pages, total, filter_key)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_leads(session: AsyncSession, scope: Scope, query_text: str) -> list[Lead]:
    text = " ".join(query_text.split())
    if not text:
        raise UserError("find_needs_text")
    if len(text) > NAME_LIMIT:
        raise UserError("text_too_long", limit=NAME_LIMIT)
    # Names are stored as typed: 陈 finds 陈小姐, and 陳 (read as 陈) finds 陳小姐 too.
    matches: list[Any] = [
        func.lower(Lead.name).like(_like(variant.lower()), escape="\\")
        for variant in typed_variants(text)
    ]
    matches.append(func.lower(Lead.wechat).like(_like(text.lower()), escape="\\"))
    phone = normalize_phone(text, scope.team.phone_region)
    if phone is not None:
        matches.append(Lead.phone == phone)
        matches.append(Lead.wechat == phone)  # a WhatsApp id is a number
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4:
        matches.append(col(Lead.phone).like(_like(digits), escape="\\"))
    query = (
        select(Lead)
        .where(*permissions.lead_scope(scope.member), col(Lead.deleted_at).is_(None), or_(*matches))
        .order_by(col(Lead.number).desc())
        .limit(FIND_LIMIT)
    )
    return list((await session.exec(query)).all())


# ---------------------------------------------------------------- events and scheduling


def _event(
    session: AsyncSession,
    lead: Lead,
    actor_id: int | None,
    kind: str,
    now: datetime,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    payload: dict[str, Any] | None = None,
) -> LeadEvent:
    assert lead.id is not None
    row = LeadEvent(
        lead_id=lead.id,
        team_id=lead.team_id,
        owner_id=lead.owner_id,
        actor_id=actor_id,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        payload=payload or {},
        at=now,
    )
    session.add(row)
    return row


async def _stage_since(session: AsyncSession, lead: Lead) -> datetime:
    query = (
        select(LeadEvent.at)
        .where(
            LeadEvent.lead_id == lead.id,
            LeadEvent.kind == events.STAGE,
            LeadEvent.to_value == lead.stage,
        )
        .order_by(col(LeadEvent.at).desc())
        .limit(1)
    )
    # Only this lead's stage events matter to the query: other pending changes (the contact
    # being logged, the lead's new fields) can wait for the next flush and go with the rest.
    if any(_is_stage_event(item, lead) for item in session.new):
        await session.flush()
    with session.no_autoflush:
        moment = (await session.exec(query)).first()
    return moment or lead.created_at


def _is_stage_event(item: object, lead: Lead) -> bool:
    return isinstance(item, LeadEvent) and item.kind == events.STAGE and item.lead_id == lead.id


def _schedule(
    session: AsyncSession,
    lead: Lead,
    actor_id: int | None,
    when: datetime | None,
    now: datetime,
    reason: str,
) -> None:
    lead.followup_manual = when is not None and reason != "cadence"
    if when == lead.next_followup_at:
        return
    lead.next_followup_at = when
    if when is not None:
        _followup_event(session, lead, actor_id, when, now, reason)


def _followup_event(
    session: AsyncSession, lead: Lead, actor_id: int | None, when: datetime, now: datetime,
    reason: str,
) -> LeadEvent:  # fmt: skip
    return _event(
        session, lead, actor_id, events.FOLLOWUP, now,
        to_value=when.isoformat(timespec="minutes"), payload={"reason": reason},
    )  # fmt: skip


async def _reschedule(
    session: AsyncSession, scope_settings: dict[str, Any], lead: Lead, actor_id: int | None,
    now: datetime, anchor: datetime, *, keep_manual: bool = True,
) -> None:  # fmt: skip
    """Apply the cadence of PRODUCT.md 5.1 from `anchor` (the latest touch), on a working slot.
    A follow-up the person set by hand stays unless `keep_manual` is off (a contact, a close)."""
    if keep_manual and lead.followup_manual and lead.next_followup_at is not None:
        return
    dated = lead.stage in cadence.DATED_STAGES  # only then is the stage's start looked up
    when = cadence.next_followup(
        stage=lead.stage,
        grade=lead.grade,
        now=anchor,
        created_at=lead.created_at,
        contacted=lead.last_contact_at is not None,
        stage_since=await _stage_since(session, lead) if dated else lead.created_at,
        cadence=scope_settings["cadence"],
    )
    if when is not None:
        first = cadence.awaits_first_contact(lead.stage, lead.last_contact_at is not None)
        when = await cadence_times.land_for_lead(session, lead, when, now, first_contact=first)
    _schedule(session, lead, actor_id, when, now, "cadence")


def _regrade(lead: Lead, today: date, thresholds: dict[str, int]) -> str | None:
    """Recompute an auto grade; returns the old grade when it changed."""
    result = grade_for(lead.event_date, today, lead.strong_intent, thresholds)
    lead.date_passed = result.date_passed
    if lead.grade_manual or result.grade == lead.grade:
        return None
    old, lead.grade = lead.grade, result.grade
    return old


def _grade_event(
    session: AsyncSession, lead: Lead, actor_id: int | None, old: str, now: datetime
) -> None:
    _event(
        session, lead, actor_id, events.GRADE, now, from_value=old, to_value=lead.grade,
        payload={"manual": lead.grade_manual, "auto": not lead.grade_manual},
    )  # fmt: skip


def _new_contact_facts(lead: Lead) -> list[str]:
    """Marks a phone or WeChat known for the first time; returns the event kinds to record."""
    kinds = []
    if lead.phone and not lead.phone_obtained:
        lead.phone_obtained = True
        kinds.append(events.PHONE)
    if lead.wechat and not lead.wechat_added:
        lead.wechat_added = True
        kinds.append(events.WECHAT)
    return kinds


def _contact_facts(session: AsyncSession, lead: Lead, actor_id: int | None, now: datetime) -> None:
    """转电话 / 转微信: recorded once per lead, when a phone or WeChat first becomes known."""
    for kind in _new_contact_facts(lead):
        _event(session, lead, actor_id, kind, now, to_value="1")


# ---------------------------------------------------------------- capture


def validate_draft(draft: LeadDraft) -> None:
    if draft.bad_phone:
        raise UserError("bad_phone", given=draft.bad_phone[:40])
    if draft.bad_wechat:
        raise UserError(
            "bad_wechat", given=draft.bad_wechat[:40], messenger=draft.messenger or WECHAT
        )
    for problem in draft.problems:
        if problem.startswith("date:"):
            raise UserError("bad_date", given=problem[5:45])
    draft.name = visible_words(draft.name)
    if not draft.name:
        raise UserError("name_missing")
    if len(draft.name) > NAME_LIMIT:
        raise UserError("name_too_long", limit=NAME_LIMIT)
    if draft.source and len(draft.source) > SOURCE_LIMIT:
        raise UserError("text_too_long", limit=SOURCE_LIMIT)
    if draft.notes and len(draft.notes) > NOTE_LIMIT:
        raise UserError("text_too_long", limit=NOTE_LIMIT)


def capture(text: str, scope: Scope, now: datetime, *, name_first: bool = True) -> LeadDraft:
    """A lead draft from one line read as simplified; its name, notes and an unknown source
    are kept in the characters they were typed in."""
    draft = parse_capture(
        text, scope.today(now), name_first=name_first, region=scope.team.phone_region
    )
    draft.name = as_typed(draft.name)
    if draft.notes:
        draft.notes = as_typed(draft.notes)
    draft.source = typed_source(draft.source)
    if draft.unread_date:
        draft.unread_date = as_typed(draft.unread_date)
    return draft


def typed_source(text: str | None) -> str | None:
    """The key of a known source (轉介紹 is "referral"), else the source as it was typed."""
    key = source_key(text)
    return key if key is None or known_source(key) is not None else as_typed(key)


def draft_from_text(text: str, scope: Scope, now: datetime) -> LeadDraft:
    if len(text) > TEXT_LIMIT:
        raise UserError("text_too_long", limit=TEXT_LIMIT)
    draft = capture(text, scope, now)
    validate_draft(draft)
    return draft


@dataclass
class Saved:
    lead: Lead
    duplicates: list[Lead] = field(default_factory=list)  # visible leads with the same phone/WeChat
    hidden_duplicate: bool = False  # a colleague's lead has it (no details shown)
    events: list[LeadEvent] = field(default_factory=list)  # the new lead's whole history, in order


_TEAM_TABLE = Team.__table__  # type: ignore[attr-defined]
_TEAMS = _TEAM_TABLE.c
# On the table, not through the ORM: it leaves the loaded Team alone either way.
_TAKE_NUMBER = (
    update(_TEAM_TABLE)
    .where(_TEAMS.id == bindparam("team"))
    .values(next_lead_number=_TEAMS.next_lead_number + 1)
    .returning(_TEAMS.next_lead_number)
)


async def _take_number(session: AsyncSession, team_id: int) -> int:
    """The next short lead number; the UPDATE locks the team row, so numbers never collide."""
    connection = await session.connection()
    number: int = (await connection.execute(_TAKE_NUMBER, {"team": team_id})).scalar_one()
    return number - 1


def _duplicates_query(by_phone: bool, by_wechat: bool) -> Any:
    # One look-up per key, each on its (team, phone) / (team, wechat) index. As one
    # `team AND (phone OR wechat) ORDER BY number` SQLite without statistics walks the team.
    team = Lead.team_id == bindparam("team")
    keys = [
        *([select(Lead.id).where(team, Lead.phone == bindparam("phone"))] if by_phone else []),
        *([select(Lead.id).where(team, Lead.wechat == bindparam("wechat"))] if by_wechat else []),
    ]
    return (
        select(Lead)
        .where(
            col(Lead.id).in_(union_all(*keys)),
            col(Lead.deleted_at).is_(None),
            col(Lead.id) != bindparam("lead"),
        )
        .order_by(col(Lead.number))
    )


_DUPLICATES = {
    (p, w): _duplicates_query(p, w) for p in (True, False) for w in (True, False) if p or w
}


async def duplicates_of(session: AsyncSession, scope: Scope, lead: Lead) -> tuple[list[Lead], bool]:
    if not lead.phone and not lead.wechat:
        return [], False
    query = _DUPLICATES[bool(lead.phone), bool(lead.wechat)]
    params = {"team": scope.team_id, "lead": lead.id, "phone": lead.phone, "wechat": lead.wechat}
    found = list((await session.exec(query, params=params)).all())
    visible = [d for d in found if permissions.sees_lead_of(scope.member, d.owner_id)]
    return visible, len(visible) < len(found)


async def create_lead(
    session: AsyncSession, scope: Scope, draft: LeadDraft, now: datetime
) -> Saved:
    validate_draft(draft)
    settings = scope.settings
    result = grade_for(draft.event_date, scope.today(now), draft.strong_intent, settings["grading"])
    first_followup = await cadence_times.land(
        session, team_id=scope.team_id, owner=scope.person, lead_id=None,
        due=cadence.first_followup(now), now=now, first_contact=True,
    )  # fmt: skip
    lead = Lead(
        team_id=scope.team_id,
        number=await _take_number(session, scope.team_id),
        owner_id=scope.person_id,
        name=draft.name,
        phone=draft.phone,
        wechat=draft.wechat,
        messenger=draft.messenger or scope.team.messenger,
        source=draft.source,
        event_date=draft.event_date,
        intent=draft.notes,
        stage=pipeline.first_stage(scope.team.pipeline),
        grade=result.grade,
        strong_intent=draft.strong_intent,
        date_passed=result.date_passed,
        next_followup_at=first_followup,
        created_at=now,
        updated_at=now,
    )
    facts = _new_contact_facts(lead)
    session.add(lead)
    await session.flush()  # the lead is inserted complete; its events need its id
    actor = scope.person_id
    history = [
        _event(
            session, lead, actor, events.CREATED, now, to_value=lead.stage,
            payload={"source": lead.source, "grade": lead.grade},
        ),
        *(_event(session, lead, actor, kind, now, to_value="1") for kind in facts),
    ]  # fmt: skip
    assert lead.next_followup_at is not None
    history.append(_followup_event(session, lead, actor, lead.next_followup_at, now, "cadence"))
    duplicates, hidden = await duplicates_of(session, scope, lead)
    return Saved(lead, duplicates, hidden, history)


# ---------------------------------------------------------------- working a lead


async def log_contact(
    session: AsyncSession, scope: Scope, lead: Lead, note: str, now: datetime
) -> None:
    await record_contact(session, scope, lead, note, now)
    await reschedule(session, scope, lead, now)


_CONTACTED_SINCE = (
    sa_select(_EVENTS.id)
    .where(
        _EVENTS.lead_id == bindparam("lead"),
        _EVENTS.kind == events.CONTACT,
        _EVENTS.at >= bindparam("since"),
    )
    .limit(1)
)


async def record_contact(
    session: AsyncSession, scope: Scope, lead: Lead, note: str, now: datetime
) -> None:
    """The contact alone, counted under the lead's grade at the time; `reschedule` follows
    (split from log_contact for a caller that changes the grade in between). A second contact
    with the lead on the same local day is recorded too, marked so it earns no points."""
    note = as_typed(" ".join(note.split()))
    if len(note) > NOTE_LIMIT:
        raise UserError("text_too_long", limit=NOTE_LIMIT)
    payload: dict[str, Any] = {"grade": lead.grade}
    if note:
        payload["note"] = note
    since, _ = local_day_bounds(scope.today(now), scope.person.timezone)
    connection = await session.connection()
    again = (await connection.execute(_CONTACTED_SINCE, {"lead": lead.id, "since": since})).first()
    to_value = events.CONTACT_AGAIN if again is not None else None
    _event(session, lead, scope.person_id, events.CONTACT, now, to_value=to_value, payload=payload)
    lead.last_contact_at = now
    lead.updated_at = now


async def reschedule(session: AsyncSession, scope: Scope, lead: Lead, now: datetime) -> None:
    """The next follow-up after a touch at `now`, by the cadence of PRODUCT.md 5.1."""
    await _reschedule(session, scope.settings, lead, scope.person_id, now, now, keep_manual=False)


async def add_note(
    session: AsyncSession, scope: Scope, lead: Lead, note: str, now: datetime
) -> None:
    note = as_typed(" ".join(note.split()))
    if not note:
        return
    if len(note) > NOTE_LIMIT:
        raise UserError("text_too_long", limit=NOTE_LIMIT)
    _event(session, lead, scope.person_id, events.NOTE, now, payload={"note": note})


def set_followup(
    session: AsyncSession, scope: Scope, lead: Lead, when: datetime, now: datetime, reason: str
) -> None:
    if when <= now:
        raise UserError("bad_when", given="")
    lead.updated_at = now
    _schedule(session, lead, scope.person_id, when, now, reason)


def parse_followup(text: str, scope: Scope, now: datetime) -> datetime:
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
    wanted = text.strip().lower()
    keys = [*pipeline.stages(pipeline_name), pipeline.LOST]
    for key in keys:
        names = {key} | {t(locale, f"stages.{key}").lower() for locale in LOCALES}
        if wanted in names:
            return key
    alias = _STAGE_ALIASES.get(wanted)
    return alias if alias in keys else None


async def move_stage(
    session: AsyncSession,
    scope: Scope,
    lead: Lead,
    stage_text: str,
    now: datetime,
    *,
    amount: float | None = None,
    reason: str | None = None,
) -> str:
    stage = find_stage(scope.team.pipeline, stage_text)
    if stage is None:
        raise UserError(
            "bad_stage", given=stage_text[:40], stages=[*pipeline.stages(scope.team.pipeline),
                                                        pipeline.LOST],
        )  # fmt: skip
    if stage == lead.stage:
        raise UserError("same_stage", stage=stage)
    payload: dict[str, Any] = {}
    if stage == pipeline.LOST:
        reason = " ".join((reason or "").split())
        if not reason:
            raise UserError("lost_reason_needed", number=lead.number, reasons=lost_reasons(scope))
        if len(reason) > REASON_LIMIT:
            raise UserError("text_too_long", limit=REASON_LIMIT)
        payload["reason"] = reason
        lead.lost_reason = reason
    if stage == pipeline.WON:
        payload["amount"] = amount or 0.0
        lead.amount = amount
    await hold_lead(session, lead, "stage")  # /won and /lost at once: one of them wins
    old = lead.stage
    lead.stage = stage
    lead.updated_at = now
    _event(
        session, lead, scope.person_id, events.STAGE, now, from_value=old, to_value=stage,
        payload=payload,
    )  # fmt: skip
    await session.flush()
    closed = stage in (pipeline.WON, pipeline.LOST)  # closing ends a follow-up set by hand too
    await _reschedule(
        session, scope.settings, lead, scope.person_id, now, now, keep_manual=not closed
    )
    return stage


def lost_reasons(scope: Scope) -> list[str]:
    """The team's common lost reasons in the person's language (else the catalogue's)."""
    reasons = scope.settings["lost_reasons"]
    if isinstance(reasons, dict):
        listed: list[Any] = (
            reasons.get(scope.person.locale) or catalogue(scope.person.locale)["lost_reasons"]
        )
        return [str(reason) for reason in listed]
    return [str(reason) for reason in reasons]


def pick_reason(scope: Scope, text: str) -> str:
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


async def set_grade(
    session: AsyncSession, scope: Scope, lead: Lead, choice: str, now: datetime
) -> None:
    wanted = choice.strip().upper()
    if wanted not in {"AUTO", "自动", *GRADES}:
        raise UserError("bad_grade", given=choice[:20])
    await hold_lead(session, lead, "grade", "grade_manual")
    if wanted in {"AUTO", "自动"}:
        lead.grade_manual = False
        old = lead.grade
        changed = _regrade(lead, scope.today(now), scope.settings["grading"])
        if changed is None and old == lead.grade:
            lead.updated_at = now
            return
    else:
        if lead.grade == wanted and lead.grade_manual:
            raise UserError("same_grade", grade=wanted)
        old = lead.grade
        lead.grade_manual = True
        lead.grade = wanted
        if old == wanted:  # now sticky, same letter: record the manual choice
            _grade_event(session, lead, scope.person_id, old, now)
            return
    lead.updated_at = now
    _grade_event(session, lead, scope.person_id, old, now)
    if lead.last_contact_at is not None:
        await _reschedule(session, scope.settings, lead, scope.person_id, now, lead.last_contact_at)


def field_of(text: str) -> str:
    wanted = " ".join(text.split()).lower()
    for key, names in FIELDS.items():
        if wanted in names:
            return key
    raise UserError("bad_field", given=text[:40])


CHAT_FIELDS: Final = {"wechat": WECHAT, "line": LINE, "whatsapp": WHATSAPP}


_CLEAR: Final = {"-", "无", "none", "清空", "clear", "删除"}


async def edit_field(
    session: AsyncSession, scope: Scope, lead: Lead, field_text: str, value: str, now: datetime
) -> tuple[list[Lead], bool]:
    """Change one field; returns duplicates found for a changed phone or WeChat."""
    key = field_of(field_text)
    messenger = CHAT_FIELDS.get(key)
    if messenger is not None:  # 微信, LINE and WhatsApp each set the one chat id, on their app
        key = "wechat"
    value = visible_words(value)
    typed = as_typed(value)  # a name, note, tag or unknown source is stored as typed
    clear = value.lower() in _CLEAR
    if not value:
        raise UserError("edit_needs_value", field=key, number=lead.number)
    old: Any
    new: Any
    if key == "name":
        if clear:
            raise UserError("name_missing")
        if len(value) > NAME_LIMIT:
            raise UserError("name_too_long", limit=NAME_LIMIT)
        old, new = lead.name, typed
        lead.name = typed
    elif key == "phone":
        new = None if clear else normalize_phone(value, scope.team.phone_region)
        if new is None and not clear:
            raise UserError("bad_phone", given=value[:40])
        old, lead.phone = lead.phone, new
    elif key == "wechat":
        assert messenger is not None
        new = None if clear else clean_chat_id(value, messenger, scope.team.phone_region)
        if new is None and not clear:
            raise UserError("bad_wechat", given=value[:40], messenger=messenger)
        old, lead.wechat = lead.wechat, new
        if new is not None and lead.messenger != messenger:
            old, lead.messenger = None, messenger  # the same id on another app is a change
    elif key == "date":
        try:
            parsed = None if clear else parse_date(value, scope.today(now))
        except DateParseError:
            raise UserError("bad_date", given=value[:40]) from None
        old, new = lead.event_date, parsed
        lead.event_date = parsed
    elif key == "source":
        if len(value) > SOURCE_LIMIT:
            raise UserError("text_too_long", limit=SOURCE_LIMIT)
        new = None if clear else typed_source(value)
        old, lead.source = lead.source, new
        if is_referral(new):
            lead.strong_intent = True
    elif key == "notes":
        if len(value) > NOTE_LIMIT:
            raise UserError("text_too_long", limit=NOTE_LIMIT)
        new = None if clear else typed
        old, lead.intent = lead.intent, new
    else:
        if len(value) > TAGS_LIMIT:
            raise UserError("text_too_long", limit=TAGS_LIMIT)
        new = None if clear else typed
        old, lead.tags = lead.tags, new
    if old == new:
        return [], False
    lead.updated_at = now
    _event(
        session, lead, scope.person_id, events.EDIT, now, from_value=key,
        payload={"field": messenger or key, "old": _plain(old), "new": _plain(new)},
    )  # fmt: skip
    _contact_facts(session, lead, scope.person_id, now)
    if key in {"date", "source"}:
        changed = _regrade(lead, scope.today(now), scope.settings["grading"])
        if changed is not None:
            _grade_event(session, lead, scope.person_id, changed, now)
            if lead.last_contact_at is not None:
                await _reschedule(
                    session, scope.settings, lead, scope.person_id, now, lead.last_contact_at
                )
    if key in {"phone", "wechat"} and new:
        return await duplicates_of(session, scope, lead)
    return [], False


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def delete_lead(session: AsyncSession, scope: Scope, lead: Lead, now: datetime) -> None:
    await hold_lead(session, lead, "deleted_at")
    lead.deleted_at = now
    lead.updated_at = now
    _event(session, lead, scope.person_id, events.DELETED, now)


async def restore_lead(session: AsyncSession, scope: Scope, lead: Lead, now: datetime) -> None:
    assert lead.deleted_at is not None
    if now - lead.deleted_at > UNDO_WINDOW:
        raise UserError("undo_expired", number=lead.number)
    await hold_lead(session, lead, "deleted_at")
    lead.deleted_at = None
    lead.updated_at = now
    _event(session, lead, scope.person_id, events.RESTORED, now)


# ---------------------------------------------------------------- daily regrade

REGRADE_BATCH = 500


@dataclass(frozen=True)
class GradeChange:
    lead_id: int
    number: int
    owner_id: int | None
    old: str
    new: str

    @property
    def upgrade(self) -> bool:
        return is_upgrade(self.old, self.new)


async def regrade_leads(session: AsyncSession, *, team_id: int, now: datetime) -> list[GradeChange]:
    """Recompute every open auto-graded lead of a team against its owner's local today.

    Writes a grade event per change (actor none: the system did it) and returns the changes,
    so the morning briefing can announce upgrades. Running twice a day changes nothing.
    """
    changes: list[GradeChange] = []
    after: int | None = 0
    while after is not None:  # flushed leads leave the session's (weak) identity map
        batch, after = await regrade_batch(session, team_id=team_id, after=after, now=now)
        changes += batch
    return changes


async def regrade_batch(
    session: AsyncSession, *, team_id: int, after: int, now: datetime
) -> tuple[list[GradeChange], int | None]:
    """`regrade_leads` for the next REGRADE_BATCH open leads with ids above `after`; returns
    the changes and where to go on from (None: the team is done). One batch is a short
    transaction of its own for the hourly job, so SQLite's writers never wait long."""
    team = await session.get(Team, team_id)
    if team is None:
        return [], None
    settings = effective(team.settings)
    thresholds = settings["grading"]
    team_owner = await session.get(Person, team.owner_id)
    default_zone = team_owner.timezone if team_owner else "Asia/Shanghai"
    zones = dict(
        (
            await session.exec(
                select(Person.id, Person.timezone)
                .join(Membership, col(Membership.person_id) == Person.id)
                .where(Membership.team_id == team_id)
            )
        ).all()
    )
    changes: list[GradeChange] = []
    batch = (
        await session.exec(
            select(Lead)
            .where(
                Lead.team_id == team_id,
                col(Lead.id) > after,
                col(Lead.deleted_at).is_(None),
                col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
            )
            .order_by(col(Lead.id))
            .limit(REGRADE_BATCH)
        )
    ).all()
    for lead in batch:
        zone = zones.get(lead.owner_id, default_zone) if lead.owner_id else default_zone
        old = _regrade(lead, local_today(now, zone), thresholds)
        if old is None:
            continue
        lead.updated_at = now
        _grade_event(session, lead, None, old, now)
        if lead.last_contact_at is not None:  # the cadence after the contact follows the grade
            await _reschedule(session, settings, lead, None, now, lead.last_contact_at)
        assert lead.id is not None
        changes.append(GradeChange(lead.id, lead.number, lead.owner_id, old, lead.grade))
    await session.flush()
    if len(batch) < REGRADE_BATCH:
        return changes, None
    return changes, batch[-1].id or 0


async def regrade_all_teams(session: AsyncSession, *, now: datetime) -> list[GradeChange]:
    """`regrade_leads` for every team that has open leads; safe to run every hour."""
    team_ids = (
        await session.exec(
            select(Lead.team_id)
            .where(
                col(Lead.deleted_at).is_(None),
                col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
                col(Lead.grade_manual).is_(False),
            )
            .distinct()
        )
    ).all()
    changes: list[GradeChange] = []
    for team_id in sorted(team_ids):
        changes += await regrade_leads(session, team_id=team_id, now=now)
    return changes
