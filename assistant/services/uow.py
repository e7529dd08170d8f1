"""The unit of work: the one front door every front end goes through to reach a use case.

A front end (the Telegram edge, the console through it, the scheduler, a web request) opens
one unit of work per thing it handles, and a use case never opens a transaction of its own:

    uow = UnitOfWork(sessionmaker, update_id=update.update_id, profile=profile,
                     settings=settings, clock=clock)
    async with uow:                      # BEGIN; claim the update; find (or create) the person
        actor = await uow.actor()        # person + active team + membership, resolved once
        result = await some_use_case(uow, text, now=uow.now)
    # committed here; an exception (a UserError included) rolled everything back

- `update_id` (optional): recorded in the same transaction; a redelivered update raises
  `DuplicateUpdate` from `async with`, before anything else runs. After a rolled-back use case
  `claim_alone` records the update in a transaction of its own, so it is not answered twice.
- `profile` (optional, needs `settings` for the defaults): the person asking, created with a
  personal team on first contact, then `uow.person`. Without it (the scheduler) there is no
  person and no actor, only `uow.session`.
- `uow.actor()` raises `UserError("no_team")` for someone in no team; it follows
  `person.active_team_id`, so after a use case switches teams the next call sees the new team.
- `uow.now` is read from `clock` once, after the update is claimed.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.clock import Clock, system_clock
from assistant.config import Settings
from assistant.db.models import Person, ProcessedUpdate
from assistant.db.session import Sessionmaker, transaction
from assistant.services.actor import Actor
from assistant.services.people import (
    Profile,
    ensure_person,
    prefetch_sender,
    remember_sender,
    sender_with,
    settle_person,
)
from assistant.services.teams import active_team


class DuplicateUpdate(Exception):
    """This update was processed already (by this process or another)."""


def _claim_statement(insert: Any) -> Any:
    table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(table.c.update_id)
    )


# Built once: a statement object reused keeps its cache key, so each update skips building it.
_CLAIMS = {
    "postgresql": _claim_statement(postgres_insert),
    "sqlite": _claim_statement(sqlite_insert),
}


# PostgreSQL: the claim and the sender's look-up in one statement (a data-modifying CTE runs
# once whether or not its rows are read); no row back means the update was claimed already.
_CLAIM_AND_SENDER = sender_with(
    _claim_statement(postgres_insert)
    .values(update_id=bindparam("update_id"), at=bindparam("at"))
    .cte("claim")
)


async def claim_update(session: AsyncSession, update_id: int) -> None:
    """Record the update id in this transaction; a redelivered update stops here.

    One INSERT … ON CONFLICT DO NOTHING RETURNING: a row back means this update is ours.
    """
    connection = await session.connection()
    statement = _CLAIMS[connection.dialect.name]
    claimed = (
        await connection.execute(statement, {"update_id": update_id, "at": datetime.now(UTC)})
    ).first()
    if claimed is None:
        raise DuplicateUpdate


class UnitOfWork:
    """One transaction, the update it answers and the person asking; see the module docstring."""

    def __init__(
        self,
        sessionmaker: Sessionmaker,
        *,
        update_id: int | None = None,
        profile: Profile | None = None,
        settings: Settings | None = None,
        clock: Clock = system_clock,
    ) -> None:
        if profile is not None and settings is None:
            raise ValueError("a profile needs settings for the new person's defaults")
        self._sessionmaker = sessionmaker
        self._update_id = update_id
        self._profile = profile
        self._settings = settings
        self._clock = clock
        self._session: AsyncSession | None = None
        self._stack: AsyncExitStack | None = None
        self._person: Person | None = None
        self._actor: Actor | None = None
        self.created = False  # the person wrote for the first time
        self.now: datetime = datetime.min.replace(tzinfo=UTC)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    @property
    def person(self) -> Person:
        if self._person is None:
            raise RuntimeError("this unit of work was opened without a profile")
        return self._person

    async def actor(self) -> Actor:
        """The person, their active team and their membership there (resolved once)."""
        person = self.person
        cached = self._actor
        if cached is not None and cached.team.id == person.active_team_id and cached.member.active:
            return cached
        team, member = await active_team(self.session, person)
        self._actor = Actor(person, team, member)
        return self._actor

    async def __aenter__(self) -> Self:
        stack = AsyncExitStack()
        session = await stack.enter_async_context(transaction(self._sessionmaker))
        try:
            found: Any = None  # the sender's row, when read with the claim
            if self._update_id is not None:
                found = await self._claim(session, self._update_id)
            self.now = self._clock()
            if self._profile is not None:
                assert self._settings is not None
                defaults = {
                    "default_timezone": self._settings.default_timezone,
                    "default_locale": self._settings.default_locale,
                }
                if found is None:
                    self._person, self.created = await ensure_person(
                        session, profile=self._profile, now=self.now, **defaults
                    )
                else:
                    person = None if found[0] is None else remember_sender(session, *found)
                    self._person, self.created = await settle_person(
                        session, person, profile=self._profile, now=self.now, **defaults
                    )
        except BaseException as error:
            await stack.__aexit__(type(error), error, error.__traceback__)
            raise
        self._session, self._stack = session, stack
        return self

    async def _claim(self, session: AsyncSession, update_id: int) -> Any:
        """Claim the update; on PostgreSQL with a profile, read the sender in the same statement
        and return their row (person, team, membership, team count; person None when new)."""
        connection = await session.connection()
        if self._profile is None or connection.dialect.name != "postgresql":
            if self._profile is not None:  # SQLite: the sender's look-up rides with the claim
                prefetch_sender(connection, self._profile.tg_user_id)
            await claim_update(session, update_id)
            return None
        params = {
            "update_id": update_id,
            "at": datetime.now(UTC),
            "tg_user_id": self._profile.tg_user_id,
        }
        row = (await session.exec(_CLAIM_AND_SENDER, params=params)).first()
        if row is None:
            raise DuplicateUpdate
        return tuple(row)[1:]

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Commits when the block ends normally; rolls everything back on an exception."""
        stack, self._stack, self._session = self._stack, None, None
        assert stack is not None
        await stack.__aexit__(kind, error, traceback)


class Entered:
    """What a front end's request object (a Telegram update, a web page) reads from the unit of
    work it entered: the session, the person asking, the moment, and who they are in a team."""

    uow: UnitOfWork

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    @property
    def person(self) -> Person:
        return self.uow.person

    @property
    def now(self) -> datetime:
        return self.uow.now

    async def actor(self) -> Actor:
        """Who is asking: the person, their active team and role (resolved once)."""
        return await self.uow.actor()


async def claim_alone(sessionmaker: Sessionmaker, update_id: int) -> bool:
    """Claim the update in a transaction of its own; False when someone else has it."""
    try:
        async with UnitOfWork(sessionmaker, update_id=update_id):
            pass
    except DuplicateUpdate:
        return False
    return True
