"""A period's stage figures for the rollup path of `queries.counts_by_owner`: stage counts,
losses and their reasons, days in stage and A-lead conversion, exactly as `funnel.count_events`
counts them, without building an EventRow per row nor sorting in Python.

One statement, a UNION ALL over the period's stage moves (the `moves` CTE), sorted by tag,
owner, lead, time, kind and id:

- REACHED rows: per owner and stage, the distinct leads that entered it (a move counts for every
  stage it passes: a join to the pipeline's positions), counted in SQL: one row per stage;
- LOST_ROW rows: the period's losses with their reasons (a few; the first per lead counts);
- HISTORY rows (with `history`): the created, stage and grade events before the period's end of
  each lead an owner moved, per owner, with whether they fall in the period; `tally` walks them
  in SQL's order (by time, a creation before a grade before a stage move at the same instant,
  then by id), which is the order `funnel.counts._from_history` sorts them in.

The walk itself stays in Python: SQLite's window functions cost more than it here (two LAG and
a running COUNT over the ~500 history rows of a month took 8-10 ms against ~1 ms for the
loop), and days in stage are summed in the same order as before, so the floats are equal too.
The instants come as stored (SQLite's text is parsed only for the moves that count days).

`queries.counts_by_owner` without `days` still counts the straightforward way (every move and
history row to the domain); tests/integration/test_rollup_reads.py compares the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    type_coerce,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlmodel import col

from assistant.db.models import Lead, LeadEvent, literal_name
from assistant.domain import events as ev
from assistant.domain.pipeline import LOST, WON

HISTORY_KINDS = (ev.CREATED, ev.STAGE, ev.GRADE)
# The rows' tags, and the kinds of the history rows in the order a walk takes them at the same
# instant: integers, which both databases sort faster than text under a collation.
HISTORY, LOST_ROW, REACHED = 0, 1, 2
CREATED, GRADE, STAGE = 0, 1, 2


@cache
def scope() -> tuple[Any, ...]:
    """The owners' events in the period. No join to Lead: the few soft-deleted leads are left
    out through their own small index, so the counts are read from LeadEvent's covering index
    alone."""
    deleted = sa_select(col(Lead.id)).where(
        col(Lead.team_id) == bindparam("team_id"), col(Lead.deleted_at).is_not(None)
    )
    return (
        col(LeadEvent.team_id) == bindparam("team_id"),
        col(LeadEvent.owner_id).in_(bindparam("owners", expanding=True)),
        col(LeadEvent.at) >= bindparam("start"),
        col(LeadEvent.at) < bindparam("end"),
        col(LeadEvent.lead_id).not_in(deleted),
    )


@dataclass
class Moves:
    """One owner's stage figures, as `funnel.count_events` counts them."""

    reached: dict[str, int] = field(default_factory=dict)
    lost: set[int] = field(default_factory=set)
    reasons: Counter[str] = field(default_factory=Counter)
    spent: dict[str, list[float]] = field(default_factory=dict)
    a_won: set[int] = field(default_factory=set)
    a_lost: set[int] = field(default_factory=set)

    def stage_days(self) -> dict[str, float]:
        return {name: sum(values) / len(values) for name, values in self.spent.items() if values}


@cache
def moves_statement(order: tuple[str, ...], history: bool) -> Any:
    """The statement for a pipeline's stage `order`; bound: team_id, owners (expanding), start,
    end. Without `history` the history rows are left out (days in stage, A-lead conversion)."""
    payload = col(LeadEvent.payload)
    moves = (
        sa_select(
            col(LeadEvent.owner_id).label("owner_id"),
            col(LeadEvent.lead_id).label("lead_id"),
            col(LeadEvent.at).label("at"),
            col(LeadEvent.id).label("id"),
            col(LeadEvent.from_value).label("from_value"),
            col(LeadEvent.to_value).label("to_value"),
            # Only a loss's payload is read (decoding every move's JSON costs more).
            case((col(LeadEvent.to_value) == LOST, payload["reason"].as_string())).label("reason"),
            *_entered(col(LeadEvent.from_value), col(LeadEvent.to_value), order),
        )
        .where(*scope(), col(LeadEvent.kind) == ev.STAGE)
        .cte("moves")
    )
    branches = [_reached(moves, order), _lost(moves)]
    if history:
        branches.append(_history(moves))
    return union_all(*branches).order_by(*(literal_column(name) for name in _SORTED))


# The statement's columns; rows come sorted by tag, owner, lead, time, kind, id.
_COLUMNS = ("tag", "owner", "lead_id", "at", "kind", "id", "from_value", "to_value", "note", "late")
_SORTED = ("tag", "owner", "lead_id", "at", "kind", "id")


def _row(*values: Any) -> Any:
    return sa_select(*(value.label(name) for value, name in zip(values, _COLUMNS, strict=True)))


def _position(value: Any, order: Sequence[str]) -> Any:
    """A stage's place in the pipeline, -1 for anything else (funnel.counts._index)."""
    return case(
        *(
            (value == literal_name(name), literal_column(str(index)))
            for index, name in enumerate(order)
        ),
        else_=literal_column("-1"),
    )


def _entered(from_value: Any, to_value: Any, order: Sequence[str]) -> tuple[Any, Any]:
    """The first and last place in the pipeline a move enters (funnel.count_events): every
    stage after its source up to its target, after the first stage; from lost, only the target.
    Computed once per move, not per stage it is compared with."""
    target = _position(to_value, order)
    source = case((from_value == LOST, target - 1), else_=_position(from_value, order))
    return case((source + 1 > 1, source + 1), else_=1).label("low"), target.label("high")


def _reached(moves: Any, order: Sequence[str]) -> Any:
    """Distinct leads per stage entered, from each move's `low` and `high` places. The count
    comes in `id`."""
    positions = union_all(
        *(
            sa_select(literal_name(name).label("name"), literal_column(str(index)).label("pos"))
            for index, name in enumerate(order)
            if index > 0
        )
    ).subquery("positions")
    # PostgreSQL types the union's columns from its first branches: NULLs there are cast.
    return (
        _row(
            literal_column(str(REACHED)),
            moves.c.owner_id,
            null(),
            type_coerce(null(), String),  # the instants as stored (see `instant`)
            cast(null(), Integer),
            func.count(func.distinct(moves.c.lead_id)),
            null(),
            positions.c.name,
            null(),
            cast(null(), Boolean),
        )
        .select_from(moves)
        .join(positions, (positions.c.pos >= moves.c.low) & (positions.c.pos <= moves.c.high))
        .where(moves.c.to_value != LOST)
        .group_by(moves.c.owner_id, positions.c.name)
    )


def _lost(moves: Any) -> Any:
    """The period's losses with their reasons (a lead counts once, at its first)."""
    return _row(
        literal_column(str(LOST_ROW)),
        moves.c.owner_id,
        moves.c.lead_id,
        moves.c.at,
        null(),
        moves.c.id,
        null(),
        null(),
        moves.c.reason,
        null(),
    ).where(moves.c.to_value == LOST)


def _history(moves: Any) -> Any:
    """The created, stage and grade events before the period's end of each lead an owner moved
    in the period, per owner (one for /summary), each lead read from its own index."""
    pairs = sa_select(moves.c.owner_id, moves.c.lead_id).distinct().subquery("pairs")
    return (
        _row(
            literal_column(str(HISTORY)),
            pairs.c.owner_id,
            pairs.c.lead_id,
            col(LeadEvent.at),
            case(
                (col(LeadEvent.kind) == ev.CREATED, literal_column(str(CREATED))),
                (col(LeadEvent.kind) == ev.GRADE, literal_column(str(GRADE))),
                else_=literal_column(str(STAGE)),
            ),
            col(LeadEvent.id),
            col(LeadEvent.from_value),
            col(LeadEvent.to_value),
            col(LeadEvent.grade),
            col(LeadEvent.at) >= bindparam("start"),
        )
        .select_from(pairs)
        .join(LeadEvent, col(LeadEvent.lead_id) == pairs.c.lead_id)
        .where(
            # Literal kinds: both databases then read the history from the partial index of these
            # kinds alone (ix_leadevent_history_kinds), not every contact and note of the lead.
            col(LeadEvent.kind).in_([literal_name(kind) for kind in HISTORY_KINDS]),
            col(LeadEvent.at) < bindparam("end"),
        )
    )


def instant(value: datetime | str) -> datetime:
    """An instant of the statement's rows: SQLite's stored text ('YYYY-MM-DD HH:MM:SS.ffffff',
    naive UTC) is read only for the moves that count days, not for every row; PostgreSQL's
    driver gives aware datetimes. Either way the difference of two is exact."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def tally(
    rows: Iterable[Sequence[Any]],
    owners: Iterable[int],
    order: Sequence[str],
) -> dict[int, Moves]:
    """Each owner's Moves from the statement's rows, counted as `funnel.count_events` counts
    (the losses in the order of the moves) and walked as `funnel.counts._from_history` walks
    (each lead's history in time order, creation first, then grade before stage moves)."""
    found = {owner: Moves(reached=dict.fromkeys(order[1:], 0)) for owner in owners}
    open_stages = frozenset(order) - {WON}
    losses: list[Sequence[Any]] = []
    walking: tuple[int, int] | None = None
    stage: str | None = None
    entered: Any = None
    grade: str | None = None
    for row in rows:
        tag, owner, lead_id, at, kind, number, from_value, to_value, note, late = row
        if tag == HISTORY:
            if walking != (owner, lead_id):
                walking, stage, entered, grade = (owner, lead_id), None, None, None
            if kind == CREATED:
                stage, entered, grade = to_value or order[0], at, note or grade
            elif kind == GRADE:
                grade = to_value or grade
            else:
                if late:  # in the period
                    mine = found[owner]
                    left = from_value or stage
                    if entered is not None and left in open_stages:
                        days = (instant(at) - instant(entered)) / timedelta(days=1)
                        mine.spent.setdefault(left, []).append(days)
                    if grade == "A" and to_value == WON:
                        mine.a_won.add(lead_id)
                    elif grade == "A" and to_value == LOST:
                        mine.a_lost.add(lead_id)
                stage, entered = to_value, at
        elif tag == REACHED:
            found[owner].reached[to_value] = int(number)
        else:
            losses.append(row)
    losses.sort(key=lambda row: (row[1], row[3], row[2], row[5]))  # owner, time, lead, id
    for _tag, owner, lead_id, *_rest, note, _late in losses:
        mine = found[owner]
        if lead_id not in mine.lost:
            mine.lost.add(lead_id)
            reason = str(note or "").strip()
            if reason:
                mine.reasons[reason] += 1
    return found
