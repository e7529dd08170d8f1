"""Cadence-made follow-up times, moved onto a working slot of the owner's day.

The rules are in assistant/domain/working_slots.py; this module finds the owner's working
hours and the slots their other follow-ups already take that day.
"""

from __future__ import annotations

import bisect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Person
from assistant.domain.localtime import local_day_bounds
from assistant.domain.quiet_hours import Quiet
from assistant.domain.working_slots import SEARCH_DAYS, WorkingHours, first_day, free_slot

DEFAULT_QUIET = Quiet.parse("22:00", "08:00")

# The owner's follow-ups in the team on one local day: the (team, owner, follow-up) index.
_TAKEN = select(Lead.next_followup_at).where(
    Lead.team_id == bindparam("team"),
    Lead.owner_id == bindparam("owner"),
    col(Lead.next_followup_at) >= bindparam("start"),
    col(Lead.next_followup_at) < bindparam("end"),
    col(Lead.deleted_at).is_(None),
    col(Lead.id) != bindparam("lead"),
)


def _other_leads_pending(session: AsyncSession, lead_id: int | None) -> bool:
    """Whether another lead is added or changed in this session and not yet written: its
    follow-up may take a slot, so the look-up must see it (this lead's own is left out)."""
    return any(
        isinstance(item, Lead) and (item.id is None or item.id != lead_id)
        for pending in (session.new, session.dirty)
        for item in pending
    )


def working_hours(person: Person) -> WorkingHours:
    try:
        quiet = Quiet.parse(person.quiet_start, person.quiet_end)
    except ValueError:
        quiet = DEFAULT_QUIET
    return WorkingHours(person.timezone, quiet, person.work_days)


async def land(
    session: AsyncSession,
    *,
    team_id: int,
    owner: Person | None,
    lead_id: int | None,
    due: datetime,
    now: datetime,
    first_contact: bool = False,
) -> datetime:
    """`due` moved onto the owner's first free working slot of its day (or a later working
    day); a first contact already in working time keeps its minute. A lead with no owner (the
    team's pool) keeps `due`."""
    if owner is None or owner.id is None:
        return due
    owner_id = owner.id
    flushed = False

    async def taken(start: datetime, end: datetime) -> list[datetime]:
        nonlocal flushed
        # The slots only depend on the other leads: this lead's pending change (the contact
        # being logged, its events) can wait for the next flush and go with the rest, in fewer
        # statements.
        if not flushed and _other_leads_pending(session, lead_id):
            await session.flush()
        flushed = True
        params = {"team": team_id, "owner": owner_id, "start": start, "end": end,
                  "lead": lead_id or 0}  # fmt: skip
        with session.no_autoflush:
            found = (await session.exec(_TAKEN, params=params)).all()
        return [moment for moment in found if moment]

    return await _first_free(working_hours(owner), due, now, taken, first_contact=first_contact)


Taken = Callable[[datetime, datetime], Awaitable[list[datetime]]]


async def _first_free(
    hours: WorkingHours, due: datetime, now: datetime, taken: Taken, *, first_contact: bool
) -> datetime:
    """`land`'s search, with `taken(start, end)` giving the other follow-ups between two
    instants (one local day)."""
    if first_contact and hours.is_working(due):
        return due
    after = due if first_contact else now
    day = first_day(due, hours, after=after)
    for _ in range(SEARCH_DAYS):
        start, end = local_day_bounds(day, hours.zone)
        slot = free_slot(day, hours, await taken(start, end), after=after)
        if slot is not None:
            return slot
        day = hours.working_day(day + timedelta(days=1))
    return due


async def land_for_lead(
    session: AsyncSession, lead: Lead, due: datetime, now: datetime, *, first_contact: bool = False
) -> datetime:
    owner = await session.get(Person, lead.owner_id) if lead.owner_id is not None else None
    return await land(
        session, team_id=lead.team_id, owner=owner, lead_id=lead.id, due=due, now=now,
        first_contact=first_contact,
    )  # fmt: skip


# The follow-ups of some owners of a team between two instants: the same index as _TAKEN.
_BOOKED = select(Lead.id, Lead.owner_id, Lead.next_followup_at).where(
    Lead.team_id == bindparam("team"),
    col(Lead.owner_id).in_(bindparam("owners", expanding=True)),
    col(Lead.next_followup_at) >= bindparam("start"),
    col(Lead.next_followup_at) < bindparam("end"),
    col(Lead.deleted_at).is_(None),
)


class SlotBook:
    """`land` for many leads of one team in a row (the regrade's batch), without a flush and a
    look-up per lead: the owners' follow-ups are read a window of days at a time in one
    statement, and the leads the batch moves (`moved`) are kept up in memory, so each lead sees
    the slots `land` would see had the ones before it been flushed. Not yet written: the caller
    writes the batch's leads once at the end."""

    WINDOW = timedelta(days=8)  # read at a time: a batch mostly lands within a week or two

    def __init__(self, team_id: int, owners: Mapping[int, Person]) -> None:
        self._team = team_id
        self._owners = owners
        self._span: tuple[datetime, datetime] | None = None  # read so far, [start, end)
        self._taken: dict[int, list[tuple[datetime, int]]] = {o: [] for o in owners}  # sorted
        self._at: dict[int, tuple[int, datetime]] = {}  # lead -> its entry in _taken
        self._moved: dict[int, tuple[int, datetime | None]] = {}  # lead -> owner, follow-up

    @classmethod
    async def read(cls, session: AsyncSession, team_id: int, owner_ids: Iterable[int]) -> SlotBook:
        """A book for these owners (their working hours read in one statement)."""
        wanted = sorted(set(owner_ids))
        people: list[Person] = []
        if wanted:
            with session.no_autoflush:
                found = await session.exec(select(Person).where(col(Person.id).in_(wanted)))
                people = list(found.all())
        return cls(team_id, {person.id: person for person in people if person.id is not None})

    async def land_for_lead(
        self, session: AsyncSession, lead: Lead, due: datetime, now: datetime,
        *, first_contact: bool = False,
    ) -> datetime:  # fmt: skip
        """`cadence_times.land_for_lead` as it would answer with the batch's earlier moves
        flushed."""
        owner = self._owners.get(lead.owner_id) if lead.owner_id is not None else None
        if owner is None or owner.id is None:
            return due
        owner_id, lead_id = owner.id, lead.id or 0

        async def taken(start: datetime, end: datetime) -> list[datetime]:
            await self._cover(session, start, end)
            entries = self._taken[owner_id]
            low = bisect.bisect_left(entries, (start, -1))
            high = bisect.bisect_left(entries, (end, -1))
            return [moment for moment, other in entries[low:high] if other != lead_id]

        hours = working_hours(owner)
        return await _first_free(hours, due, now, taken, first_contact=first_contact)

    def moved(self, lead: Lead) -> None:
        """The lead's follow-up is now `lead.next_followup_at` (not yet written)."""
        assert lead.id is not None
        self._drop(lead.id)
        owner_id = lead.owner_id
        if owner_id is None or owner_id not in self._taken:
            return  # no lead of the book's owners
        self._moved[lead.id] = (owner_id, lead.next_followup_at)
        self._enter(lead.id, owner_id, lead.next_followup_at)

    def _drop(self, lead_id: int) -> None:
        entry = self._at.pop(lead_id, None)
        if entry is not None:
            owner_id, moment = entry
            self._taken[owner_id].remove((moment, lead_id))

    def _enter(self, lead_id: int, owner_id: int, moment: datetime | None) -> None:
        span = self._span
        if moment is not None and span is not None and span[0] <= moment < span[1]:
            self._add(lead_id, owner_id, moment)

    async def _cover(self, session: AsyncSession, start: datetime, end: datetime) -> None:
        """Read the owners' follow-ups between `start` and `end` unless already read."""
        span = self._span
        if span is not None and span[0] <= start and end <= span[1]:
            return
        if span is None:
            parts = [(start, max(end, start + self.WINDOW))]
        else:
            parts = []
            if start < span[0]:
                parts.append((start, span[0]))
            if end > span[1]:
                parts.append((span[1], max(end, span[1] + self.WINDOW)))
        for part in parts:
            params = {"team": self._team, "owners": sorted(self._taken), "start": part[0],
                      "end": part[1]}  # fmt: skip
            with session.no_autoflush:
                found = (await session.exec(_BOOKED, params=params)).all()
            span = (min(span[0], part[0]), max(span[1], part[1])) if span else part
            self._span = span
            for lead_id, owner_id, moment in found:
                if lead_id not in self._moved:  # the batch's own moves replace what is written
                    self._add(lead_id, owner_id, moment)
            for lead_id, (owner_id, moment) in self._moved.items():
                if moment is not None and part[0] <= moment < part[1]:
                    self._add(lead_id, owner_id, moment)

    def _add(self, lead_id: int | None, owner_id: int | None, moment: datetime | None) -> None:
        if lead_id is None or owner_id is None or moment is None:
            return
        bisect.insort(self._taken[owner_id], (moment, lead_id))
        self._at[lead_id] = (owner_id, moment)
