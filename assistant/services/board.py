"""The leads a person's board and overdue list show: queries for the Mini App's pages, scoped
by the permission module (a rep's own leads, the whole team's for a manager)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead
from assistant.domain.pipeline import LOST, WON
from assistant.services import permissions
from assistant.services.actor import Actor

WON_SHOWN_FOR: Final = timedelta(days=30)  # a won lead stays on the board this long


async def board_leads(session: AsyncSession, actor: Actor, now: datetime) -> list[Lead]:
    """Open leads, and those won in the last 30 days; best grade and earliest follow-up first
    (no follow-up last, on both databases)."""
    rows = await session.exec(
        select(Lead)
        .where(*permissions.lead_scope(actor.member), col(Lead.deleted_at).is_(None))
        .where(col(Lead.stage) != LOST)
        .where((col(Lead.stage) != WON) | (col(Lead.updated_at) >= now - WON_SHOWN_FOR))
        .order_by(
            col(Lead.grade),
            col(Lead.next_followup_at).is_(None),
            col(Lead.next_followup_at),
            col(Lead.number),
        )
    )
    return list(rows.all())


async def overdue_leads(
    session: AsyncSession, actor: Actor, now: datetime, *, limit: int
) -> list[Lead]:
    """Open leads the actor may see whose follow-up time has passed, the oldest first."""
    rows = await session.exec(
        select(Lead)
        .where(
            *permissions.lead_scope(actor.member),
            col(Lead.deleted_at).is_(None),
            col(Lead.stage).not_in([WON, LOST]),
            col(Lead.next_followup_at).is_not(None),
            col(Lead.next_followup_at) <= now,
        )
        .order_by(col(Lead.next_followup_at), col(Lead.number))
        .limit(limit)
    )
    return list(rows.all())
