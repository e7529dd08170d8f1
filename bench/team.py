"""`/team week` for a team of 50 members (PRODUCT.md 10: p99 ≤ 50 ms), sent by its owner.

python -m bench.team --leads 100000 --events 1000000 --count 200

The store has one team whose 50 members own every lead, so each /team line is real work:
grouped counts over the week's events, overdue follow-ups and pace to goal. For comparison it
also times the same table computed the naive way, one `period_counts` per member.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from assistant.config import Settings
from assistant.db.models import Person, Team
from assistant.domain.localtime import local_today
from assistant.domain.periods import parse_period
from assistant.services import analytics
from assistant.services.teams import roster
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.offline import OfflineRequest
from bench.dataset import FIRST_TG_USER, generate
from bench.latency import measure
from bench.stats import Timing, table


async def team_week(url: str, leads: int, events: int, count: int, members: int = 50) -> Timing:
    """/team week sent by the owner of one team of `members` who own the whole store."""
    await generate(url, leads=leads, events=events, teams=1, members=members)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    api = OfflineRequest()
    # A clock of our own keeps the push scheduler off: only /team is timed.
    ours = build_application(settings, request=api, clock=lambda: datetime.now(UTC))
    await start_application(ours)
    try:
        owner = FIRST_TG_USER  # member 0 owns the team
        return await measure(
            ours, f"/team week, {members} members", lambda i: ("/team week", owner), count,
            api.calls.clear,
        )  # fmt: skip
    finally:
        await stop_application(ours)


async def run(url: str | None, leads: int, events: int, count: int, members: int) -> None:
    directory = Path(tempfile.mkdtemp(prefix="bench-team-"))
    url = url or f"sqlite+aiosqlite:///{directory / 'store.db'}"
    started = time.perf_counter()
    timing = await team_week(url, leads, events, count, members)
    print(f"1 team, {members} members, {leads} leads, {events} events: "
          f"{time.perf_counter() - started:.0f} s in all")  # fmt: skip
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    ours = build_application(settings, request=OfflineRequest(), clock=lambda: datetime.now(UTC))
    await start_application(ours)
    owner = FIRST_TG_USER
    naive: list[float] = []
    app = ours.bot_data["app"]
    async with app.sessionmaker() as session:
        person = (await session.exec(select(Person).where(Person.tg_user_id == owner))).one()
        team = await session.get(Team, person.active_team_id)
        assert team is not None and team.id is not None
        people = [member.person for member in await roster(session, team.id)]
        period = parse_period("week", local_today(datetime.now(UTC), person.timezone))
        start, end = analytics.utc_bounds(period, person.timezone)
        for _ in range(max(count // 10, 10)):
            began = time.perf_counter_ns()
            for member in people:
                await analytics.period_counts(
                    session, team=team, person_id=member.id or 0, start=start, end=end
                )
            naive.append((time.perf_counter_ns() - began) / 1e6)
    await stop_application(ours)
    rows = []
    for item in (timing, Timing("counts only, one query set per member", naive)):
        rows.append([item.name, f"{item.p50:.2f}", f"{item.p95:.2f}", f"{item.p99:.2f}"])
    print(table(rows, ["what", "p50 ms", "p95 ms", "p99 ms"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--count", type=int, default=200, help="updates to time")
    args = parser.parse_args()
    asyncio.run(run(args.url, args.leads, args.events, args.count, args.members))


if __name__ == "__main__":
    main()
