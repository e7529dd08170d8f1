"""The data migration that stores known lead sources as keys, on both databases."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import column, insert, inspect, table, text
from sqlmodel import col, select

from assistant.db.migrate import VERSIONS, alembic_config
from assistant.db.models import Lead, SourceCost
from assistant.db.session import Sessionmaker, transaction
from tests.helpers import make_person

DAY = date(2026, 11, 20)
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


async def _stored_as_before(sessionmaker: Sessionmaker) -> None:
    """Leads and costs as the bot stored them before sources had keys."""
    person, team = await make_person(sessionmaker, 501, name="Lin")
    async with transaction(sessionmaker) as session:
        connection = await session.connection()
        # Only the columns the table has at this revision: later migrations add more.
        present = await connection.run_sync(
            lambda sync: {column["name"] for column in inspect(sync).get_columns("lead")}
        )
        for number, source in enumerate(STORED_BEFORE, start=1):
            lead = Lead(team_id=team.id or 0, number=number, owner_id=person.id, name="客户",
                        source=source, stage="new", grade="B")  # fmt: skip
            row = {k: v for k, v in lead.model_dump().items() if k in present and k != "id"}
            old_table = table("lead", *(column(name) for name in row))
            await connection.execute(insert(old_table).values(**row))
        for source, cost in (("转介绍", 100.0), ("referral", 50.0), ("朋友的朋友", 30.0)):
            session.add(SourceCost(team_id=team.id or 0, person_id=person.id or 0, day=DAY,
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
