"""The regrade: grades follow the calendar (an event date comes closer), in batches per team."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, inspect, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.domain import events, pipeline
from assistant.domain.cadence import DATED_STAGES
from assistant.domain.grading import is_upgrade
from assistant.domain.localtime import local_today
from assistant.domain.team_settings import effective
from assistant.services import cadence_times
from assistant.services.leads.events import _grade_event, _regrade, _reschedule

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
    with session.no_autoflush:  # the leads are written once, below, not by the ORM
        changes = await _regrade_leads(session, batch, settings, zones, default_zone, now)
    await _write_leads(session, batch)
    await session.flush()  # the grade and follow-up events, through db/session.py's flush hook
    if len(batch) < REGRADE_BATCH:
        return changes, None
    return changes, batch[-1].id or 0


async def _regrade_leads(
    session: AsyncSession, batch: Sequence[Lead], settings: dict[str, Any],
    zones: dict[int | None, str], default_zone: str, now: datetime,
) -> list[GradeChange]:  # fmt: skip
    """Regrade the batch's leads in memory, one after the other as one by one would: a grade
    event per change, and the cadence after the last contact rescheduled on the owner's slots
    (what the rescheduling needs is read for the whole batch first: the dated stages' starts,
    the owners, their follow-ups in a `SlotBook`)."""
    regraded: list[tuple[Lead, str]] = []
    for lead in batch:
        zone = zones.get(lead.owner_id, default_zone) if lead.owner_id else default_zone
        old = _regrade(lead, local_today(now, zone), settings["grading"])
        if old is not None:
            regraded.append((lead, old))
    contacted = [lead for lead, _ in regraded if lead.last_contact_at is not None]
    since = await _stage_starts(session, [c for c in contacted if c.stage in DATED_STAGES])
    owners = {lead.owner_id for lead in contacted if lead.owner_id is not None}
    team_id = batch[0].team_id if batch else 0
    book = await cadence_times.SlotBook.read(session, team_id, owners)
    changes: list[GradeChange] = []
    for lead, old in regraded:
        assert lead.id is not None
        lead.updated_at = now
        _grade_event(session, lead, None, old, now)
        if lead.last_contact_at is not None:  # the cadence after the contact follows the grade
            await _reschedule(
                session, settings, lead, None, now, lead.last_contact_at,
                book=book, stage_since=since.get(lead.id, lead.created_at),
            )  # fmt: skip
        changes.append(GradeChange(lead.id, lead.number, lead.owner_id, old, lead.grade))
    return changes


async def _stage_starts(session: AsyncSession, leads: Sequence[Lead]) -> dict[int, datetime]:
    """When each lead entered its current stage (its latest move into it), in one statement;
    leads never moved into it are left out (their stage started when they were created)."""
    if not leads:
        return {}
    found = await session.exec(
        select(LeadEvent.lead_id, LeadEvent.to_value, func.max(LeadEvent.at))
        .where(
            col(LeadEvent.lead_id).in_([lead.id for lead in leads]),
            LeadEvent.kind == events.STAGE,
            col(LeadEvent.to_value).in_({lead.stage for lead in leads}),
        )
        .group_by(col(LeadEvent.lead_id), col(LeadEvent.to_value))
    )
    stages = {lead.id: lead.stage for lead in leads}
    return {lead_id: at for lead_id, stage, at in found.all() if stages.get(lead_id) == stage}


async def _write_leads(session: AsyncSession, batch: Sequence[Lead]) -> None:
    """Write what the regrade changed on the batch's leads: one UPDATE executemany per set of
    changed columns (a handful), instead of the ORM's flush, which writes runs of leads with
    the same set and so sends a statement every few leads. Each lead is written only the
    columns that changed, as the ORM would. The leads then leave the session."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for lead in batch:
        state = inspect(lead)
        values = {
            key: getattr(lead, key)
            for key in state.committed_state  # the attributes set since the lead was read
            if state.attrs[key].history.has_changes()
        }
        if values:
            groups.setdefault(tuple(sorted(values)), []).append({**values, "lead_id_": lead.id})
    with session.no_autoflush:  # the ORM would write the leads first, a run at a time
        for keys, rows in groups.items():
            await session.exec(_update_of(keys), params=rows)
    for lead in batch:
        session.expunge(lead)


@cache
def _update_of(keys: tuple[str, ...]) -> Any:
    table: Any = Lead.__table__  # type: ignore[attr-defined]
    values = {key: bindparam(key, type_=table.c[key].type) for key in keys}
    return update(table).where(table.c.id == bindparam("lead_id_")).values(values)


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
