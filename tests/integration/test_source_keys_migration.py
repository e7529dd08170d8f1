"""The data migration that stores known lead sources as keys, on both databases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import column, insert, inspect, table, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from assistant.db.migrate import VERSIONS, alembic_config
from assistant.db.models import Lead, Membership, Person, SourceCost, Team
from assistant.db.session import Sessionmaker, transaction

DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
STORED_BEFORE = ["转介绍", "Referred", "抖音", "walk-in", "进店", "朋友的朋友", "Village Fete",
                 None]  # fmt: skip


def _revisions() -> tuple[str, str]:
    """This migration's revision and the one before it (they move when migrations renumber)."""
    [path] = VERSIONS.glob("*_source_keys.py")
    source = path.read_text(encoding="utf-8")
    revision = re.search(r"^revision: str = '(\w+)'", source, re.MULTILINE)
    down = re.search(r"^down_revision: str \| None = '(\w+)'", source, re.MULTILINE)
    assert revision and down
    return revision.group(1), down.group(1)


async def _migrate(sessionmaker: Sessionmaker, action: str, target: str) -> None:
    from alembic import command

    engine = sessionmaker.kw["bind"]
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: getattr(command, action)(alembic_config(sync), target)
        )


async def _sources(sessionmaker: Sessionmaker) -> tuple[list[str | None], list[tuple[str, float]]]:
    async with sessionmaker() as session:
        leads = (await session.exec(select(Lead.source).order_by(col(Lead.number)))).all()
        costs = (await session.exec(select(SourceCost.source, SourceCost.cost))).all()
    return list(leads), sorted((source, cost) for source, cost in costs)


async def _insert_as_then(connection: AsyncConnection, model: Any) -> int:
    """Insert only the columns the table has at this revision: later migrations add more."""
    name, types = model.__tablename__, model.__table__.c
    present = await connection.run_sync(
        lambda sync: {column["name"] for column in inspect(sync).get_columns(name)}
    )
    row = model.model_dump()
    values = {key: value for key, value in row.items() if key in present and key != "id"}
    old_table = table(name, *(column(key, types[key].type) for key in [*values, "id"]))
    inserted = await connection.execute(
        insert(old_table).values(**values).returning(old_table.c.id)
    )
    return int(inserted.scalar_one())


async def _stored_as_before(sessionmaker: Sessionmaker) -> None:
    """Leads and costs as the bot stored them before sources had keys."""
    async with transaction(sessionmaker) as session:
        connection = await session.connection()
        person = Person(tg_user_id=501, chat_id=501, name="Lin", created_at=NOW)
        person_id = await _insert_as_then(connection, person)
        team = Team(name="Lin", personal=True, owner_id=person_id, created_at=NOW)
        team_id = await _insert_as_then(connection, team)
        membership = Membership(team_id=team_id, person_id=person_id, role="owner", joined_at=NOW)
        await _insert_as_then(connection, membership)
        for number, source in enumerate(STORED_BEFORE, start=1):
            lead = Lead(team_id=team_id, number=number, owner_id=person_id, name="客户",
                        source=source, stage="new", grade="B")  # fmt: skip
            await _insert_as_then(connection, lead)
        for source, cost in (("转介绍", 100.0), ("referral", 50.0), ("朋友的朋友", 30.0)):
            session.add(SourceCost(team_id=team_id, person_id=person_id, day=DAY,
                                   source=source, cost=cost))  # fmt: skip


async def test_upgrade_maps_known_labels_to_keys_and_leaves_unknown_sources_alone(
    sessionmaker: Sessionmaker,
) -> None:
    revision, before = _revisions()
    await _migrate(sessionmaker, "downgrade", before)
    try:
        await _stored_as_before(sessionmaker)
        await _migrate(sessionmaker, "upgrade", revision)
        leads, costs = await _sources(sessionmaker)
        assert leads == ["referral", "referral", "douyin", "walk_in", "walk_in", "朋友的朋友",
                         "Village Fete", None]  # fmt: skip
        # 转介绍 and referral were two rows for one day: one row now, costs added up.
        assert costs == [("referral", 150.0), ("朋友的朋友", 30.0)]
    finally:
        await _migrate(sessionmaker, "upgrade", "head")


async def test_downgrade_maps_keys_back_to_the_labels_stored_before(
    sessionmaker: Sessionmaker,
) -> None:
    revision, before = _revisions()
    await _migrate(sessionmaker, "downgrade", before)
    try:
        await _stored_as_before(sessionmaker)
        await _migrate(sessionmaker, "upgrade", revision)
        await _migrate(sessionmaker, "downgrade", before)
        leads, costs = await _sources(sessionmaker)
        assert leads == ["转介绍", "转介绍", "抖音", "进店", "进店", "朋友的朋友", "Village Fete",
                         None]  # fmt: skip
        assert costs == [("朋友的朋友", 30.0), ("转介绍", 150.0)]
        async with sessionmaker() as session:
            version = (await session.exec(text("SELECT version_num FROM alembic_version"))).one()
        assert version[0] == before
    finally:
        await _migrate(sessionmaker, "upgrade", "head")
