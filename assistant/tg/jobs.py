"""Wiring the leader lease, the planner, the sender and the regrade into PTB's JobQueue.

Jobs only drive the functions; the state is in the database, so a restart loses nothing. Every
process renews or seeks the leader lease; only the leader plans, sends and regrades (see
leader.py), so Telegram's limits hold for the whole bot however many processes run. With a
controlled clock (tests, benchmarks) no jobs are installed: the caller runs `plan_due` and
`Sender.run_once` itself at the times it chooses.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from assistant.clock import system_clock
from assistant.scheduling.leader import Leadership
from assistant.scheduling.planner import plan_due
from assistant.scheduling.regrade import regrade_in_batches
from assistant.scheduling.sender import Sender
from assistant.tg.channel import telegram_sender
from assistant.tg.common import AppContext

logger = logging.getLogger(__name__)
LEADER_JOB = "leader-lease"
PLANNER_JOB = "outbox-planner"
SENDER_JOB = "outbox-sender"
REGRADE_JOB = "regrade"
# Grades depend on the local date; an hourly pass catches every zone's new day well before
# its 09:00 briefing, and a pass that changes nothing writes nothing.
REGRADE_INTERVAL_SECONDS = 3600.0


def leadership_of(application: Application) -> Leadership:  # type: ignore[type-arg]
    leadership = application.bot_data.get("leadership")
    if leadership is None:
        app: AppContext = application.bot_data["app"]
        leadership = Leadership(
            app.sessionmaker,
            dialect=application.bot_data["engine"].dialect.name,
            lease_seconds=app.settings.leader_lease_seconds,
        )
        application.bot_data["leadership"] = leadership
    assert isinstance(leadership, Leadership)
    return leadership


def sender_of(application: Application) -> Sender:  # type: ignore[type-arg]
    sender = application.bot_data.get("sender")
    if sender is None:
        app: AppContext = application.bot_data["app"]
        leadership = leadership_of(application)
        # A row's lease is the leader's: when a dead leader's lease has run out, so have the
        # leases of the rows it had claimed, and the next leader sends them.
        # Batches of 100 (about 3.5 s of sending): the pause between two batches (claim, first
        # render) is paid less often.
        sender = telegram_sender(
            app,
            application.bot,
            batch=100,
            lease=timedelta(seconds=app.settings.leader_lease_seconds),
            may_send=lambda: leadership.is_leader,
        )
        application.bot_data["sender"] = sender
    assert isinstance(sender, Sender)
    return sender


async def _lead(context: ContextTypes.DEFAULT_TYPE) -> None:
    leadership = leadership_of(context.application)
    was_leader = leadership.is_leader
    if await leadership.attempt() and not was_leader:
        await _send(context)  # a new leader sends what is due at once, not at the next tick


async def _plan(context: ContextTypes.DEFAULT_TYPE) -> None:
    if not leadership_of(context.application).is_leader:
        return
    app: AppContext = context.application.bot_data["app"]
    inserted = await plan_due(app.sessionmaker, app.settings, app.clock())
    if inserted:
        logger.info("planned %d pushes", inserted)


async def _send(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start a drain unless one is still running: a long fan-out goes on back to back (about
    30 messages a second) instead of one batch per tick, and ticks never pile up."""
    application = context.application
    leadership = leadership_of(application)
    if not leadership.is_leader:
        return
    running = application.bot_data.get("sending")
    if running is not None and not running.done():
        return
    # Until nothing more is due, the bot stops or another process leads; a lease is per
    # batch, so length is harmless.
    drain = sender_of(application).drain(
        max_seconds=600.0,
        keep_going=lambda: bool(application.running) and leadership.is_leader,
    )
    application.bot_data["sending"] = application.create_task(drain, name=SENDER_JOB)


async def _regrade(context: ContextTypes.DEFAULT_TYPE) -> None:
    if not leadership_of(context.application).is_leader:
        return
    app: AppContext = context.application.bot_data["app"]
    changed = await regrade_in_batches(app.sessionmaker, now=app.clock())
    if changed:
        logger.info("regraded %d leads", changed)


def install_jobs(application: Application, *, force: bool = False) -> bool:  # type: ignore[type-arg]
    """Schedule the lease, the planner, the sender and the hourly regrade; returns whether
    installed."""
    app: AppContext = application.bot_data["app"]
    queue = application.job_queue
    if queue is None:
        logger.warning("no JobQueue (install python-telegram-bot[job-queue]): pushes are off")
        return False
    if app.clock is not system_clock and not force:
        return False
    leadership = leadership_of(application)
    sender_of(application)
    settings = app.settings
    queue.run_repeating(_lead, interval=leadership.attempt_interval, first=0.0, name=LEADER_JOB)
    queue.run_repeating(
        _plan, interval=settings.planner_interval_seconds, first=1.0, name=PLANNER_JOB
    )
    queue.run_repeating(
        _send, interval=settings.sender_interval_seconds, first=2.0, name=SENDER_JOB
    )
    queue.run_repeating(_regrade, interval=REGRADE_INTERVAL_SECONDS, first=5.0, name=REGRADE_JOB)
    return True


async def step_down(application: Application) -> None:  # type: ignore[type-arg]
    """On a normal stop, after the sender has finished: let another process lead at once."""
    leadership = application.bot_data.get("leadership")
    if isinstance(leadership, Leadership):
        await leadership.release()
