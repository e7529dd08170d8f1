"""Merging a duplicate into the lead that is kept (the "merge" button under a duplicate).

Everything that points at the duplicate moves to the kept lead before the duplicate is deleted:
its history, the scripts used on it, its customer notes, the referral that brought it and the
referrals it made, and its place in activation batches. Pushes already planned about it are
skipped when due (their lead is gone); the kept lead's own are planned as usual.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import rollups
from assistant.db.models import (
    ActivationBatch,
    CustomerNote,
    Lead,
    LeadEvent,
    Referral,
    ScriptUse,
)
from assistant.domain import events
from assistant.services.actor import Actor
from assistant.services.concurrency import hold_lead
from assistant.services.errors import UserError
from assistant.services.leads import (
    NOTE_LIMIT,
    _contact_facts,
    _event,
    _grade_event,
    _regrade,
)

# The duplicate's own creation, phone/WeChat, grade and follow-up events go with it, so it no
# longer counts as a new lead; everything else it lived through moves to the kept lead.
DROPPED_KINDS: Final = {
    events.CREATED, events.PHONE, events.WECHAT, events.GRADE, events.FOLLOWUP
}  # fmt: skip


async def merge_leads(
    session: AsyncSession, scope: Actor, source: Lead, target: Lead, now: datetime
) -> None:
    """Fold `source` into `target`: empty fields filled, history and links moved, source removed."""
    if source.id == target.id:
        raise UserError("bad_button")
    # Two people merging the same pair (or deleting one of them) at once: one of them wins.
    await hold_lead(session, source, "deleted_at")
    await hold_lead(session, target, "deleted_at")
    if target.wechat is None and source.wechat is not None:
        target.wechat, target.messenger = source.wechat, source.messenger  # an id with its app
    for name in ("phone", "source", "event_date", "tags"):
        if getattr(target, name) is None and getattr(source, name) is not None:
            setattr(target, name, getattr(source, name))
    if source.intent:
        joined = f"{target.intent} {source.intent}" if target.intent else source.intent
        target.intent = joined[:NOTE_LIMIT]
    target.strong_intent = target.strong_intent or source.strong_intent
    if source.last_contact_at and (
        target.last_contact_at is None or source.last_contact_at > target.last_contact_at
    ):
        target.last_contact_at = source.last_contact_at
    moved = rollups.EVENT.c
    await rollups.moving(
        session,
        [moved.lead_id == source.id],
        owner=target.owner_id,
        team=target.team_id,
        keep=[moved.kind.not_in(DROPPED_KINDS)],
        lead_live=target.deleted_at is None,
    )
    await session.exec(
        update(LeadEvent)
        .where(col(LeadEvent.lead_id) == source.id, col(LeadEvent.kind).not_in(DROPPED_KINDS))
        .values(lead_id=target.id, owner_id=target.owner_id)
        .execution_options(synchronize_session=False)
    )
    await session.exec(delete(LeadEvent).where(col(LeadEvent.lead_id) == source.id))
    await _move_links(session, source, target)
    await session.delete(source)
    await session.flush()
    target.updated_at = now
    _event(
        session, target, scope.person_id, events.NOTE, now,
        payload={"note": f"#{source.number} {source.name}", "merged_from": source.number},
    )  # fmt: skip
    _contact_facts(session, target, scope.person_id, now)
    changed = _regrade(target, scope.today(now), scope.settings["grading"])
    if changed is not None:
        _grade_event(session, target, scope.person_id, changed, now)


async def _move_links(session: AsyncSession, source: Lead, target: Lead) -> None:
    """Every row that names the duplicate names the kept lead instead."""
    for table in (ScriptUse, CustomerNote):
        await session.exec(
            update(table)
            .where(col(table.lead_id) == source.id)
            .values(lead_id=target.id)
            .execution_options(synchronize_session=False)
        )
    await _move_referrals(session, source, target)
    await _move_batches(session, source, target)


async def _move_referrals(session: AsyncSession, source: Lead, target: Lead) -> None:
    """The kept lead keeps its own referrer (or takes the duplicate's) and every referral the
    duplicate made; a referral between the two would name the lead as its own referrer."""
    await session.exec(
        delete(Referral).where(
            (col(Referral.lead_id) == source.id) & (col(Referral.customer_id) == target.id)
            | (col(Referral.lead_id) == target.id) & (col(Referral.customer_id) == source.id)
        )
    )
    kept = (await session.exec(select(Referral.id).where(Referral.lead_id == target.id))).first()
    if kept is not None:
        await session.exec(delete(Referral).where(col(Referral.lead_id) == source.id))
    else:
        await session.exec(
            update(Referral)
            .where(col(Referral.lead_id) == source.id)
            .values(lead_id=target.id)
            .execution_options(synchronize_session=False)
        )
    await session.exec(
        update(Referral)
        .where(col(Referral.customer_id) == source.id)
        .values(customer_id=target.id)
        .execution_options(synchronize_session=False)
    )


async def _move_batches(session: AsyncSession, source: Lead, target: Lead) -> None:
    """Activation batches (lead ids in JSON) list the kept lead in the duplicate's place."""
    batches = (
        await session.exec(select(ActivationBatch).where(ActivationBatch.team_id == source.team_id))
    ).all()
    assert target.id is not None
    for batch in batches:
        if source.id not in batch.lead_ids:
            continue
        ids = [target.id if item == source.id else item for item in batch.lead_ids]
        batch.lead_ids = [item for index, item in enumerate(ids) if item not in ids[:index]]
        outcomes = dict(batch.outcomes)
        moved = outcomes.pop(str(source.id), None)
        if moved is not None:
            outcomes.setdefault(str(target.id), moved)
        batch.outcomes = outcomes
