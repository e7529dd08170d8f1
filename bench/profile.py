"""cProfile of one command of bench/latency.py's COMMANDS, through the real Application.

    python -m bench.profile /add --count 500                  # a fresh 10k-lead SQLite store
    python -m bench.profile "/summary month" --leads 100000 --events 1000000
    python -m bench.profile /log --url postgresql+asyncpg://postgres@127.0.0.1:5432/x --existing

Generates the store (unless --existing), starts the bot as bench/latency.py does, sends
--warm updates of the command unprofiled, then --count more under cProfile, and prints the time
and SQL statements per update and the top --lines functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import itertools
import pstats
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from assistant.config import Settings
from assistant.db.models import ProcessedUpdate
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.offline import OfflineRequest
from bench import latency
from bench.dataset import Dataset, generate
from bench.latency import COMMANDS, MANAGER_COMMANDS, StatementCounter, wall_clock


async def profile(
    url: str, dataset: Dataset, command: str, *, count: int, warm: int, show_sql: bool = False
) -> tuple[cProfile.Profile, float, float]:
    """The profile of `count` updates; with the mean ms and SQL statements per update."""
    api = OfflineRequest()
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    application = build_application(settings, request=api, clock=wall_clock)
    await start_application(application)
    async with application.bot_data["app"].sessionmaker() as session:
        last = (await session.exec(select(func.max(ProcessedUpdate.update_id)))).one()
    latency._ids = itertools.count(int(last or 0) + 1)  # a store in use: fresh update ids
    rng = random.Random(int(last or 0))  # a store profiled before gets new phones for /add
    senders = range(dataset.teams) if command in MANAGER_COMMANDS else range(
        dataset.teams, dataset.members
    )  # fmt: skip
    make = COMMANDS.get(command) or (lambda rng, d, m: command)  # e.g. /start, sent as is

    def next_update() -> object:
        member = rng.choice(senders)
        text = make(rng, dataset, member)
        return latency._update(application, text, dataset.member_tg_id(member))

    counter = StatementCounter(application.bot_data["engine"])
    profiler = cProfile.Profile()
    try:
        for index in range(warm):
            await application.process_update(next_update())
            if index % 200 == 0:
                api.calls.clear()
        before = counter.count
        elapsed = 0.0
        for index in range(count):
            update = next_update()
            started = time.perf_counter()
            profiler.enable()
            await application.process_update(update)
            profiler.disable()
            elapsed += time.perf_counter() - started
            if index % 200 == 0:
                api.calls.clear()
        statements = (counter.count - before) / max(count, 1)
        if show_sql:
            counter.keep = True
            await application.process_update(next_update())
            print(f"the SQL of one more {command}:")
            for sql in counter.kept:
                print("  " + " ".join(sql.split()))
    finally:
        counter.close()
        await stop_application(application)
    return profiler, elapsed / max(count, 1) * 1000, statements


def top(profiler: cProfile.Profile, sort: str, lines: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(lines)
    text = out.getvalue()
    # From the column header on: the preamble repeats the totals printed above.
    return text[text.find("   ncalls") :].rstrip()


async def run(args: argparse.Namespace) -> None:
    url = args.url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'profile.db'}"
    dataset = Dataset(5, 50, args.leads, args.events)
    if not args.existing:
        started = time.perf_counter()
        dataset = await generate(url, leads=args.leads, events=args.events)
        print(f"dataset: {args.leads} leads, {args.events} events in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    profiler, ms, statements = await profile(
        url, dataset, args.command, count=args.count, warm=args.warm, show_sql=args.sql
    )
    print(
        f"{args.command}: {args.count} updates profiled, {ms:.2f} ms per update under the "
        f"profiler, {statements:.1f} SQL statements per update"
    )
    for sort in ("cumulative", "tottime"):
        print(f"\n== top {args.lines} by {sort} ==")
        print(top(profiler, sort, args.lines))
    if args.output:
        profiler.dump_stats(args.output)
        print(f"\nprofile written to {args.output} (python -m pstats {args.output})")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command", help="a command of bench/latency.py's COMMANDS, or a text sent as is (/start)"
    )
    parser.add_argument("--count", type=int, default=500, help="updates profiled")
    parser.add_argument("--warm", type=int, default=100, help="updates sent first, unprofiled")
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--existing", action="store_true", help="--url holds the bench store")
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=30, help="functions shown per ordering")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one more update")
    parser.add_argument("--output", help="also write the raw profile here (pstats format)")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
