"""Working a lead: contacts, notes, follow-ups, stages, grades, edits, delete and restore."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead
from assistant.domain import events, pipeline
from assistant.domain.capture import (
    NAME_LIMIT,
    clean_chat_id,
    normalize_phone,
)
from assistant.domain.dates import DateParseError, parse_date
from assistant.domain.invisible import visible_words
from assistant.domain.localtime import local_day_bounds
from assistant.domain.messengers import LINE, WECHAT, WHATSAPP
from assistant.domain.sources import is_referral
from assistant.i18n.hant import as_typed
from assistant.services.actor import Actor
from assistant.services.concurrency import hold_lead
from assistant.services.errors import UserError
from assistant.services.leads.events import (
    _contact_facts,
    _event,
    _grade_event,
    _regrade,
    _reschedule,
    _schedule,
)
from assistant.services.leads.queries import _EVENTS, duplicates_of
from assistant.services.leads.words import (
    _CLEAR,
    GRADES,
    NOTE_LIMIT,
    REASON_LIMIT,
    SOURCE_LIMIT,
    TAGS_LIMIT,
    UNDO_WINDOW,
    field_of,
    find_stage,
    lost_reasons,
    typed_source,
)

# ---------------------------------------------------------------- working a lead


CHAT_FIELDS: Final = {"wechat": WECHAT, "line": LINE, "whatsapp": WHATSAPP}


async def log_contact(
    session: AsyncSession, scope: Actor, lead: Lead, note: str, now: datetime
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
    session: AsyncSession, scope: Actor, lead: Lead, note: str, now: datetime
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
    again = None
    # A contact is recorded here only, with `last_contact_at` set to its moment (a merge keeps
    # the later of two): a lead last contacted before today has no contact today to look for.
    if lead.last_contact_at is not None and lead.last_contact_at >= since:
        connection = await session.connection()
        params = {"lead": lead.id, "since": since}
        again = (await connection.execute(_CONTACTED_SINCE, params)).first()
    to_value = events.CONTACT_AGAIN if again is not None else None
    _event(session, lead, scope.person_id, events.CONTACT, now, to_value=to_value, payload=payload)
    lead.last_contact_at = now
    lead.updated_at = now


async def reschedule(session: AsyncSession, scope: Actor, lead: Lead, now: datetime) -> None:
    """The next follow-up after a touch at `now`, by the cadence of PRODUCT.md 5.1."""
    await _reschedule(session, scope.settings, lead, scope.person_id, now, now, keep_manual=False)


async def add_note(
    session: AsyncSession, scope: Actor, lead: Lead, note: str, now: datetime
) -> None:
    note = as_typed(" ".join(note.split()))
    if not note:
        return
    if len(note) > NOTE_LIMIT:
        raise UserError("text_too_long", limit=NOTE_LIMIT)
    _event(session, lead, scope.person_id, events.NOTE, now, payload={"note": note})


def set_followup(
    session: AsyncSession, scope: Actor, lead: Lead, when: datetime, now: datetime, reason: str
) -> None:
    if when <= now:
        raise UserError("bad_when", given="")
    lead.updated_at = now
    _schedule(session, lead, scope.person_id, when, now, reason)


async def move_stage(
    session: AsyncSession,
    scope: Actor,
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


async def set_grade(
    session: AsyncSession, scope: Actor, lead: Lead, choice: str, now: datetime
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


async def edit_field(
    session: AsyncSession, scope: Actor, lead: Lead, field_text: str, value: str, now: datetime
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


async def delete_lead(session: AsyncSession, scope: Actor, lead: Lead, now: datetime) -> None:
    await hold_lead(session, lead, "deleted_at")
    lead.deleted_at = now
    lead.updated_at = now
    _event(session, lead, scope.person_id, events.DELETED, now)


async def restore_lead(session: AsyncSession, scope: Actor, lead: Lead, now: datetime) -> None:
    assert lead.deleted_at is not None
    if now - lead.deleted_at > UNDO_WINDOW:
        raise UserError("undo_expired", number=lead.number)
    await hold_lead(session, lead, "deleted_at")
    lead.deleted_at = None
    lead.updated_at = now
    _event(session, lead, scope.person_id, events.RESTORED, now)
