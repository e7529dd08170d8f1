"""A person who blocked the bot and writes to it again gets pushes again."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from assistant.db.models import Person
from assistant.db.session import Sessionmaker, transaction
from tests.e2e.test_manager_week import at, to
from tests.harness import ALICE, Harness, tick
from tests.helpers import person_by_tg


async def test_writing_again_after_blocking_the_bot_makes_the_person_reachable(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    bot.clock.now = at(23, 8)
    await bot.send("/lang en", ALICE)
    async with transaction(sessionmaker) as session:
        await session.exec(  # type: ignore[call-overload]
            update(Person).where(col(Person.tg_user_id) == ALICE.id).values(reachable=False)
        )
    bot.clock.now = at(24, 20)
    assert not to(await tick(bot, 20), ALICE, "Evening review")  # blocked: nothing planned
    await bot.send("/help", ALICE)
    assert (await person_by_tg(sessionmaker, ALICE.id)).reachable is True
    bot.clock.now = at(25, 20)
    assert len(to(await tick(bot, 20), ALICE, "Evening review")) == 1


async def test_writing_from_a_group_does_not_change_the_private_chat(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await bot.send("/start", ALICE)
    await bot.send("/leaderboard", ALICE, chat={"id": -100777, "type": "group", "title": "G"})
    person = await person_by_tg(sessionmaker, ALICE.id)
    assert person.chat_id == ALICE.id and person.reachable is True
