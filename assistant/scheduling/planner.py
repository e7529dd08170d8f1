"""The planner: on every tick, ask each push kind what is due and put it in the outbox."""

from __future__ import annotations

import logging
from datetime import datetime

from assistant.config import Settings
from assistant.db.session import Sessionmaker, transaction
from assistant.scheduling.outbox import enqueue
from assistant.scheduling.registry import PUSH_KINDS, PlanContext

logger = logging.getLogger(__name__)


async def plan_due(sessionmaker: Sessionmaker, settings: Settings, now: datetime) -> int:
    """Run every registered kind's planner; returns how many new rows went into the outbox.

    Each kind plans in its own transaction, so one failing kind does not stop the others.
    """
    inserted = 0
    for kind in list(PUSH_KINDS.values()):
        try:
            async with transaction(sessionmaker) as session:
                drafts = list(await kind.plan(PlanContext(session, now, settings)))
                inserted += await enqueue(session, drafts, now)
        except Exception:
            logger.exception("planning %s pushes failed", kind.name)
    return inserted
