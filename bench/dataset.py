"""A realistic store, reproducible from a seed: teams, members, leads and their events.

python -m bench.dataset --url sqlite+aiosqlite:///bench.db --leads 100000 --events 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from assistant import sample_data
from assistant.db.migrate import upgrade_to_head
from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.db.session import make_engine

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FIRST_TG_USER = 500_000
DAYS = 730  # leads created over two years


@dataclass(frozen=True)
class Dataset:
    teams: int
    members: int
    leads: int
    events: int

    def member_tg_id(self, index: int) -> int:
        return FIRST_TG_USER + index

    def lead_numbers(self, index: int) -> range:
        """The per-team lead numbers member `index` owns: leads are dealt round-robin to the
        members, and each team numbers its own leads in that order."""
        per_team = self.members // self.teams
        return range(index // self.teams + 1, self.leads // self.teams + 1, per_team)


async def generate(
    url: str, *, leads: int, events: int, teams: int = 5, members: int = 50, seed: int = 1
) -> Dataset:
    """The store of assistant/sample_data.py: mixed Chinese and English names, `members`
    people dealt into `teams` teams, `leads` leads over two years, `events` events."""
    rng = random.Random(seed)
    engine = make_engine(url)
    await upgrade_to_head(engine)
    people = sample_data.people(
        rng, members, teams=teams, now=NOW, first_tg_user=FIRST_TG_USER,
        name=sample_data.mixed_name,
    )  # fmt: skip
    await sample_data.insert_rows(engine, Person.__table__, people)
    lead_rows, per_team = sample_data.leads(
        rng, leads, members=members, teams=teams, now=NOW, days=DAYS,
        name=sample_data.mixed_name,
    )  # fmt: skip
    names = [f"Team {t + 1}" for t in range(teams)]
    await sample_data.insert_rows(
        engine, Team.__table__, sample_data.team_rows(per_team, NOW, names)
    )
    await sample_data.insert_rows(
        engine, Membership.__table__, sample_data.membership_rows(members, teams, NOW)
    )
    await sample_data.insert_rows(engine, Lead.__table__, lead_rows)
    batch: list[dict[str, Any]] = []
    for row in sample_data.event_rows(rng, lead_rows, events, now=NOW):
        batch.append(row)
        if len(batch) >= sample_data.BATCH:
            await sample_data.insert_rows(engine, LeadEvent.__table__, batch)
            batch = []
    await sample_data.insert_rows(engine, LeadEvent.__table__, batch)
    await sample_data.rebuild_rollups(engine)
    # Planner statistics, as a database that has been in use has them (SQLite keeps them from
    # ANALYZE). On PostgreSQL also the visibility map that autovacuum would set some time after
    # a bulk load: without it an index-only scan fetches every row from the table all the same.
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return Dataset(teams=teams, members=members, leads=leads, events=events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="sqlite+aiosqlite:///bench.db")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    asyncio.run(generate(args.url, leads=args.leads, events=args.events, seed=args.seed))
    print(
        f"generated {args.leads} leads and {args.events} events in "
        f"{time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
