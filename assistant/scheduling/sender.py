"""The sender: claims due outbox rows with a lease, renders them, sends them, marks them.

- Pacing: at most 1 message per second to a private chat and 20 per minute to a group; a row
  for a chat that is not ready yet goes back to the outbox for the chat's next free moment.
  With the system clock, a `Pacer` also spaces the actual requests in wall-clock time (30 a
  second overall, the per-chat gaps), so concurrent sends never earn a 429.
- Throughput: `drain` sends batches back to back while due rows remain; up to `concurrency`
  rows are rendered at once, so database work overlaps the pacing waits; the request and the
  "sent" mark are serialised (at most one push is ever sent-but-unrecorded, so a killed process
  repeats at most one). The cost: one process sends at most 1 / (Bot API round trip + commit)
  messages a second, about 30 a second up to a 30 ms round trip.
- RetryLater (Telegram's 429, as the channel reports it): the row waits as long as asked; it
  does not count as a failure.
- Forbidden (bot blocked, kicked) or a chat that no longer exists: the recipient is marked
  unreachable and the row dropped, instead of retrying forever.
- Other errors: retried with back-off, dropped after MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import update
from sqlmodel import col

from assistant import metrics
from assistant.clock import Clock, system_clock
from assistant.config import Settings
from assistant.db.models import Outbox, Person
from assistant.db.session import Sessionmaker
from assistant.render import Renderer
from assistant.scheduling import outbox
from assistant.scheduling.channel import Channel, RetryLater, SendFailed, Unreachable
from assistant.scheduling.pacing import Pacer
from assistant.scheduling.registry import PUSH_KINDS, PushMessage, RenderContext
from assistant.services.uow import UnitOfWork

logger = logging.getLogger(__name__)

PRIVATE_GAP = timedelta(seconds=1)
GROUP_GAP = timedelta(seconds=3)  # 20 messages a minute
MAX_ATTEMPTS = 5


class SenderApp(Protocol):
    """What the sender needs of the application (the Telegram edge's AppContext has it)."""

    @property
    def sessionmaker(self) -> Sessionmaker: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def renderer(self) -> Renderer: ...
    @property
    def clock(self) -> Clock: ...


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0
    dropped: int = 0
    deferred: int = 0
    failed: int = 0
    claimed: int = 0
    sent_ids: list[int] = field(default_factory=list)

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.dropped += other.dropped
        self.deferred += other.deferred
        self.failed += other.failed
        self.claimed += other.claimed
        self.sent_ids += other.sent_ids


def _gap(chat_id: int) -> timedelta:
    return GROUP_GAP if chat_id < 0 else PRIVATE_GAP


class Sender:
    """One per process; keeps the per-chat pacing of this process in memory."""

    def __init__(
        self,
        app: SenderApp,
        channel: Channel,
        *,
        batch: int = 50,
        lease: timedelta = timedelta(seconds=60),
        concurrency: int = 8,
        pacer: Pacer | bool = True,
        may_send: Callable[[], bool] = lambda: True,
    ) -> None:
        """`pacer`: True paces in wall-clock time when the app runs on the system clock (not
        under a test's controlled clock); False never; or a Pacer to share or tune.
        `may_send`: asked before every claim and every message; false (this process is no
        longer the leader) puts the rest of the batch back at once."""
        self.app = app
        self._engine = app.sessionmaker.kw["bind"]
        self.may_send = may_send
        self.channel = channel
        self.batch = batch
        self.lease = lease
        self.pacer: Pacer | None = None
        if isinstance(pacer, Pacer):
            self.pacer = pacer
        elif pacer and app.clock is system_clock:
            self.pacer = Pacer()
        self._next_free: dict[int, datetime] = {}
        self._semaphore = asyncio.Semaphore(concurrency)
        # One message at a time between "request sent" and "marked sent": a process killed
        # at any moment leaves at most one push that Telegram got but the outbox did not
        # record, so a restart repeats at most one. Rendering still runs `concurrency` wide.
        self._wire = asyncio.Lock()

    async def claim(self, now: datetime) -> list[Outbox]:
        async with UnitOfWork(self.app.sessionmaker) as uow:
            session = uow.session
            return await outbox.claim(session, now=now, lease=self.lease, limit=self.batch)

    async def run_once(self, now: datetime | None = None) -> SendReport:
        """Send what is due now; returns what happened to each claimed row."""
        now = now or self.app.clock()
        if not self.may_send():
            return SendReport()
        rows = await self.claim(now)
        report = SendReport(claimed=len(rows))
        ready: list[Outbox] = []
        for row in rows:
            free_at = self._next_free.get(row.chat_id)
            if free_at is not None and free_at > now:
                await self._defer(row, free_at)
                report.deferred += 1
                continue
            self._next_free[row.chat_id] = now + _gap(row.chat_id)
            ready.append(row)
        await asyncio.gather(*(self._deliver(row, now, report) for row in ready))
        for outcome in ("sent", "skipped", "dropped", "deferred", "failed"):
            metrics.PUSHES.labels(outcome).inc(getattr(report, outcome))
        return report

    async def drain(
        self, *, max_seconds: float = 30.0, keep_going: Callable[[], bool] = lambda: True
    ) -> SendReport:
        """Send batch after batch, each at the clock's current time, while full batches come
        back (more is due), `keep_going()` holds, and for at most about `max_seconds`; the
        sender job calls this."""
        total = SendReport()
        deadline = time.monotonic() + max_seconds
        while True:
            report = await self.run_once(self.app.clock())
            total.add(report)
            if report.claimed < self.batch or time.monotonic() >= deadline or not keep_going():
                return total

    async def _defer(self, row: Outbox, at: datetime, error: str | None = None) -> None:
        async with UnitOfWork(self.app.sessionmaker) as uow:
            session = uow.session
            await outbox.retry_later(session, row.id or 0, at=at, error=error, undo_attempt=True)

    async def _render(self, row: Outbox, now: datetime) -> PushMessage | None:
        kind = PUSH_KINDS.get(row.kind)
        if kind is None:
            raise LookupError(f"no push kind {row.kind!r}")
        async with UnitOfWork(self.app.sessionmaker) as uow:
            session = uow.session
            context = RenderContext(session, now, self.app.settings)
            return await kind.render(context, row)

    async def _deliver(self, row: Outbox, now: datetime, report: SendReport) -> None:
        row_id = row.id or 0
        async with self._semaphore:
            try:
                message = await self._render(row, now)
                if message is None:
                    await self._finish(row_id, outbox.SKIPPED, now)
                    report.skipped += 1
                    return
                if self.pacer is not None:
                    await self.pacer.chat_ready(row.chat_id)  # wait without holding the wire
                async with self._wire:
                    if not self.may_send():
                        await self._defer(row, now)
                        report.deferred += 1
                        return
                    await self._send(row.chat_id, message)
                    await outbox.mark_sent(self._engine, row_id, now)
                # Pace the chat from when the message really left (a batch can take seconds
                # to send), so its next row is deferred instead of waiting in the pacer.
                sent_at = self.app.clock() + _gap(row.chat_id)
                self._next_free[row.chat_id] = max(self._next_free[row.chat_id], sent_at)
            except RetryLater as error:
                seconds = error.seconds
                self._next_free[row.chat_id] = now + timedelta(seconds=seconds)
                await self._defer(row, now + timedelta(seconds=seconds), "retry after")
                report.deferred += 1
                return
            except Unreachable as error:
                await self._gone(row, now, str(error))
                report.dropped += 1
                return
            except (SendFailed, LookupError, OSError) as error:
                await self._failed(row, now, str(error), report)
                return
            except Exception as error:
                logger.exception("push %s failed", row_id)
                await self._failed(row, now, type(error).__name__, report)
                return
            report.sent += 1
            report.sent_ids.append(row_id)

    async def _send(self, chat_id: int, message: PushMessage) -> None:
        parts = self.app.renderer.messages(message.locale, message.template, **message.context)
        for index, part in enumerate(parts):
            actions = message.actions if index == len(parts) - 1 else []
            if self.pacer is None:
                await self.channel.send(chat_id, part, locale=message.locale, actions=actions)
                continue
            async with self.pacer.sending(chat_id):
                await self.channel.send(chat_id, part, locale=message.locale, actions=actions)

    async def _finish(
        self, row_id: int, status: str, now: datetime, error: str | None = None
    ) -> None:
        async with UnitOfWork(self.app.sessionmaker) as uow:
            session = uow.session
            await outbox.finish(session, row_id, status=status, now=now, error=error)

    async def _gone(self, row: Outbox, now: datetime, error: str) -> None:
        async with UnitOfWork(self.app.sessionmaker) as uow:
            session = uow.session
            await outbox.finish(session, row.id or 0, status=outbox.DROPPED, now=now, error=error)
            if row.person_id is not None:
                await session.exec(
                    update(Person).where(col(Person.id) == row.person_id).values(reachable=False)
                )
        logger.info("push %s dropped: the recipient cannot be reached", row.id)

    async def _failed(self, row: Outbox, now: datetime, error: str, report: SendReport) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            await self._finish(row.id or 0, outbox.DROPPED, now, error)
            report.dropped += 1
            return
        backoff = timedelta(seconds=min(30 * 2 ** (row.attempts - 1), 1800))
        async with UnitOfWork(self.app.sessionmaker) as uow:
            session = uow.session
            await outbox.retry_later(session, row.id or 0, at=now + backoff, error=error)
        report.failed += 1
