"""LeadRollup: the counted lead events per team, owner and local day, kept equal to LeadEvent.

What a row is. For every LeadEvent of a counted kind (created, contact, phone, wechat, stage) of
a lead that is not soft-deleted and has an owner, one is added to the row keyed

    (team_id, owner_id, day, kind, grade, to_value)

where `day` is the event's date in the owner's time zone (their zone now: a zone change re-keys
their rows), `grade` is LeadEvent.grade ("" when none), and `to_value` is the event's to_value
for stage events (the stage entered) and contacts ("again" or ""), "" for the other kinds.
`count` counts the events; `cents` sums the amounts of won stage events, in whole cents (the
amounts have at most two decimals, so the sum is exact whatever order rows are added in).
Rebuilding the table from the events (`rebuild`) gives exactly the rows kept up incrementally;
a row may be left at zero by a retraction, and zero rows count as no row.

How it is kept equal, all in the writing transaction:
- a new event: the flush that inserts it adds it (db/session.py, one executemany upsert per
  flush, `add_new`); the owner's zone comes from the session's Person, else one look-up;
- a person's zone changes (any flush where Person.timezone changed): their rows are rebuilt;
- a lead is soft-deleted or restored (Lead.deleted_at changes in a flush): its events are taken
  out or put back;
- events rewritten in bulk (pool, merge, bringing personal leads): `move` takes their old keys
  out and adds the new ones in one statement, before the UPDATE runs;
- events inserted in bulk without the ORM (an import, the sample data): `add_rows`, `rebuild`.

A zone change racing a write (PostgreSQL; SQLite's writers run one at a time): whoever adds
rows for an owner holds the owner's Person row locked from before it reads the zone to its
commit, and a zone change takes that row FOR UPDATE before it rebuilds, so the one waits for
the other. New events take the lock (KEY SHARE) with their foreign-key check on owner_id, no
statement of its own, but their owner's zone may have been read before, with the sender:
their upsert counts a row only if the owner still has the zone it was keyed by, and rows it
skipped are keyed again in the zone now committed. The SQL paths (`move`, `change_lead`) lock
the owners FOR SHARE in the statement that reads their zones. On SQLite the write lock does
it: the zone changes and soft deletions are followed after the flush's UPDATEs (`follow`).

Local days in SQL: neither database is asked for time zones (SQLite has none); each zone's UTC
offsets from 2000 to 2100 come from zoneinfo (`offsets`) and are written into the statement as
a CASE, and the Python side reads its days from the same table, so both agree to the second.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    case,
    cast,
    delete,
    func,
    inspect,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, LeadRollup, Person
from assistant.db.types import UTCDateTime
from assistant.domain import events as ev

ROLLED_KINDS = (ev.CREATED, ev.CONTACT, ev.PHONE, ev.WECHAT, ev.STAGE)
VALUED_KINDS = (ev.STAGE, ev.CONTACT)  # kinds whose to_value is part of the key
WON = "won"
WINDOW = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))

ROLLUP: Any = LeadRollup.__table__  # type: ignore[attr-defined]
EVENT: Any = LeadEvent.__table__  # type: ignore[attr-defined]
PERSON: Any = Person.__table__  # type: ignore[attr-defined]
LEAD: Any = Lead.__table__  # type: ignore[attr-defined]
KEY = ("team_id", "owner_id", "day", "kind", "grade", "to_value")


# --------------------------------------------------------------------------- local days


@cache
def offsets(zone: str) -> tuple[tuple[datetime, ...], tuple[int, ...]]:
    """The zone's UTC offsets (seconds) between 2000 and 2100: offset i holds before until i,
    the last one after the last until (and before 2000 the first one)."""
    tz = ZoneInfo(zone)

    def offset(moment: datetime) -> int:
        found = moment.astimezone(tz).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    untils: list[datetime] = []
    values = [offset(WINDOW[0])]
    day = WINDOW[0]
    step = timedelta(days=1)
    while day < WINDOW[1]:
        following = day + step
        if offset(following) != values[-1]:
            low, high = 0, 86_400  # seconds after `day`: the change is in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                if offset(day + timedelta(seconds=middle)) == values[-1]:
                    low = middle
                else:
                    high = middle
            change = day + timedelta(seconds=high)
            untils.append(change)
            values.append(offset(change))
        day = following
    return tuple(untils), tuple(values)


def local_day(at: datetime, zone: str) -> date:
    """The event's day in the zone, as the rollup keys it: the calendar day between 2000 and
    2100, where `offsets` agrees with zoneinfo to the second (so a write never waits for the
    offsets table), and by the edge offsets outside, as the SQL does."""
    if WINDOW[0] <= at < WINDOW[1]:
        return at.astimezone(ZoneInfo(zone)).date()
    untils, values = offsets(zone)
    moment = at.astimezone(UTC)
    shift = values[bisect.bisect_right(untils, moment)]
    return (moment.replace(tzinfo=None) + timedelta(seconds=shift)).date()


def _offset_sql(zone: str, at: Any, sqlite: bool) -> Any:
    untils, values = offsets(zone)

    def value(seconds: int) -> Any:
        return literal_column(f"'{seconds:+d} seconds'" if sqlite else str(seconds))

    if not untils:
        return value(values[0])
    pairs = zip(untils, values, strict=False)  # the last offset is the ELSE
    whens = [(at < literal(until, UTCDateTime()), value(offset)) for until, offset in pairs]
    return case(*whens, else_=value(values[-1]))


def day_sql(at: Any, zone_column: Any, zones: Iterable[str], dialect: str) -> Any:
    """SQL for the local day of `at` in the zone named by `zone_column` (one of `zones`)."""
    sqlite = dialect == "sqlite"
    names = sorted(set(zones))
    if len(names) == 1:
        shift = _offset_sql(names[0], at, sqlite)
    else:
        shift = case(*[(zone_column == name, _offset_sql(name, at, sqlite)) for name in names])
    if sqlite:
        return func.date(at, shift)
    return cast(func.timezone("UTC", at) + func.make_interval(0, 0, 0, 0, 0, 0, shift), Date)


# --------------------------------------------------------------------------- Python side


def cents_of(kind: str, to_value: str | None, payload: Mapping[str, Any] | None) -> int:
    """A won stage event's amount in cents (as the funnel reads it: positive and finite)."""
    if kind != ev.STAGE or to_value != WON:
        return 0
    try:
        amount = float((payload or {}).get("amount"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    if not amount > 0 or amount == float("inf"):
        return 0
    return round(amount * 100)


def key_of(row: Mapping[str, Any], zone: str) -> tuple[Any, ...]:
    kind = row["kind"]
    value = (row.get("to_value") or "") if kind in VALUED_KINDS else ""
    return (
        row["team_id"],
        row["owner_id"],
        local_day(row["at"], zone),
        kind,
        row.get("grade") or "",
        value,
    )


def tally(rows: Iterable[Mapping[str, Any]], zones: Mapping[int, str]) -> list[dict[str, Any]]:
    """Event rows (dicts of LeadEvent columns) summed into rollup rows; rows of uncounted kinds
    or without an owner are left out."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        owner = row.get("owner_id")
        if owner is None or row["kind"] not in ROLLED_KINDS:
            continue
        key = key_of(row, zones[owner])
        found = sums.setdefault(key, [0, 0])
        found[0] += 1
        found[1] += cents_of(row["kind"], row.get("to_value"), row.get("payload"))
    return [
        {**dict(zip(KEY, key, strict=True)), "count": count, "cents": cents}
        for key, (count, cents) in sums.items()
    ]


def zones_of(connection: Connection, owner_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(owner_ids))
    if not wanted:
        return {}
    found = connection.execute(
        select(PERSON.c.id, PERSON.c.timezone).where(PERSON.c.id.in_(wanted))
    )
    return {int(person_id): str(zone) for person_id, zone in found.all()}


def _guarded_upsert(rows_from: str, column: Any) -> Any:
    """INSERT … ON CONFLICT DO UPDATE of the rows in `rows_from` (`column(i, name)` reads
    field i), counting a row only while its owner still has the zone it was keyed by (field 8);
    RETURNING says whose rows went in. One statement, as the executemany it replaces."""
    names = (*KEY, "count", "cents")
    return text(
        f"""
        INSERT INTO {ROLLUP.name} ({", ".join(names)})
        SELECT {", ".join(column(i, name) for i, name in enumerate(names))}
        FROM {rows_from}
        JOIN {PERSON.name} AS p
          ON p.id = {column(1, "owner_id")} AND p.timezone = {column(8, "zone")}
        WHERE true
        ON CONFLICT ({", ".join(KEY)}) DO UPDATE
        SET count = {ROLLUP.name}.count + excluded.count,
            cents = {ROLLUP.name}.cents + excluded.cents
        RETURNING {ROLLUP.name}.owner_id
        """
    )


_UNNESTED = """unnest(
    CAST(:team_id AS INTEGER[]), CAST(:owner_id AS INTEGER[]), CAST(:day AS DATE[]),
    CAST(:kind AS VARCHAR[]), CAST(:grade AS VARCHAR[]), CAST(:to_value AS VARCHAR[]),
    CAST(:count AS INTEGER[]), CAST(:cents AS BIGINT[]), CAST(:zone AS VARCHAR[])
) AS r(team_id, owner_id, day, kind, grade, to_value, count, cents, zone)"""
_GUARDED_UPSERTS = {
    "postgresql": _guarded_upsert(_UNNESTED, lambda _i, name: f"r.{name}"),
    "sqlite": _guarded_upsert("json_each(:rows) AS r", lambda i, _n: f"r.value ->> {i}"),
}


def _upsert_if_zone_kept(
    connection: Connection, rows: list[dict[str, Any]], zones: Mapping[int, str]
) -> set[int]:
    """Add rollup rows keyed by `zones`; returns the owners whose rows went in (the others
    changed zone since it was read)."""
    if not rows:
        return set()
    names = (*KEY, "count", "cents")
    fields = [[*(row[name] for name in names), zones[row["owner_id"]]] for row in rows]
    dialect = connection.dialect.name
    if dialect == "sqlite":  # one JSON array of rows
        params: dict[str, Any] = {"rows": json.dumps(fields, default=date.isoformat)}
    else:  # one array per column
        params = {name: [row[i] for row in fields] for i, name in enumerate((*names, "zone"))}
    found = connection.execute(_GUARDED_UPSERTS[dialect], params)
    return {owner for (owner,) in found.all()}


def add_rows(
    connection: Connection,
    rows: Sequence[Mapping[str, Any]],
    zones: Mapping[int, str] | None = None,
) -> None:
    """Count newly inserted event rows (dicts of LeadEvent columns) into the rollup, keyed by
    the owners' `zones` as read before (the others are looked up)."""
    known = dict(zones or {})
    missing = {row["owner_id"] for row in rows if row.get("owner_id") is not None} - set(known)
    known.update(zones_of(connection, missing))
    pending = list(rows)
    for _ in range(3):
        summed = tally(pending, known)
        skipped = {row["owner_id"] for row in summed} - _upsert_if_zone_kept(
            connection, summed, known
        )
        if not skipped:
            return
        # A zone change committed after the zones were read: key their rows again. The events'
        # foreign-key check holds these owners now (PostgreSQL; SQLite's write lock holds all),
        # so the zones read here are final.
        pending = [row for row in pending if row.get("owner_id") in skipped]
        known.update(zones_of(connection, skipped))
    raise RuntimeError(f"rollup: the zones of {sorted(skipped)} kept changing")


# --------------------------------------------------------------------------- SQL side


def _contribution(
    where: Sequence[Any],
    *,
    zones: Iterable[str],
    dialect: str,
    sign: int = 1,
    owner: int | bool | None = True,
    team: int | None = None,
    check_lead: bool = True,
) -> Any:
    """SELECT of the rollup rows the matching events make (times `sign`). `owner`: True keeps
    the event's owner, an int puts them on that person, None on nobody (they count nowhere);
    `team` likewise; `check_lead` leaves out events of soft-deleted leads."""
    owner_column = EVENT.c.owner_id if owner is True else literal(owner)
    team_column = EVENT.c.team_id if team is None else literal(team)
    value = func.coalesce(EVENT.c.to_value, "")
    keyed_value = case((EVENT.c.kind.in_(VALUED_KINDS), value), else_="")
    amount = EVENT.c.payload["amount"].as_float()
    won = (EVENT.c.kind == ev.STAGE) & (EVENT.c.to_value == WON) & (amount > 0)
    cents = case((won, func.round(amount * 100)), else_=0)
    source = EVENT.join(PERSON, PERSON.c.id == owner_column)
    conditions = [*where, EVENT.c.kind.in_(ROLLED_KINDS)]
    if check_lead:
        source = source.join(LEAD, LEAD.c.id == EVENT.c.lead_id)
        conditions.append(LEAD.c.deleted_at.is_(None))
    return (
        select(
            team_column.label("team_id"),
            PERSON.c.id.label("owner_id"),
            day_sql(EVENT.c.at, PERSON.c.timezone, zones, dialect).label("day"),
            EVENT.c.kind.label("kind"),
            func.coalesce(EVENT.c.grade, "").label("grade"),
            keyed_value.label("to_value"),
            (func.count() * sign).label("count"),
            (cast(func.sum(cents), ROLLUP.c.cents.type) * sign).label("cents"),
        )
        .select_from(source)
        .where(*conditions)
        .group_by(*[literal_column(str(position)) for position in range(1, 7)])
    )


_INSERTS = {"postgresql": postgres_insert, "sqlite": sqlite_insert}


def _write(connection: Connection, parts: list[Any]) -> None:
    dialect = connection.dialect.name
    if len(parts) == 1:
        query = parts[0]
    else:  # the same key may come from several parts: one row each, or ON CONFLICT refuses
        both = union_all(*parts).subquery()
        query = select(
            *[both.c[name] for name in KEY],
            func.sum(both.c.count).label("count"),
            func.sum(both.c.cents).label("cents"),
        ).group_by(*[both.c[name] for name in KEY])
    insert: Any = _INSERTS[dialect](ROLLUP).from_select([*KEY, "count", "cents"], query)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=list(KEY),
            set_={
                "count": ROLLUP.c.count + insert.excluded.count,
                "cents": ROLLUP.c.cents + insert.excluded.cents,
            },
        )
    )


def _event_zones(
    connection: Connection, where: Sequence[Any], extra: Iterable[int] = ()
) -> set[str]:
    """The zones of the matching events' owners (and of `extra`), their Person rows held FOR
    SHARE (PostgreSQL) so that no zone change slips in before this transaction ends. Not KEY
    SHARE: that one does not wait for a zone change, which leaves the key alone, and so reads
    the zone it replaces."""
    owners = select(EVENT.c.owner_id).where(*where).scalar_subquery()
    held = (
        select(PERSON.c.timezone)
        .where(PERSON.c.id.in_(owners) | PERSON.c.id.in_(list(extra)))
        .with_for_update(read=True)
        .subquery()
    )
    found = connection.execute(select(held.c.timezone).distinct())
    return {str(zone) for (zone,) in found.all()}


def move(
    connection: Connection,
    where: Sequence[Any],
    *,
    owner: int | bool | None = True,
    team: int | None = None,
    keep: Sequence[Any] = (),
    lead_live: bool | None = None,
) -> None:
    """Events matching `where` are about to be rewritten: take their rows out and add what they
    will count as (`owner`/`team` as in `_contribution`; only those also matching `keep` stay;
    `lead_live`: whether the lead they will belong to is live, None: their own lead's state).
    Call it before the UPDATE or DELETE: one statement, and one look-up of the zones."""
    extra = [owner] if isinstance(owner, int) and owner is not True else []
    zones = _event_zones(connection, where, extra)
    if not zones:
        return
    dialect = connection.dialect.name
    parts = [_contribution(where, zones=zones, dialect=dialect, sign=-1)]
    if lead_live is not False and owner is not None:
        parts.append(
            _contribution(
                [*where, *keep], zones=zones, dialect=dialect, owner=owner, team=team,
                check_lead=lead_live is None,
            )
        )  # fmt: skip
    _write(connection, parts)


async def moving(session: AsyncSession, where: Sequence[Any], **options: Any) -> None:
    """`move` from a use case's AsyncSession."""
    await session.run_sync(lambda sync: move(sync.connection(), where, **options))


async def adding(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]], zones: Mapping[int, str]
) -> None:
    """`add_rows` from a use case's AsyncSession."""
    await session.run_sync(lambda sync: add_rows(sync.connection(), rows, zones))


def change_lead(connection: Connection, lead_id: int, sign: int) -> None:
    """A lead soft-deleted (-1) or restored (+1): its events go out of the rollup or back."""
    where = [EVENT.c.lead_id == lead_id]
    zones = _event_zones(connection, where)
    if zones:
        part = _contribution(
            where, zones=zones, dialect=connection.dialect.name, sign=sign, check_lead=False
        )
        _write(connection, [part])


def rebuild(
    connection: Connection,
    *,
    owner_ids: Sequence[int] | None = None,
    zones: set[str] | None = None,
) -> None:
    """The rows (of these owners, or all) computed afresh from the events, in SQL. `zones`: the
    one zone of the owners when it is not yet in the database (a zone being changed)."""
    where: list[Any] = []
    people = select(PERSON.c.timezone).distinct()
    if owner_ids is not None:
        where.append(EVENT.c.owner_id.in_(list(owner_ids)))
        people = people.where(PERSON.c.id.in_(list(owner_ids)))
        connection.execute(delete(ROLLUP).where(ROLLUP.c.owner_id.in_(list(owner_ids))))
    else:
        connection.execute(delete(ROLLUP))
    if zones is None:
        zones = {str(zone) for (zone,) in connection.execute(people).all()}
    if zones:
        _write(connection, [_contribution(where, zones=zones, dialect=connection.dialect.name)])


def rows(connection: Connection) -> set[tuple[Any, ...]]:
    """Every non-zero row, for comparing a kept rollup with a rebuilt one."""
    found = connection.execute(select(ROLLUP).where((ROLLUP.c.count != 0) | (ROLLUP.c.cents != 0)))
    return {tuple(row) for row in found.all()}


# --------------------------------------------------------------------------- the flush


def _was_deleted(lead: Any) -> bool:
    """Whether the lead was soft-deleted before this flush (its committed state)."""
    history = inspect(lead).attrs.deleted_at.history
    if history.deleted:
        return history.deleted[0] is not None
    return lead.deleted_at is not None and not history.added


def keep_up(session: Session, written: list[dict[str, Any]]) -> None:
    """Inside a flush, after its new events (`written`, as inserted) went in: count them; the
    flush's zone changes and soft deletions are followed once its UPDATEs ran (`follow`)."""
    connection = session.connection()
    rezoned: dict[int, str] = {}
    turned: list[tuple[int, int]] = []
    zones: dict[int, str] = {}
    leads: dict[int, Any] = {}
    for item in session.identity_map.values():
        if isinstance(item, Person) and item.id is not None:
            zones[item.id] = item.timezone
            if inspect(item).modified:
                history = inspect(item).attrs.timezone.history
                if history.deleted and history.added and history.deleted[0] != history.added[0]:
                    rezoned[item.id] = item.timezone
        elif isinstance(item, Lead) and item.id is not None:
            leads[item.id] = item
            if inspect(item).modified:
                history = inspect(item).attrs.deleted_at.history
                if history.added or history.deleted:
                    before = _was_deleted(item)
                    if before != (item.deleted_at is not None):
                        turned.append((item.id, 1 if before else -1))
    counted = [
        row
        for row in written
        if row.get("owner_id") is not None
        and row["kind"] in ROLLED_KINDS
        and row["owner_id"] not in rezoned
        and not (row["lead_id"] in leads and _was_deleted(leads[row["lead_id"]]))
    ]
    if counted:
        add_rows(connection, counted, zones)
    if rezoned or turned:
        session.info[_FOLLOW] = (rezoned, turned)


_FOLLOW = "rollups.follow"


def follow(session: Session) -> None:
    """After a flush's UPDATEs (so SQLite's write lock is held and the zones and leads read are
    the committed ones): re-key the people whose zone changed and take the leads deleted out
    (or restored in)."""
    rezoned, turned = session.info.pop(_FOLLOW, ({}, []))
    connection = session.connection()
    for person_id, zone in rezoned.items():
        # Wait for whoever is adding rows for them, and keep new ones out until this commits.
        connection.execute(select(PERSON.c.id).where(PERSON.c.id == person_id).with_for_update())
        rebuild(connection, owner_ids=[person_id], zones={zone})
    for lead_id, sign in turned:
        change_lead(connection, lead_id, sign)
