"""aiosqlite with one trip to its thread per statement instead of four.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes the cursor, each a
separate hand-over to aiosqlite's thread and back (two thread wake-ups, most of a simple
statement's cost). Here the cursor does all of that in one call on the thread and keeps the
results. A query with more rows than one chunk keeps its sqlite3 cursor open for the rest, so a
streamed result still arrives chunk by chunk; fetching all the rest closes it in the same trip.

A write whose outcome nobody reads (no rows, no row count, no id: a flush's new lead events)
can be `deferred`: it waits on the connection and goes to the database in the
same trip as the connection's next statement or its commit, in order, inside the same
transaction (a rollback drops it unsent). An error it raises then surfaces from that statement
or the commit, and the transaction rolls back as before.

A read the caller knows comes next can be `prefetched`: it runs on the thread right after the
connection's next statement, in the same trip, and its rows answer the identical statement
(same SQL, same parameters) when it is executed next; anything else executed first, a commit or
a rollback drops them. The update claim and the sender's look-up share a trip this way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import aiosqlite

# Rows fetched with the statement; the rest, if any, on request. A month's stage moves and their
# leads' history (/summary) are several hundred rows: they come in the statement's one trip.
CHUNK = 1024

_T = TypeVar("_T")
_Outcome = tuple[Any, int, int | None, list[Any], sqlite3.Cursor | None]
_Pending = list[tuple[str, Any, bool]]  # deferred writes: SQL, parameters, executemany
_Read = tuple[str, tuple[Any, ...]]  # a prefetched read: SQL, parameters
_Rows = tuple[Any, list[Any]]  # its description and rows


def _send(connection: sqlite3.Connection, pending: _Pending) -> None:
    """On the thread: the deferred writes, in the order they were made."""
    for sql, parameters, many in pending:
        cursor = connection.cursor()
        try:
            _execute(cursor, sql, parameters, many)
        finally:
            cursor.close()


def _execute(cursor: sqlite3.Cursor, sql: str, parameters: Any, many: bool) -> None:
    if many:
        cursor.executemany(sql, parameters)
    else:
        cursor.execute(sql, parameters)


def _commit(connection: sqlite3.Connection, pending: _Pending) -> None:
    """On the thread: the deferred writes and the commit; a write that fails rolls the whole
    transaction back (a failed commit leaves nothing behind for the connection's next user)."""
    try:
        _send(connection, pending)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def _read(connection: sqlite3.Connection, read: _Read) -> _Rows | None:
    """On the thread: a prefetched read's rows (none kept when it has more than a chunk)."""
    cursor = connection.cursor()
    try:
        cursor.execute(*read)
        rows = cursor.fetchmany(CHUNK + 1)
        return None if len(rows) > CHUNK else (cursor.description, rows)
    finally:
        cursor.close()


def _run_then_read(
    connection: sqlite3.Connection,
    pending: _Pending,
    sql: str,
    parameters: Any,
    many: bool,
    read: _Read,
) -> tuple[_Outcome, _Rows | None]:
    """On the thread: `_run`, then the prefetched read when the statement succeeded."""
    outcome = _run(connection, pending, sql, parameters, many)
    return outcome, _read(connection, read)


def _run(
    connection: sqlite3.Connection, pending: _Pending, sql: str, parameters: Any, many: bool
) -> _Outcome:
    """On the thread: the deferred writes, then execute, take the first chunk of rows, close the
    cursor when done."""
    if pending:
        _send(connection, pending)
    cursor = connection.cursor()
    try:
        _execute(cursor, sql, parameters, many)
        rows = cursor.fetchmany(CHUNK) if cursor.description else []
    except BaseException:
        cursor.close()
        raise
    outcome = (cursor.description, cursor.rowcount, cursor.lastrowid, rows)
    if len(rows) < CHUNK:
        cursor.close()
        return (*outcome, None)
    return (*outcome, cursor)


def _fetch(cursor: sqlite3.Cursor, size: int) -> list[Any]:
    return cursor.fetchmany(size)


def _rest(cursor: sqlite3.Cursor) -> list[Any]:
    """On the thread: the remaining rows, and the cursor closed (one trip, not two)."""
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


class Cursor:
    """The part of aiosqlite's cursor that SQLAlchemy uses, one thread trip per execute."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._open: sqlite3.Cursor | None = None  # still holding rows beyond the first chunk
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _start(self, sql: str, parameters: Any, many: bool) -> Cursor:
        await self.close()
        connection = self._connection
        if connection.deferring:
            connection.pending.append((sql, parameters, many))
            self.description, self.rowcount, self.lastrowid, self._rows = None, -1, None, []
            return self
        prefetched, connection.prefetched = connection.prefetched, None
        if prefetched is not None and not many and prefetched[0] == (sql, tuple(parameters)):
            self.description, self._rows = prefetched[1]
            self.rowcount, self.lastrowid = -1, None
            return self
        pending, connection.pending = connection.pending, []
        read, connection.read = connection.read, None
        if read is None:
            outcome = await connection.call(_run, connection._conn, pending, sql, parameters, many)
        else:
            outcome, rows = await connection.call(
                _run_then_read, connection._conn, pending, sql, parameters, many, read
            )
            connection.prefetched = None if rows is None else (read, rows)
        self.description, self.rowcount, self.lastrowid, self._rows, self._open = outcome
        return self

    async def execute(self, sql: str, parameters: Any = None) -> Cursor:
        return await self._start(sql, () if parameters is None else parameters, many=False)

    async def executemany(self, sql: str, parameters: Any) -> Cursor:
        return await self._start(sql, parameters, many=True)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        cursor, self._open = self._open, None
        if cursor is not None:
            rows += await self._connection.call(_rest, cursor)
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = self.arraysize if size is None else size
        if len(self._rows) < wanted and self._open is not None:
            more = await self._connection.call(_fetch, self._open, wanted - len(self._rows))
            self._rows += more
            if not more:
                await self.close()
        rows, self._rows = self._rows[:wanted], self._rows[wanted:]
        return rows

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def close(self) -> None:
        cursor, self._open = self._open, None
        if cursor is not None:
            await self._connection.call(cursor.close)


class Connection(aiosqlite.Connection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deferring = False  # statements executed now wait for the next trip (`deferred`)
        self.pending: _Pending = []
        self.read: _Read | None = None  # to run after the next statement (`prefetch`)
        self.prefetched: tuple[_Read, _Rows] | None = None  # its rows, for the same statement

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    def prefetch(self, sql: str, parameters: tuple[Any, ...]) -> None:
        """Run this read (it must change nothing) right after the next statement, in its trip."""
        self.read = (sql, parameters)

    def _forget(self) -> None:
        self.pending, self.read, self.prefetched = [], None, None

    async def commit(self) -> None:
        pending = self.pending
        self._forget()
        await self.call(_commit, self._conn, pending)

    async def rollback(self) -> None:
        self._forget()  # the deferred writes were never sent: nothing to undo
        await super().rollback()

    async def close(self) -> None:
        self._forget()
        await super().close()

    async def call(self, function: Callable[..., _T], *args: Any) -> _T:
        """`function(*args)` on the connection's thread."""
        result: _T = await self._execute(function, *args)  # type: ignore[no-untyped-call]
        return result


def connect(database: str, **kwargs: Any) -> Connection:
    """Like `aiosqlite.connect`; SQLAlchemy calls it with the URL's arguments."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    connection = Connection(connector, 64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection


def driver(connection: Any) -> Connection | None:
    """This module's connection under `connection` (a SQLAlchemy Connection or AsyncConnection),
    None on other databases."""
    sync = getattr(connection, "sync_connection", None) or connection
    found = getattr(sync.connection.dbapi_connection, "_connection", None)
    return found if isinstance(found, Connection) else None


_COMPILED: dict[Any, Any] = {}


def prefetch(connection: Any, statement: Any, values: dict[str, Any]) -> None:
    """On SQLite, `statement` (a read, with `values` for its parameters) runs right after the
    connection's next statement in the same trip, and its rows answer it when it comes next;
    nothing happens on other databases."""
    found = driver(connection)
    if found is None:
        return
    compiled = _COMPILED.get(statement)
    if compiled is None:  # compiled once: the statements prefetched are built at import
        compiled = _COMPILED[statement] = statement.compile(dialect=connection.dialect)
    parameters = compiled.construct_params(values)
    found.prefetch(compiled.string, tuple(parameters[name] for name in compiled.positiontup))


@contextmanager
def deferred(connection: Any) -> Iterator[None]:
    """Writes executed on `connection` (a SQLAlchemy Connection) inside the block go with its
    next statement or commit (see the module docstring); on other databases, right away.
    Only for statements whose result nobody reads: the cursor reports no rows and no id."""
    found = driver(connection)
    if found is None:
        yield
        return
    found.deferring = True
    try:
        yield
    finally:
        found.deferring = False
