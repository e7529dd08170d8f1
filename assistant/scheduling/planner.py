"""The planner: on every tick, ask each push kind what is due and put it in the outbox.

Pushes go in BATCH rows at a time, each batch in a short transaction of its own: on SQLite
there is one writer at a time, and a first tick over tens of thousands of overdue follow-ups
written in one transaction kept every command waiting for seconds, past the busy timeout.
The inserts ignore rows already there, so a tick cut short is finished by the next one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from assistant.config import Settings
from assistant.db.session import Sessionmaker
from assistant.scheduling.outbox import enqueue
from assistant.scheduling.registry import PUSH_KINDS, PlanContext, PushDraft, PushKind
from assistant.services.uow import UnitOfWork

logger = logging.getLogger(__name__)
BATCH = 500  # pushes inserted per transaction


async def _chunks(planned: AsyncIterator[PushDraft]) -> AsyncIterator[list[PushDraft]]:
    batch: list[PushDraft] = []
    async for draft in planned:
        batch.append(draft)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def _enqueue_alone(
    sessionmaker: Sessionmaker, drafts: Sequence[PushDraft], now: datetime
) -> int:
    async with UnitOfWork(sessionmaker) as uow:
        session = uow.session
        return await enqueue(session, drafts, now)


async def _plan_kind(
    sessionmaker: Sessionmaker, kind: PushKind, settings: Settings, now: datetime
) -> int:
    """A kind that streams its drafts (an async generator) only reads in its own session; each
    batch is written alone. A kind that returns a list may have changed things as it planned
    (the stale-lead check returns leads to the pool): those changes commit together with its
    first batch of pushes, and any further batches follow alone."""
    inserted = 0
    rest: list[PushDraft] = []
    async with UnitOfWork(sessionmaker) as uow:
        session = uow.session
        planned = kind.plan(PlanContext(session, now, settings))
        if isinstance(planned, AsyncIterator):
            async for batch in _chunks(planned):
                inserted += await _enqueue_alone(sessionmaker, batch, now)
        else:
            drafts = list(await planned)
            inserted += await enqueue(session, drafts[:BATCH], now)
            rest = drafts[BATCH:]
    for start in range(0, len(rest), BATCH):
        inserted += await _enqueue_alone(sessionmaker, rest[start : start + BATCH], now)
    return inserted


async def plan_due(sessionmaker: Sessionmaker, settings: Settings, now: datetime) -> int:
    """Run every registered kind's planner; returns how many new rows went into the outbox.

    One failing kind does not stop the others.
    """
    inserted = 0
    for kind in list(PUSH_KINDS.values()):
        try:
            inserted += await _plan_kind(sessionmaker, kind, settings, now)
        except Exception:
            logger.exception("planning %s pushes failed", kind.name)
    return inserted
