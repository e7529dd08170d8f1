"""The LeadEvent rows a change writes, and the follow-up and grade bookkeeping that goes with
them (vocabulary: assistant/domain/events.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent
from assistant.domain import cadence, events
from assistant.domain.grading import grade_for
from assistant.services import cadence_times
from assistant.services.leads.queries import card_history

# ---------------------------------------------------------------- events and scheduling


def record_event(
    session: AsyncSession,
    *,
    lead_id: int,
    team_id: int,
    owner_id: int | None,
    actor_id: int | None,
    kind: str,
    at: datetime,
    from_value: str | None = None,
    to_value: str | None = None,
    payload: dict[str, Any] | None = None,
) -> LeadEvent:
    """The one way a LeadEvent is written (kinds: assistant/domain/events.py). It joins the
    session and is inserted at the next flush, with the others in one statement (db/session.py).
    `owner_id` is the lead's owner after the change; `actor_id` who made it (None: the bot)."""
    row = LeadEvent(
        lead_id=lead_id,
        team_id=team_id,
        owner_id=owner_id,
        actor_id=actor_id,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        payload=payload or {},
        at=at,
    )
    session.add(row)
    if (read := card_history(session, lead_id)) is not None:
        read.written.append(row)
    return row


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
    return record_event(
        session, lead_id=lead.id, team_id=lead.team_id, owner_id=lead.owner_id,
        actor_id=actor_id, kind=kind, at=now,
        from_value=from_value, to_value=to_value, payload=payload,
    )  # fmt: skip


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
    book: cadence_times.SlotBook | None = None, stage_since: datetime | None = None,
) -> None:  # fmt: skip
    """Apply the cadence of PRODUCT.md 5.1 from `anchor` (the latest touch), on a working slot.
    A follow-up the person set by hand stays unless `keep_manual` is off (a contact, a close).
    A batch (the regrade) passes its `book` of slots and the `stage_since` it read for all its
    leads at once (when the lead's stage started, for a dated stage)."""
    if keep_manual and lead.followup_manual and lead.next_followup_at is not None:
        return
    since = lead.created_at
    if lead.stage in cadence.DATED_STAGES:  # only then is the stage's start looked up
        since = stage_since if stage_since is not None else await _stage_since(session, lead)
    when = cadence.next_followup(
        stage=lead.stage,
        grade=lead.grade,
        now=anchor,
        created_at=lead.created_at,
        contacted=lead.last_contact_at is not None,
        stage_since=since,
        cadence=scope_settings["cadence"],
    )
    if when is not None:
        first = cadence.awaits_first_contact(lead.stage, lead.last_contact_at is not None)
        if book is None:
            when = await cadence_times.land_for_lead(session, lead, when, now, first_contact=first)
        else:
            when = await book.land_for_lead(session, lead, when, now, first_contact=first)
    _schedule(session, lead, actor_id, when, now, "cadence")
    if book is not None:
        book.moved(lead)


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
