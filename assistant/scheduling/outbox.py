"""Outbox rows: idempotent inserts, leased claims, and final states.

Statuses: pending → sending (claimed, with a lease) → sent | skipped | dropped.
A row whose lease has run out is claimable again, so a crashed sender loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Outbox
from assistant.db.session import writer_turn
from assistant.scheduling.registry import PushDraft

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
SKIPPED = "skipped"  # the push no longer made sense when its time came
DROPPED = "dropped"  # could not be delivered (bot blocked, chat gone, too many failures)
_CHUNK = 500


async def existing_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these dedupe keys are already in the outbox."""
    existing: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        rows = await session.exec(
            select(Outbox.dedupe_key).where(col(Outbox.dedupe_key).in_(chunk))
        )
        existing.update(rows.all())
    return existing


async def enqueue(session: AsyncSession, drafts: Sequence[PushDraft], now: datetime) -> int:
    """Insert the drafts whose dedupe_key is new; returns how many were inserted.

    Existing keys are filtered first (cheap when a planner re-plans the same pushes every
    minute) and the insert itself ignores conflicts, so two planners racing are harmless.
    """
    unique = {draft.dedupe_key: draft for draft in drafts}
    if not unique:
        return 0
    keys = list(unique)
    existing = await existing_keys(session, keys)
    fresh = [unique[key] for key in keys if key not in existing]
    if not fresh:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # One cached statement run for many rows ("insertmanyvalues"): a VALUES list built per
    # chunk compiles afresh every time, with a bind parameter object per value.
    statement = (
        insert(Outbox)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(Outbox.id))
    )
    connection = await session.connection()
    inserted = 0
    for start in range(0, len(fresh), _CHUNK):
        values = [
            {
                "kind": draft.kind,
                "dedupe_key": draft.dedupe_key,
                "chat_id": draft.chat_id,
                "person_id": draft.person_id,
                "team_id": draft.team_id,
                "payload": draft.payload,
                "due_at": draft.due_at,
                "status": PENDING,
                "attempts": 0,
                "created_at": now,
            }
            for draft in fresh[start : start + _CHUNK]
        ]
        result = await connection.execute(statement, values)
        inserted += len(result.all())
    return inserted


async def claim(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[Outbox]:
    """Take up to `limit` due rows for this sender until `now + lease`.

    Due rows go first in, first out by when they were queued (not by `due_at`, which pacing
    and retries move later: a deferred row must not wait behind the whole backlog), and among
    rows queued together groups go first: a group takes only one message every 3 seconds, so
    starting its rows early keeps them from trailing after a big fan-out.
    PostgreSQL: the inner SELECT locks with SKIP LOCKED, so concurrent senders get disjoint
    rows. SQLite: the single UPDATE statement runs under the database's one writer lock.
    """
    claimable = or_(
        col(Outbox.status) == PENDING,
        and_(col(Outbox.status) == SENDING, col(Outbox.lease_until) < now),
    )
    due = (
        select(Outbox.id)
        .where(claimable, col(Outbox.due_at) <= now)
        .order_by(
            col(Outbox.created_at), case((col(Outbox.chat_id) < 0, 0), else_=1), col(Outbox.id)
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Outbox)
        .where(col(Outbox.id).in_(due.scalar_subquery()))
        .values(status=SENDING, lease_until=now + lease, attempts=col(Outbox.attempts) + 1)
        .returning(Outbox)
    )
    result = await session.exec(statement.execution_options(synchronize_session=False))
    rows: list[Outbox] = list(result.scalars().all())
    rows.sort(key=lambda row: (row.created_at, row.chat_id >= 0, row.id or 0))
    return rows


async def finish(
    session: AsyncSession, row_id: int, *, status: str, now: datetime, error: str | None = None
) -> None:
    values: dict[str, object] = {"status": status, "lease_until": None}
    if status == SENT:
        values["sent_at"] = now
    if error is not None:
        values["last_error"] = error[:300]
    await session.exec(
        update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.status) == SENDING)
        .values(**values)
    )


_TABLE = Outbox.__table__  # type: ignore[attr-defined]
_MARK_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.status == SENDING)
    .values(status=SENT, lease_until=None, sent_at=bindparam("sent_at"))
)


async def mark_sent(engine: AsyncEngine, row_id: int, now: datetime) -> None:
    """`finish(status=SENT)` as one Core statement in a transaction of its own, without an ORM
    session: the sender does it once per message, between sending it and sending the next, so
    it is on the leader's critical path (about half the CPU of the session's way)."""
    async with writer_turn(engine), engine.begin() as connection:
        await connection.execute(_MARK_SENT, {"row_id": row_id, "sent_at": now})


async def retry_later(
    session: AsyncSession,
    row_id: int,
    *,
    at: datetime,
    error: str | None = None,
    undo_attempt: bool = False,
) -> None:
    """Put a claimed row back for a later try (rate limit, pacing, transient failure)."""
    values: dict[str, object] = {"status": PENDING, "lease_until": None, "due_at": at}
    if error is not None:
        values["last_error"] = error[:300]
    if undo_attempt:
        values["attempts"] = col(Outbox.attempts) - 1
    await session.exec(
        update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.status) == SENDING)
        .values(**values)
    )


async def due_backlog(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """How many rows are due and unsent (pending, or claimed and not finished), and the oldest
    due time among them."""
    result = await session.exec(
        select(func.count(), func.min(col(Outbox.due_at))).where(
            col(Outbox.status).in_([PENDING, SENDING]), col(Outbox.due_at) <= now
        )
    )
    count, oldest = result.one()
    if isinstance(oldest, str):  # SQLite's MIN() of a stored time comes back as text
        oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
    return int(count), oldest
