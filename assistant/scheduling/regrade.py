"""The hourly regrade as the scheduler runs it: a short transaction per batch of leads, so on
SQLite a command never waits behind the whole store being regraded."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from assistant.db.models import Lead
from assistant.db.session import Sessionmaker
from assistant.domain import pipeline
from assistant.services.leads import regrade_batch
from assistant.services.uow import UnitOfWork


async def regrade_in_batches(sessionmaker: Sessionmaker, *, now: datetime) -> int:
    """Regrade every team's open leads; returns how many leads changed grade."""
    async with sessionmaker() as session:
        teams = select(Lead.team_id).distinct()
        open_leads = teams.where(
            col(Lead.deleted_at).is_(None),
            col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
            col(Lead.grade_manual).is_(False),
        )
        team_ids = sorted((await session.exec(open_leads)).all())
    changed = 0
    for team_id in team_ids:
        after: int | None = 0
        while after is not None:
            async with UnitOfWork(sessionmaker) as uow:
                session = uow.session
                changes, after = await regrade_batch(session, team_id=team_id, after=after, now=now)
            changed += len(changes)
    return changed
