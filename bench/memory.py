"""Resident memory of a bot process working on a store of 100,000 leads."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from assistant.arenas import limit_malloc_arenas
from bench import latency
from bench.dataset import Dataset
from bench.latency import COMMANDS, _update


async def _work(url: str, count: int, dataset: Dataset) -> None:
    import random

    from sqlalchemy import func
    from sqlmodel import select

    from assistant.config import Settings
    from assistant.db.models import ProcessedUpdate
    from assistant.scheduling.planner import plan_due
    from assistant.scheduling.regrade import regrade_in_batches
    from assistant.tg.app import (
        all_commands,
        build_application,
        start_application,
        stop_application,
    )
    from assistant.tg.offline import OfflineRequest

    # The stand-in Bot API keeps nothing: the sender's pushes (tens of thousands on this store,
    # sent at 30 a second all through the run) would otherwise be counted as the bot's memory.
    api = OfflineRequest(keep=False)
    application = build_application(
        Settings(_env_file=None, database_url=url, telegram_bot_token=None),  # type: ignore[call-arg]
        request=api,
    )  # the system clock: the planner and sender jobs run too, as in a real bot
    await start_application(application)
    # Update ids go on after those the store already holds (python -m bench ran its latency
    # commands on it first), or every command here would be skipped as a redelivery.
    async with application.bot_data["app"].sessionmaker() as session:
        last = (await session.exec(select(func.max(ProcessedUpdate.update_id)))).one()
    latency._ids = itertools.count(int(last or 0) + 1)
    available = {spec.name for spec in all_commands()}
    rng = random.Random(3)
    for index in range(count):
        command = rng.choice([c for c in COMMANDS if c.split()[0].lstrip("/") in available])
        member = dataset.teams + index % (dataset.members - dataset.teams)  # the reps
        text = COMMANDS[command](rng, dataset, member)
        sender = dataset.member_tg_id(member)
        await application.process_update(_update(application, text, sender))
    # The heaviest moments of a day, whenever the jobs would have run: the planner's first tick
    # over the whole store (every overdue follow-up becomes a reminder) and a full regrade.
    app = application.bot_data["app"]
    planned = await plan_due(app.sessionmaker, app.settings, app.clock())
    regraded = await regrade_in_batches(app.sessionmaker, now=app.clock())
    print(f"planner tick: {planned} reminders planned; regrade: {regraded} grades changed")
    await stop_application(application)


def peak_resident_mb() -> float:
    """This process's own peak resident memory. Not getrusage's ru_maxrss: Linux carries the
    parent's peak over into a child it starts (the fork's copy of the parent counts until the
    exec), so under `python -m bench`, at ~300 MB after its latency runs, every child's
    ru_maxrss read ~300 MB whatever the child used. VmHWM is the peak of the current program."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument(
        "--existing", action="store_true", help="--url already holds the dataset (python -m bench)"
    )
    args = parser.parse_args()
    limit_malloc_arenas()  # as bot.py does
    url = args.url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'memory.db'}"
    # Generated in another process so the generator's own memory is not counted.
    if not args.existing:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.dataset",
                "--url",
                url,
                "--leads",
                str(args.leads),
                "--events",
                str(args.events),
            ],
            check=True,
        )
    asyncio.run(_work(url, args.count, Dataset(5, 50, args.leads, args.events)))
    peak_mb = peak_resident_mb()
    print(
        f"peak resident memory after {args.count} mixed commands on {args.leads} leads: "
        f"{peak_mb:.0f} MB (goal ≤ 150 MB)"
    )


if __name__ == "__main__":
    main()
