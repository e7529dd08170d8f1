"""One-time links into the Mini App: used once, even by two visits at the same moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import WebToken
from assistant.db.session import Sessionmaker, transaction
from assistant.services import web_access
from tests.helpers import make_person
from tests.integration.racing import race

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def _link(maker: Sessionmaker) -> tuple[int, str]:
    person, _ = await make_person(maker, 501, name="Rep")
    async with transaction(maker) as session:
        secret = await web_access.issue_link(session, person=person, now=NOW)
    return person.id or 0, secret


async def test_two_visits_racing_for_one_link_open_one_session(
    makers: tuple[Sessionmaker, Sessionmaker],
) -> None:
    person_id, secret = await _link(makers[0])

    async def visit(session: AsyncSession) -> str | None:
        return await web_access.redeem_link(session, secret=secret, now=NOW)

    first, second = await race(makers, visit, visit)
    opened = [outcome for outcome in (first, second) if outcome is not None]
    assert len(opened) == 1
    async with makers[0]() as session:
        person = await web_access.session_person(session, secret=opened[0], now=NOW)
    assert person is not None and person.id == person_id


async def test_only_digests_are_stored_and_a_session_ends_after_twelve_hours(
    makers: tuple[Sessionmaker, Sessionmaker],
) -> None:
    _, secret = await _link(makers[0])
    async with transaction(makers[0]) as session:
        opened = await web_access.redeem_link(session, secret=secret, now=NOW)
    assert opened is not None
    async with makers[0]() as session:
        stored = {row.digest for row in (await session.exec(select(WebToken))).all()}
        assert secret not in stored and opened not in stored
        assert web_access.digest(secret) in stored
        later = NOW + timedelta(hours=12, seconds=1)
        assert await web_access.session_person(session, secret=opened, now=later) is None
        assert await web_access.session_person(session, secret=secret, now=NOW) is None
