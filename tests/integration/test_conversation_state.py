"""A pasted lead waiting for "save": two presses racing on it store it once (both databases)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from assistant.db.session import Sessionmaker, transaction
from assistant.services import conversation
from tests import helpers as data

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CHAT = 5001


async def waiting_paste(sessionmaker: Sessionmaker) -> int:
    async with transaction(sessionmaker) as session:
        person = await data.person(session, 5001, "Ann")
        assert person.id is not None
        await conversation.set_state(
            session, person.id, CHAT, flow="lead_paste", step="confirm",
            data={"name": "郑女士", "token": "t1"}, now=NOW,
        )  # fmt: skip
        return person.id


async def test_two_presses_racing_on_one_pasted_lead_take_it_once(
    sessionmaker: Sessionmaker,
) -> None:
    person_id = await waiting_paste(sessionmaker)
    started = asyncio.Event()

    async def press(first: bool) -> dict[str, Any] | None:
        async with transaction(sessionmaker) as session:
            if not first:
                await started.wait()
            taken = await conversation.take_state(
                session, person_id, CHAT, flow="lead_paste", token="t1"
            )
            if first:
                started.set()
                await asyncio.sleep(0.2)  # the other press runs while this one is not committed
            return taken

    results = await asyncio.gather(press(True), press(False))
    assert [r is not None for r in results].count(True) == 1
    async with sessionmaker() as session:
        assert await conversation.get_state(session, person_id, CHAT) is None


async def test_an_older_preview_or_another_flow_takes_nothing(sessionmaker: Sessionmaker) -> None:
    person_id = await waiting_paste(sessionmaker)
    async with transaction(sessionmaker) as session:
        assert (
            await conversation.take_state(session, person_id, CHAT, flow="lead_paste", token="old")
            is None
        )
        assert (
            await conversation.take_state(session, person_id, CHAT, flow="lead_add", token="t1")
            is None
        )
        taken = await conversation.take_state(
            session, person_id, CHAT, flow="lead_paste", token="t1"
        )
    assert taken == {"name": "郑女士", "token": "t1"}
