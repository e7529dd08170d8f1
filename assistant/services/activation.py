"""Activation campaigns (PRODUCT.md 5.4): a batch of dormant leads, one light message each,
the rep taps replied / no reply, the batch is rated, replied leads move up and get scheduled."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import ActivationBatch, Lead, Person, Team
from assistant.domain import activation, events
from assistant.domain.team_settings import effective
from assistant.services import leads, today
from assistant.services.actor import Actor
from assistant.services.concurrency import lock
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event
from assistant.services.suggestions import script_lines

REPLIED = "replied"
SILENT = "silent"


@dataclass(frozen=True)
class Item:
    lead: Lead
    outcome: str | None


@dataclass(frozen=True)
class BatchView:
    batch: ActivationBatch
    items: list[Item]
    scripts: dict[int, str] = field(default_factory=dict)  # lead id -> its light message

    @property
    def replied(self) -> int:
        return sum(item.outcome == REPLIED for item in self.items)

    @property
    def answered(self) -> int:
        return sum(item.outcome is not None for item in self.items)


def batch_size(text: str, team: Team) -> int:
    """`/activate` → the team's batch size; `/activate 5` → 5 (1 to MAX_BATCH)."""
    if not text.strip():
        return int(effective(team.settings)["activation_batch"])
    cleaned = text.strip()
    if not cleaned.isdecimal() or not 1 <= int(cleaned) <= activation.MAX_BATCH:
        raise UserError("activate_bad_size", given=cleaned, limit=activation.MAX_BATCH)
    return int(cleaned)


async def start_batch(
    session: AsyncSession, actor: Actor, *, size: int, now: datetime
) -> BatchView | None:
    """Pick the batch and store it; None when no lead has been quiet for a week."""
    person, team = actor.person, actor.team
    leads = await today.active_leads(session, actor)
    by_id = {lead.id: lead for lead in leads}
    candidates = [
        activation.Candidate(lead.id or 0, lead.grade, lead.last_contact_at or lead.created_at)
        for lead in leads
    ]
    picked = activation.pick_batch(candidates, now, size)
    if not picked:
        return None
    batch = ActivationBatch(
        person_id=person.id or 0,
        team_id=team.id or 0,
        lead_ids=[candidate.lead_id for candidate in picked],
        created_at=now,
    )
    session.add(batch)
    await session.flush()
    started = BatchView(batch, [Item(by_id[c.lead_id], None) for c in picked])
    return await _with_scripts(session, actor, started, now)


async def _with_scripts(
    session: AsyncSession, actor: Actor, shown: BatchView, now: datetime
) -> BatchView:
    """The batch with a light message suggested for each lead not answered yet."""
    open_leads = [item.lead for item in shown.items if item.outcome is None]
    scripts = await script_lines(
        session, person=actor.person, team=actor.team, leads=open_leads, now=now, activation=True
    )
    return replace(shown, scripts=scripts)


async def view(session: AsyncSession, batch: ActivationBatch) -> BatchView:
    rows = await session.exec(select(Lead).where(col(Lead.id).in_(batch.lead_ids)))
    by_id = {lead.id: lead for lead in rows.all()}
    items = [
        Item(by_id[lead_id], batch.outcomes.get(str(lead_id)))
        for lead_id in batch.lead_ids
        if lead_id in by_id
    ]
    return BatchView(batch, items)


async def record(
    session: AsyncSession, actor: Actor, *, batch_id: str, lead_id: str, outcome: str, now: datetime
) -> BatchView:
    """Store one lead's outcome; a reply counts as a contact, lifts the grade and schedules
    the next follow-up. The last answer rates the batch. The batch comes back as it is now,
    with the messages for the leads still to answer."""
    recorded = await _record(
        session, person=actor.person, batch_id=batch_id, lead_id=lead_id, outcome=outcome, now=now
    )
    return await _with_scripts(session, actor, recorded, now)


async def _record(
    session: AsyncSession, *, person: Person, batch_id: str, lead_id: str, outcome: str,
    now: datetime,
) -> BatchView:  # fmt: skip
    batch = await session.get(ActivationBatch, int(batch_id)) if batch_id.isdigit() else None
    if batch is None or batch.person_id != person.id or batch.rating is not None:
        raise UserError("activate_gone")
    if outcome not in (REPLIED, SILENT) or not lead_id.isdigit():
        raise UserError("bad_button")
    # Taps on two devices at once: one at a time, each seeing the answers already stored.
    await lock(session, batch, "created_at")
    if batch.rating is not None:
        raise UserError("activate_gone")
    if int(lead_id) not in batch.lead_ids or lead_id in batch.outcomes:
        return await view(session, batch)  # a repeated tap changes nothing
    lead = await session.get(Lead, int(lead_id))
    if lead is None or lead.deleted_at is not None or lead.owner_id != person.id:
        raise UserError("activate_gone")
    batch.outcomes = {**batch.outcomes, lead_id: outcome}
    if outcome == REPLIED:
        await _replied(session, person=person, lead=lead, now=now)
    result = await view(session, batch)
    if result.answered == len(result.items):
        batch.rating = activation.rate(result.replied, len(result.items))
        batch.rated_at = now
    return result


async def _replied(session: AsyncSession, *, person: Person, lead: Lead, now: datetime) -> None:
    """A reply is a contact (counted under the old grade), lifts the grade, and the next
    follow-up follows the cadence of PRODUCT.md 5.1, as "Done" on a reminder does."""
    scope = await leads.actor_for_lead(session, person, lead)
    await leads.record_contact(session, scope, lead, "activation: replied", now)
    new_grade = lead.grade if lead.grade_manual else activation.raised_grade(lead.grade)
    if new_grade != lead.grade:
        record_event(
            session, lead_id=lead.id or 0, team_id=lead.team_id, owner_id=lead.owner_id,
            actor_id=person.id, kind=events.GRADE, at=now,
            from_value=lead.grade, to_value=new_grade,
            payload={"manual": False, "auto": False, "reason": "activation"},
        )  # fmt: skip
        lead.grade = new_grade
    await leads.reschedule(session, scope, lead, now)
