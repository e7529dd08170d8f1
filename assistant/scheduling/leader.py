"""Leadership: one process at a time plans and sends pushes, however many are running.

Telegram's limits (30 messages a second, 1 a second per chat, 20 a minute per group) are for
the whole bot, so exactly one process may pace and send; every process still answers updates.

On PostgreSQL the leader holds a lease row (`leaderlease`) with an expiry taken from the
database's clock and renews it twice a second; a process whose lease ran out, or who finds
another holder, stops at once, and any other process takes the row as soon as it has expired.
We chose a lease row over `pg_try_advisory_lock` on a dedicated connection because:
- the lease ends at a known moment, the same for every process (the server's clock), so the
  old leader can stop sending *before* anyone else may start (it counts its lease from before
  it asked, on its own monotonic clock); an advisory lock ends when the server notices the
  connection is gone, which after a network split or a frozen host can take minutes
  (TCP keep-alive), while the old leader cannot tell it has lost it;
- it works through connection poolers in transaction mode (PgBouncer), where a session lock
  is lost or held by the wrong client;
- who leads, since when and until when is one `SELECT * FROM leaderlease` away.
The price is two small UPDATEs a second per process, and a takeover after a crash that waits
for the lease to run out (at most the lease plus one attempt interval) instead of being
immediate. A process that stops normally gives the lease up, so a restart hands over at once.

On SQLite the store serves one process, which is simply the leader.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from assistant import metrics
from assistant.db.session import Sessionmaker, transaction

logger = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
MARGIN_SECONDS = 0.5  # stop this much before the lease ends on the database's clock

_ACQUIRE = text(
    """
    INSERT INTO leaderlease (name, holder, expires_at, since)
    VALUES (:name, :holder, clock_timestamp() + make_interval(secs => :seconds),
            clock_timestamp())
    ON CONFLICT (name) DO UPDATE
    SET holder = excluded.holder,
        expires_at = excluded.expires_at,
        since = CASE WHEN leaderlease.holder = excluded.holder
                     THEN leaderlease.since ELSE excluded.since END
    WHERE leaderlease.holder = excluded.holder OR leaderlease.expires_at < clock_timestamp()
    RETURNING holder
    """
)
_RELEASE = text(
    "UPDATE leaderlease SET expires_at = clock_timestamp() WHERE name = :name AND holder = :holder"
)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leadership:
    """Whether this process may plan and send; `attempt()` takes or renews the lease."""

    def __init__(
        self,
        sessionmaker: Sessionmaker,
        *,
        dialect: str,
        lease_seconds: float,
        holder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.shared = dialect == "postgresql"
        self.lease_seconds = lease_seconds
        self.holder = holder or process_name()
        self._clock = clock
        self._valid_until = -math.inf
        self._was_leader = False
        metrics.LEADER.set(0 if self.shared else 1)

    @property
    def attempt_interval(self) -> float:
        """How often to renew (as leader) or to look for an expired lease (as follower)."""
        return max(0.2, min(0.5, self.lease_seconds / 16))

    @property
    def is_leader(self) -> bool:
        return not self.shared or self._clock() < self._valid_until

    async def attempt(self) -> bool:
        """Take the lease if it is free or expired, renew it if ours; returns is_leader."""
        if not self.shared:
            return True
        asked_at = self._clock()
        try:
            async with transaction(self.sessionmaker) as session:
                connection = await session.connection()
                parameters = {
                    "name": LEASE_NAME,
                    "holder": self.holder,
                    "seconds": self.lease_seconds,
                }
                granted = (await connection.execute(_ACQUIRE, parameters)).first() is not None
        except (SQLAlchemyError, OSError) as error:
            # Keep what we have until it runs out: a short outage must not stop the sender.
            logger.warning("could not renew the leader lease (%s)", type(error).__name__)
        else:
            lease_end = asked_at + self.lease_seconds - MARGIN_SECONDS
            self._valid_until = lease_end if granted else -math.inf
        self._report()
        return self.is_leader

    async def release(self) -> None:
        """Give the lease up (on a normal stop), so another process takes over at once."""
        if not self.shared or not self.is_leader:
            return
        self._valid_until = -math.inf
        self._report()
        try:
            async with transaction(self.sessionmaker) as session:
                connection = await session.connection()
                await connection.execute(_RELEASE, {"name": LEASE_NAME, "holder": self.holder})
        except (SQLAlchemyError, OSError):
            logger.warning("could not give up the leader lease; it runs out by itself")

    def _report(self) -> None:
        leading = self.is_leader
        metrics.LEADER.set(1 if leading else 0)
        if leading != self._was_leader:
            if leading:
                logger.info("this process now plans and sends pushes (%s)", self.holder)
            else:
                logger.info("this process no longer plans and sends pushes")
            self._was_leader = leading
