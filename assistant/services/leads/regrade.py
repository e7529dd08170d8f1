"""The regrade: grades follow the calendar (an event date comes closer), in batches per team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Membership, Person, Team
from assistant.domain import pipeline
from assistant.domain.grading import is_upgrade
from assistant.domain.localtime import local_today
from assistant.domain.team_settings import effective
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
