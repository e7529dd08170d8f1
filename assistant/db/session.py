"""Async engine and sessions; SQLite gets WAL, a busy timeout and foreign keys."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import rollups, sqlite_thread
from assistant.db.models import LeadEvent, copy_grade

Sessionmaker = async_sessionmaker[AsyncSession]
logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's own checkpoint runs inside the commit that crosses its threshold: that update
    # waits for the copy and its fsync (5-150 ms, about one /add in 70). `checkpoints`
    # does it in the background; this one is only the backstop should that fall behind.
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
    cursor.close()


BACKSTOP_CHECKPOINT_PAGES = 10_000  # 40 MB of WAL; SQLite's default is 1,000
CHECKPOINT_SECONDS = 1.0


async def checkpoints(engine: AsyncEngine, every: float = CHECKPOINT_SECONDS) -> None:
    """Copy SQLite's WAL into the database every `every` seconds, until cancelled.

    A PASSIVE checkpoint neither waits for nor blocks readers and writers, and it runs on a
    pooled connection of its own, so on an aiosqlite thread that no update is waiting on.
    """
    while True:
        await asyncio.sleep(every)
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # the backstop checkpoint still bounds the WAL
            logger.warning("background checkpoint failed", exc_info=True)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    items: Iterable[Any]
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return False
    # One loop over a row's values; only nested ones (a JSON payload, rows of a batch) recurse.
    for item in items:
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict | list | tuple) and _has_nul(item):
            return True
    return False


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(item) for item in value)
    return value


_MANY = 64  # parameter rows past which a statement is a bulk insert


def _drop_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
) -> tuple[str, Any]:
    """A NUL character in a text parameter is dropped before it reaches the database.

    PostgreSQL's text cannot hold one (the statement fails) and SQLite's can, so a name or a
    note arriving with one would fail on one store and be kept invisibly on the other; it is
    never meant, so neither keeps it and both store the same text. (Parameters are one row,
    a list of rows, or a flattened multi-row insert: all are walked the same way.)
    """
    if not parameters:
        return statement, parameters
    if (
        isinstance(parameters, list | tuple)
        and len(parameters) > _MANY
        and "\\x00" not in repr(parameters)
    ):  # a bulk insert (an import): repr, in C, shows every NUL as \x00; walking is slower
        return statement, parameters
    if _has_nul(parameters):
        return statement, _without_nul(parameters)
    return statement, parameters


def make_engine(url: str) -> AsyncEngine:
    engine = _make_engine(url)
    event.listen(engine.sync_engine, "before_cursor_execute", _drop_nul, retval=True)
    return engine


def _make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Sessions always end their transaction (commit, or rollback on close), so the pool's
        # own ROLLBACK on return is one more trip to the aiosqlite thread per update for nothing.
        engine = create_async_engine(
            url,
            pool_reset_on_return=None,
            connect_args={"async_creator_fn": sqlite_thread.connect},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


class _Session(Session):
    """The ORM session behind our AsyncSession; new lead events are written in bulk."""


@event.listens_for(_Session, "before_flush")
def _insert_events(session: Session, _flush: Any, _instances: Any) -> None:
    """Write the flush's new LeadEvents in one INSERT executemany, then drop them from the session;
    then keep LeadRollup up with them (and with the flush's zone changes and soft deletions).

    The ORM would insert them one statement each on SQLite: it wants every generated id back,
    and SQLite cannot tell which id went to which row of a multi-row insert. An event is written
    once and never changed, and nothing reads its id, so the ids are not fetched. Order is kept.
    """
    new = [item for item in session.new if isinstance(item, LeadEvent)]
    if not new:
        if session.dirty:  # a zone change or a soft delete moves rollup rows
            rollups.keep_up(session, [])
        return
    new.sort(key=lambda item: inspect(item).insert_order)
    for item in new:
        copy_grade(item)  # the ORM's before_insert hook does not run for a Core insert
    rows = [{name: getattr(item, name) for name in _EVENT_COLUMNS} for item in new]
    for item in new:
        session.expunge(item)
    connection = session.connection()
    with sqlite_thread.deferred(connection):  # nothing reads its outcome: it rides the next trip
        connection.execute(_EVENTS.insert(), rows)
    rollups.keep_up(session, rows)  # the day counts follow, one more statement (db/rollups.py)


@event.listens_for(_Session, "after_flush")
def _follow_rollups(session: Session, _flush: Any) -> None:
    rollups.follow(session)


_EVENTS = LeadEvent.__table__  # type: ignore[attr-defined]
_EVENT_COLUMNS = [column.name for column in _EVENTS.columns if column.name != "id"]


def make_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return async_sessionmaker(
        engine, class_=AsyncSession, sync_session_class=_Session, expire_on_commit=False
    )


class _WriterQueue:
    """SQLite's writers of one process, one at a time, in the order they asked.

    SQLite has one writer; the others retry on a timer (the busy timeout) and whoever retries at
    the right moment wins. A stream of short writers (the planner's batches, the sender, a big
    import) can so keep a command's write waiting past the timeout, mostly when the machine is
    short of CPU and every holder is slow to finish. Here they queue in the event loop instead,
    first come first served; the busy timeout is left for other processes (a backup, a second
    console). A task that already holds the turn (a transaction opened inside another) goes on.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            yield
            return
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


_Queues = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _WriterQueue]
_QUEUES: weakref.WeakKeyDictionary[Any, _Queues] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def writer_turn(engine: AsyncEngine | None) -> AsyncIterator[None]:
    """Wait for this process's turn to write to SQLite (nothing to wait for on PostgreSQL,
    whose row locks queue writers by themselves)."""
    if engine is None or engine.dialect.name != "sqlite":
        yield
        return
    queues = _QUEUES.setdefault(engine.sync_engine, weakref.WeakKeyDictionary())
    queue = queues.setdefault(asyncio.get_running_loop(), _WriterQueue())
    async with queue.turn():
        yield


@asynccontextmanager
async def transaction(sessionmaker: Sessionmaker) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits when the block ends, rolls everything back on error."""
    async with writer_turn(sessionmaker.kw.get("bind")), sessionmaker() as session, session.begin():
        yield session
