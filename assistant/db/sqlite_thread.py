"""aiosqlite with one trip to its thread per statement instead of four.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes the cursor, each a
separate hand-over to aiosqlite's thread and back (two thread wake-ups, most of a simple
statement's cost). Here the cursor does all of that in one call on the thread and keeps the
results. A query with more rows than one chunk keeps its sqlite3 cursor open for the rest, so a
streamed result still arrives chunk by chunk; fetching all the rest closes it in the same trip.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite

# Rows fetched with the statement; the rest, if any, on request. A month's stage moves and their
# leads' history (/summary) are several hundred rows: they come in the statement's one trip.
CHUNK = 1024

_T = TypeVar("_T")
_Outcome = tuple[Any, int, int | None, list[Any], sqlite3.Cursor | None]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """On the thread: execute, take the first chunk of rows, close the cursor when done."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
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
        outcome = await connection.call(_run, connection._conn, sql, parameters, many)
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
    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

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
