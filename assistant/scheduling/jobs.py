"""Wiring the planner and the sender into PTB's JobQueue.

Jobs only drive the two functions; the state is in the outbox table, so a restart loses
nothing. With a controlled clock (tests, benchmarks) no jobs are installed: the caller runs
`plan_due` and `Sender.run_once` itself at the times it chooses.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from assistant.clock import system_clock
from assistant.db.session import transaction
from assistant.scheduling.planner import plan_due
from assistant.scheduling.sender import Sender
from assistant.services.leads import regrade_all_teams
from assistant.tg.common import AppContext

logger = logging.getLogger(__name__)
PLANNER_JOB = "outbox-planner"
SENDER_JOB = "outbox-sender"
REGRADE_JOB = "regrade"
# Grades depend on the local date; an hourly pass catches every zone's new day well before
# its 09:00 briefing, and a pass that changes nothing writes nothing.
REGRADE_INTERVAL_SECONDS = 3600.0


def sender_of(application: Application) -> Sender:  # type: ignore[type-arg]
    sender = application.bot_data.get("sender")
    if sender is None:
        sender = Sender(application.bot_data["app"], application.bot)
        application.bot_data["sender"] = sender
    assert isinstance(sender, Sender)
    return sender


async def _plan(context: ContextTypes.DEFAULT_TYPE) -> None:
    app: AppContext = context.application.bot_data["app"]
    inserted = await plan_due(app.sessionmaker, app.settings, app.clock())
    if inserted:
        logger.info("planned %d pushes", inserted)


async def _send(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start a drain unless one is still running: a long fan-out goes on back to back (about
    30 messages a second) instead of one batch per tick, and ticks never pile up."""
    application = context.application
    running = application.bot_data.get("sending")
    if running is not None and not running.done():
        return
    # Until nothing more is due or the bot stops; a lease is per batch, so length is harmless.
    drain = sender_of(application).drain(
        max_seconds=600.0, keep_going=lambda: bool(application.running)
    )
    application.bot_data["sending"] = application.create_task(drain, name=SENDER_JOB)


async def _regrade(context: ContextTypes.DEFAULT_TYPE) -> None:
    app: AppContext = context.application.bot_data["app"]
    async with transaction(app.sessionmaker) as session:
        changes = await regrade_all_teams(session, now=app.clock())
    if changes:
        logger.info("regraded %d leads", len(changes))


def install_jobs(application: Application, *, force: bool = False) -> bool:  # type: ignore[type-arg]
    """Schedule the planner, the sender and the hourly regrade; returns whether installed."""
    app: AppContext = application.bot_data["app"]
    queue = application.job_queue
    if queue is None:
        logger.warning("no JobQueue (install python-telegram-bot[job-queue]): pushes are off")
        return False
    if app.clock is not system_clock and not force:
        return False
    sender_of(application)
    settings = app.settings
    queue.run_repeating(
        _plan, interval=settings.planner_interval_seconds, first=1.0, name=PLANNER_JOB
    )
    queue.run_repeating(
        _send, interval=settings.sender_interval_seconds, first=2.0, name=SENDER_JOB
    )
    queue.run_repeating(_regrade, interval=REGRADE_INTERVAL_SECONDS, first=5.0, name=REGRADE_JOB)
    return True
