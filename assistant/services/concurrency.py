"""Read-modify-writes two people can race: each takes its rows with a conditional UPDATE first.

A use case reads a row, decides, then writes. When two people do that at once, both read the
same state and both would be told "done" (PostgreSQL at READ COMMITTED; SQLite too, whose reads
run before the write lock is taken). So before it changes anything a use case runs

    UPDATE lead SET stage = stage WHERE id = :id AND stage = :the_stage_it_read

and checks the row count. A counted row is locked until the transaction ends (PostgreSQL makes
a competing writer wait for our commit and then re-checks its condition; SQLite lets one writer
at a time in), so the decision holds. No row means someone else changed it first: the loser
gets a plain answer and its transaction rolls back, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import inspect, select, update
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead
from assistant.services.errors import UserError

Row = TypeVar("Row", bound=SQLModel)
CHUNK = 500  # ids per statement: far below either database's limit on bound values


def _as_read(row: SQLModel, name: str) -> Any:
    """The value this session read from the database (before any change it made since)."""
    state: Any = inspect(row)
    if name in state.committed_state:
        value = state.committed_state[name]
        return None if value is NO_VALUE else value
    return getattr(row, name)


def _condition(table: Any, row: SQLModel, watched: Sequence[str]) -> list[Any]:
    conditions = []
    for name in watched:
        value = _as_read(row, name)
        column = table.c[name]
        conditions.append(column.is_(None) if value is None else column == value)
    return conditions


async def hold(session: AsyncSession, row: SQLModel, *watched: str, touch: str = "") -> bool:
    """Lock `row` for this transaction if its `watched` columns still hold what this session read.

    False when someone else changed one of them first; the row is then re-read, so what the
    caller shows is the current state. `touch` names the column the statement sets to itself
    (default: the first watched one); with nothing watched the row is simply locked.
    """
    return not await hold_all(session, [row], *watched, touch=touch)


async def hold_all(
    session: AsyncSession, rows: Sequence[Row], *watched: str, touch: str = ""
) -> list[Row]:
    """`hold` for many rows of one table; returns the rows someone else changed first (re-read).

    Rows expecting the same values share one statement per CHUNK ids.
    """
    if not rows:
        return []
    table: Any = type(rows[0]).__table__  # type: ignore[attr-defined]
    column = touch or watched[0]
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(_as_read(row, name) for name in watched), []).append(row)
    connection = await session.connection()
    held: set[Any] = set()
    for group in groups.values():
        conditions = _condition(table, group[0], watched)
        for start in range(0, len(group), CHUNK):
            ids = [row.id for row in group[start : start + CHUNK]]  # type: ignore[attr-defined]
            statement = (
                update(table)
                .where(table.c.id.in_(ids), *conditions)
                .values({column: table.c[column]})
                .returning(table.c.id)
            )
            held.update((await connection.execute(statement)).scalars().all())
    lost = [row for row in rows if row.id not in held]  # type: ignore[attr-defined]
    if lost:
        ids = [row.id for row in lost]  # type: ignore[attr-defined]
        found = select(table.c.id).where(table.c.id.in_(ids))
        remaining = set((await connection.execute(found)).scalars().all())
        for row in lost:
            if row.id in remaining:  # type: ignore[attr-defined]
                await session.refresh(row)  # else deleted by the other writer: left as it was
    return lost


async def hold_lead(session: AsyncSession, lead: Lead, *watched: str) -> None:
    """`hold` for a lead a person acts on; the loser is told someone changed it just now."""
    if not await hold(session, lead, *watched):
        raise UserError("lead_changed", number=lead.number)


async def one_at_a_time(session: AsyncSession, person: Any) -> None:
    """Lock the person's row: their own rows written by "find, else insert" (a day's figures,
    a month's goal) are then written by one transaction at a time, so two devices sending
    the same command at once update one row instead of both inserting it."""
    await hold(session, person, touch="created_at")


async def lock(session: AsyncSession, row: SQLModel, touch: str) -> None:
    """Lock `row` for this transaction and re-read it (SELECT … FOR UPDATE, on both databases).

    For a decision that reads more than the row itself (how many owners a team has left, which
    answers a batch already holds): whoever comes second waits here and then sees the first one's
    result. `touch` is any plain column of the row; the statement sets it to itself.
    """
    await hold(session, row, touch=touch)
    await session.refresh(row)
