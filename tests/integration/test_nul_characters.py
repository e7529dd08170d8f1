"""A NUL character never reaches either database's text columns: PostgreSQL text cannot hold
one (the statement would fail), and SQLite would keep it invisibly. Whatever path a text takes
(a forwarded message, a shared contact, an imported cell), it is stored without."""

from __future__ import annotations

from sqlmodel import select

from assistant.db.models import Lead
from assistant.db.session import Sessionmaker, transaction
from tests.helpers import make_lead, make_person


async def test_text_with_nul_characters_is_stored_and_looked_up_without_them(
    sessionmaker: Sessionmaker,
) -> None:
    person, team = await make_person(sessionmaker, 1, name="Ann")
    await make_lead(sessionmaker, team, person, name="王\x00女士")
    async with transaction(sessionmaker) as session:
        for name in ("李\x00先生", "赵女士\x00"):
            await make_lead(sessionmaker, team, person, name=name)
        found = (await session.exec(select(Lead).where(Lead.name == "王\x00女士"))).all()
    async with sessionmaker() as session:
        names = sorted(lead.name for lead in (await session.exec(select(Lead))).all())
    assert names == sorted(["王女士", "李先生", "赵女士"])
    assert [lead.name for lead in found] == ["王女士"]  # a query's text loses them too
