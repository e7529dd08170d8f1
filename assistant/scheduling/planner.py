"""The planner: on every tick, ask each push kind what is due and put it in the outbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Iterable
from datetime import datetime

from assistant.config import Settings
from assistant.db.session import Sessionmaker, transaction
from assistant.scheduling.outbox import enqueue
from assistant.scheduling.registry import PUSH_KINDS, PlanContext, PushDraft

logger = logging.getLogger(__name__)
BATCH = 500  # drafts of a streaming kind inserted at a time


async def _batches(
    planned: Awaitable[Iterable[PushDraft]] | AsyncIterator[PushDraft],
) -> AsyncIterator[list[PushDraft]]:
    if not isinstance(planned, AsyncIterator):
        yield list(await planned)
        return
    batch: list[PushDraft] = []
    async for draft in planned:
        batch.append(draft)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def plan_due(sessionmaker: Sessionmaker, settings: Settings, now: datetime) -> int:
    """Run every registered kind's planner; returns how many new rows went into the outbox.

    Each kind plans in its own transaction, so one failing kind does not stop the others.
    """
    inserted = 0
    for kind in list(PUSH_KINDS.values()):
        planned = 0
        try:
            async with transaction(sessionmaker) as session:
                async for drafts in _batches(kind.plan(PlanContext(session, now, settings))):
                    planned += await enqueue(session, drafts, now)
            inserted += planned
        except Exception:
            logger.exception("planning %s pushes failed", kind.name)
    return inserted
