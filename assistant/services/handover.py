"""Moving leads between people: /handover, and the team pool when someone is removed.

A lead's history (its LeadEvent rows) and its pending follow-up (Lead.next_followup_at) belong to
the lead, so they move with it. Every move writes one "assigned" event per lead. The whole move
happens in the caller's transaction: a failure part-way leaves every lead with its old owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Outbox, Person, Team
from assistant.domain import events
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import hold_all
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event
from assistant.services.teams import Member, find_member, roster

FLUSH_EVERY = 250
POOL_WORDS = {"pool", "池", "公海", "线索池"}
ALL_WORDS = {"all", "全部", "所有"}
RANGE_LIMIT = 5000


def assigned_event(
    session: AsyncSession, lead: Lead, *, to_id: int | None, actor_id: int, now: datetime
) -> LeadEvent:
    assert lead.id is not None
    return record_event(
        session,
        lead_id=lead.id,
        team_id=lead.team_id,
        owner_id=to_id,
        actor_id=actor_id,
        kind=events.ASSIGNED,
        from_value=None if lead.owner_id is None else str(lead.owner_id),
        to_value=None if to_id is None else str(to_id),
        payload={"by": actor_id},
        at=now,
    )


async def reassign(
    session: AsyncSession,
    *,
    leads: Sequence[Lead],
    to_id: int | None,
    actor_id: int,
    now: datetime,
    changed: str = "leads_changed",
) -> int:
    """Give the leads to `to_id` (None: the team pool), one assigned event each.

    Each lead must still have the owner it was read with (two managers, or a manager and a
    rep claiming, moving the same lead at once): otherwise nothing moves and UserError(`changed`)
    names the leads someone else moved first.
    """
    moving = [lead for lead in leads if lead.owner_id != to_id]
    lost = await hold_all(session, moving, "owner_id")
    if lost:
        numbers = sorted(lead.number for lead in lost)
        raise UserError(changed, numbers=numbers[:20], number=numbers[0])
    moved = 0
    by_old_owner: dict[int, set[int]] = {}
    for lead in moving:
        if lead.owner_id is not None and lead.id is not None:
            by_old_owner.setdefault(lead.owner_id, set()).add(lead.id)
        assigned_event(session, lead, to_id=to_id, actor_id=actor_id, now=now)
        lead.owner_id = to_id
        lead.updated_at = now
        moved += 1
        if moved % FLUSH_EVERY == 0:
            await session.flush()
    await session.flush()
    await _redirect_pending_pushes(session, by_old_owner, to_id=to_id)
    return moved


async def _redirect_pending_pushes(
    session: AsyncSession, by_old_owner: dict[int, set[int]], *, to_id: int | None
) -> None:
    """Pending pushes about a moved lead (Outbox.payload["lead_id"]) follow the lead.

    The old owner must not get a reminder naming a client they no longer have; the new owner
    gets it instead, and a lead going to the pool has nobody to remind.
    """
    if not by_old_owner:
        return
    target = await session.get(Person, to_id) if to_id is not None else None
    rows = (
        await session.exec(
            select(Outbox).where(
                Outbox.status == "pending",
                col(Outbox.person_id).in_(list(by_old_owner)),
            )
        )
    ).all()
    for row in rows:
        lead_id = row.payload.get("lead_id") if isinstance(row.payload, dict) else None
        if row.person_id is None or lead_id not in by_old_owner.get(row.person_id, set()):
            continue
        if target is not None and target.chat_id is not None:
            row.person_id = target.id
            row.chat_id = target.chat_id
        else:
            row.status = "dropped"
            row.last_error = "lead handed over"


def parse_lead_numbers(words: Sequence[str]) -> list[int] | None:
    """`all` -> None (every lead); `12 13`, `12,13`, `#12`, `12-15` -> the numbers."""
    tokens = [part for word in words for part in word.replace("，", ",").split(",") if part]
    if not tokens or (len(tokens) == 1 and tokens[0].casefold() in ALL_WORDS):
        return None
    numbers: set[int] = set()
    for token in tokens:
        cleaned = token.lstrip("#")
        low, dash, high = cleaned.partition("-")
        if dash and _is_number(low) and _is_number(high) and int(low) <= int(high):
            if int(high) - int(low) >= RANGE_LIMIT:
                raise UserError("too_many_numbers", limit=RANGE_LIMIT)
            numbers.update(range(int(low), int(high) + 1))
        elif _is_number(cleaned):
            numbers.add(int(cleaned))
        else:
            raise UserError("handover_bad_numbers", given=token[:40])
        if len(numbers) > RANGE_LIMIT:  # ranges add up: `1-5000 5001-10000 …`
            raise UserError("too_many_numbers", limit=RANGE_LIMIT)
    return sorted(numbers)


def _is_number(text: str) -> bool:
    """A lead number as people type them: ASCII digits, at most 9 (as `/lead` accepts)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


@dataclass(frozen=True)
class Handover:
    team: Team
    source: Member | None  # None: the team pool
    target: Member
    numbers: list[int]  # lead numbers moved (not counting soft-deleted ones)
    moved: int  # every lead moved, soft-deleted ones included


async def hand_over(
    session: AsyncSession, actor: Actor, *, args: Sequence[str], now: datetime
) -> Handover:
    """`/handover <from> <to> [numbers|all]`: owner or manager only, inside their own team."""
    team, person = actor.team, actor.person
    permissions.require_manager(actor.member)
    members = await roster(session, actor.team_id)
    if len(args) < 2:
        raise UserError("handover_usage")
    source: Member | None = None
    if args[0].casefold() not in POOL_WORDS:
        source = find_member(members, args[0], me=person)
    target = find_member(members, args[1], me=person)
    if source is not None and source.person.id == target.person.id:
        raise UserError("handover_same_person", name=target.person.name)
    wanted = parse_lead_numbers(args[2:])
    from_id = source.person.id if source is not None else None
    query = select(Lead).where(Lead.team_id == team.id, Lead.owner_id == from_id)
    if wanted is not None:
        query = query.where(Lead.number.in_(wanted))  # type: ignore[attr-defined]
    leads = list((await session.exec(query.order_by(Lead.number))).all())  # type: ignore[arg-type]
    if wanted is not None:
        found = {lead.number for lead in leads if lead.deleted_at is None}
        missing = [number for number in wanted if number not in found]
        if missing:
            raise UserError(
                "handover_not_theirs",
                numbers=missing[:20],
                more=max(0, len(missing) - 20),
                name=source.person.name if source else None,
            )
    if not leads:
        raise UserError("handover_nothing", name=source.person.name if source else None)
    assert target.person.id is not None and person.id is not None
    moved = await reassign(
        session, leads=leads, to_id=target.person.id, actor_id=person.id, now=now
    )
    numbers = [lead.number for lead in leads if lead.deleted_at is None]
    return Handover(team, source, target, numbers, moved)
