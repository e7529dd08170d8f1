"""Two transactions at the same moment, on two engines (two people's connections).

`race` runs `first`, which does its change and keeps its transaction open until `second`,
having read the state the first has not committed yet, is about to write (its first INSERT,
UPDATE or DELETE), so the second decides on stale state and tries its own change (on PostgreSQL
it waits for the first's row lock, on SQLite for the write lock). Waiting for the second's
write, not for a fixed time, keeps the race real on a loaded machine, where the second's reads
can take longer than any fixed pause.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.session import Sessionmaker, transaction
from assistant.services.errors import UserError

HOLD_SECONDS = 0.05  # how long the first stays open once the second is about to write
WRITE_TIMEOUT = 10.0  # the second has surely read and tried to write (or finished) by then
WRITES = ("INSERT", "UPDATE", "DELETE")

Outcome = Any  # what the use case returned, or the UserError it raised


async def race(
    makers: tuple[Sessionmaker, Sessionmaker],
    first: Callable[[AsyncSession], Awaitable[Any]],
    second: Callable[[AsyncSession], Awaitable[Any]],
) -> tuple[Outcome, Outcome]:
    written = asyncio.Event()
    second_writes = asyncio.Event()  # the second has read what it decides on and now writes
    loop = asyncio.get_running_loop()
    second_engine = makers[1].kw["bind"].sync_engine

    def started(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(WRITES):
            loop.call_soon_threadsafe(second_writes.set)

    async def run_first() -> Outcome:
        try:
            async with transaction(makers[0]) as session:
                result = await first(session)
                await session.flush()
                written.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(second_writes.wait(), WRITE_TIMEOUT)
                await asyncio.sleep(HOLD_SECONDS)
                return result
        finally:
            written.set()

    async def run_second() -> Outcome:
        await written.wait()
        try:
            async with transaction(makers[1]) as session:
                return await second(session)
        finally:
            second_writes.set()  # it ended without writing: nothing more to wait for

    async def outcome(run: Callable[[], Awaitable[Any]]) -> Outcome:
        try:
            return await run()
        except UserError as error:
            return error

    event.listen(second_engine, "before_cursor_execute", started)
    try:
        first_outcome, second_outcome = await asyncio.gather(
            outcome(run_first), outcome(run_second)
        )
    finally:
        event.remove(second_engine, "before_cursor_execute", started)
    return first_outcome, second_outcome
