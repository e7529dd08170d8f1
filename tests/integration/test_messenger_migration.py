"""The migration that gives teams a chat app and a phone region, on both databases."""

from __future__ import annotations

import re

from sqlalchemy import inspect, text

from assistant.db.migrate import VERSIONS
from assistant.db.models import Lead, Person, Team
from assistant.db.session import Sessionmaker, transaction
from tests.integration.test_source_keys_migration import _insert_as_then, _migrate


def _before() -> str:
    """The revision this migration builds on (it moves when migrations renumber)."""
    [path] = VERSIONS.glob("*_messenger_and_region.py")
    down = re.search(r"^down_revision: str \| None = .(\w+)", path.read_text(), re.MULTILINE)
    assert down
    return down.group(1)


async def _columns(sessionmaker: Sessionmaker, name: str) -> set[str]:
    async with sessionmaker() as session:
        connection = await session.connection()
        return set(
            await connection.run_sync(
                lambda sync: {found["name"] for found in inspect(sync).get_columns(name)}
            )
        )


async def test_teams_and_leads_stored_before_are_on_wechat_in_mainland_china(
    sessionmaker: Sessionmaker,
) -> None:
    await _migrate(sessionmaker, "downgrade", _before())
    try:
        assert "messenger" not in await _columns(sessionmaker, "team")
        async with transaction(sessionmaker) as session:
            connection = await session.connection()
            person_id = await _insert_as_then(connection, Person(tg_user_id=9, name="Lin"))
            team_id = await _insert_as_then(connection, Team(name="一店", owner_id=person_id))
            lead = Lead(team_id=team_id, number=1, name="王女士", wechat="wang_88")
            await _insert_as_then(connection, lead)
        await _migrate(sessionmaker, "upgrade", "head")
        async with sessionmaker() as session:
            team = (await session.exec(text("SELECT messenger, phone_region FROM team"))).one()
            lead = (await session.exec(text("SELECT wechat, messenger FROM lead"))).one()
        assert tuple(team) == ("wechat", "CN") and tuple(lead) == ("wang_88", "wechat")
        await _migrate(sessionmaker, "downgrade", _before())
        assert "messenger" not in await _columns(sessionmaker, "lead")
        assert "phone_region" not in await _columns(sessionmaker, "team")
    finally:
        await _migrate(sessionmaker, "upgrade", "head")
