"""Bot time per update, through the real Application with the offline Bot API.

Prints p50 / p95 / p99 per command, updates per second and SQL statements per update for our
bot, and the same for a bare echo bot and a typical template bot measured in the same run, with
the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application

from assistant.config import Settings
from assistant.tg.app import all_commands, build_application, start_application, stop_application
from bench.baselines import bare_echo_bot, template_bot
from bench.dataset import Dataset, generate
from bench.stats import Timing, table

_ids = itertools.count(1)


def wall_clock() -> datetime:
    """The real time, but not `system_clock` itself: the bot then installs no planner and
    sender jobs, which would otherwise plan reminders for the whole store in the background
    and skew the per-update timings."""
    return datetime.now(UTC)


def _update(application: Application, text: str, user_id: int) -> Update:  # type: ignore[type-arg]
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Rep", "language_code": "zh-hans"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Update.de_json({"update_id": next(_ids), "message": message}, application.bot)


class StatementCounter:
    """SQL statements sent on an engine, counted by SQLAlchemy's `before_cursor_execute` (an
    executemany counts once). SQLite's background WAL checkpoint (a PRAGMA, on a connection of
    its own) is not an update's statement and is left out."""

    def __init__(self, engine: AsyncEngine | None = None) -> None:
        self.count = 0
        self.keep = False  # True: keep the statements' text too, in `kept`
        self.kept: list[str] = []
        self._engine = engine
        if engine is not None:
            event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.startswith("PRAGMA"):
            self.count += 1
            if self.keep:
                self.kept.append(statement)

    def close(self) -> None:
        if self._engine is not None:
            event.remove(self._engine.sync_engine, "before_cursor_execute", self._count)
            self._engine = None


async def measure(
    application: Application,
    name: str,
    texts: Callable[[int], tuple[str, int]],  # type: ignore[type-arg]
    count: int,
    clear: Callable[[], None],
    budget: float = 15.0,
    counter: StatementCounter | None = None,
) -> Timing:
    """`count` updates, or fewer (at least 50) when they take more than `budget` seconds;
    with `counter`, the SQL statements of each update too."""
    samples: list[float] = []
    statements: list[int] = []
    deadline = time.perf_counter() + budget
    for index in range(count):
        text, user = texts(index)
        update = _update(application, text, user)
        before = counter.count if counter is not None else 0
        started = time.perf_counter_ns()
        await application.process_update(update)
        samples.append((time.perf_counter_ns() - started) / 1e6)
        if counter is not None:
            statements.append(counter.count - before)
        if index % 500 == 0:
            clear()
        if index >= 50 and time.perf_counter() > deadline:
            break
    warm = len(samples) // 10  # the first tenth warms caches
    timing = Timing(name, samples[warm:], statements[warm:])
    counted = f", {timing.statements_cell} statements" if statements else ""
    print(
        f"  {name}: {len(samples)} updates, p50 {timing.p50:.2f} ms, "
        f"p99 {timing.p99:.2f} ms{counted}",
        flush=True,
    )
    return timing


# Commands only managers may use are sent by a team owner, so they measure the real work.
MANAGER_COMMANDS = frozenset({"/team week"})
# Each command is made for the member (an index into the dataset) who sends it: /log and /lead
# name one of that member's own leads and /add a valid new lead, so they measure the real work
# rather than an error reply (a name ending in digits next to the phone reads as one bad phone).
Make = Callable[[random.Random, Dataset, int], str]
COMMANDS: dict[str, Make] = {
    "/add": lambda rng, d, m: (
        f"/add 客户{rng.randrange(10**6)}号 139{rng.randrange(10**8):08d} 婚期 明年5月"
    ),
    "/log": lambda rng, d, m: f"/log {rng.choice(d.lead_numbers(m))} 聊了套餐",
    "/lead": lambda rng, d, m: f"/lead {rng.choice(d.lead_numbers(m))}",
    "/leads": lambda rng, d, m: "/leads",
    "/summary month": lambda rng, d, m: "/summary month",
    "/today": lambda rng, d, m: "/today",
    "/team week": lambda rng, d, m: "/team week",  # a team of 10 here; 50 in bench/team.py
    "/leaderboard week": lambda rng, d, m: "/leaderboard week",
    "/settings": lambda rng, d, m: "/settings",
}


@dataclass
class LatencyReport:
    bare: Timing
    template: Timing
    commands: dict[str, Timing | None]  # None: the command is not registered yet
    mixed: Timing | None  # all available commands, interleaved
    # The same mix as polling hands it over: through the application's update processor, with
    # as many people's updates at once as it allows (updates per second).
    mixed_at_once: float | None = None
    at_once: int = 1

    def rows(self) -> list[list[object]]:
        bare_p50 = self.bare.p50
        rows: list[list[object]] = []
        for timing in (self.bare, self.template):
            ratio = "1.0×" if timing is self.bare else f"{timing.p50 / bare_p50:.1f}× bare"
            rows.append([timing.name, *timing_cells(timing), ratio])
        for name, found in [*self.commands.items(), ("mixed", self.mixed)]:
            if found is None:
                rows.append([name, "n/a", "", "", "", "", "command not available yet"])
                continue
            rows.append(
                [
                    name,
                    *timing_cells(found),
                    f"{found.p50 / bare_p50:.1f}× bare, "
                    f"{found.p50 / self.template.p50:.2f}× template",
                ]
            )
        if self.mixed_at_once is not None:
            rate = self.mixed_at_once
            ratio = f"{rate / self.template.per_second:.2f}× template's updates/s"
            rows.append([f"mixed, {self.at_once} at once", "", "", "", f"{rate:.0f}", "", ratio])
        return rows


async def throughput(
    application: Application,  # type: ignore[type-arg]
    texts: Callable[[int], tuple[str, int]],
    count: int,
    clear: Callable[[], None],
) -> float:
    """Updates per second when `count` updates arrive together and the application's update
    processor runs them (several people's at once, each person's in order)."""
    processor = application.update_processor
    updates = [_update(application, *texts(index)) for index in range(count)]
    started = time.perf_counter()
    await asyncio.gather(
        *(
            processor.process_update(update, application.process_update(update))
            for update in updates
        )
    )
    rate = count / (time.perf_counter() - started)
    clear()
    print(f"  mixed, {processor.max_concurrent_updates} at once: {rate:.0f} updates/s", flush=True)
    return rate


def timing_cells(timing: Timing) -> list[str]:
    return [
        f"{timing.p50:.2f}",
        f"{timing.p95:.2f}",
        f"{timing.p99:.2f}",
        f"{timing.per_second:.0f}",
        timing.statements_cell,
    ]


HEADER = ["what", "p50 ms", "p95 ms", "p99 ms", "updates/s", "statements", "ratio (p50)"]


async def baselines(directory: Path, count: int) -> tuple[Timing, Timing]:
    bare, bare_api = bare_echo_bot()
    templ, templ_api = await template_bot(directory)
    timings: list[Timing] = []
    for name, application, api in (
        ("bare echo bot", bare, bare_api),
        ("template bot", templ, templ_api),
    ):
        await application.initialize()
        counter = StatementCounter(application.bot_data.get("engine"))
        timings.append(
            await measure(
                application,
                name,
                lambda i: (f"hello {i}", 42),
                count,
                api.calls.clear,
                counter=counter if "engine" in application.bot_data else None,
            )
        )
        counter.close()
        await application.shutdown()
    await templ.bot_data["engine"].dispose()
    return timings[0], timings[1]


async def measure_ours(url: str, dataset: Dataset, count: int) -> LatencyReport:
    """Every command of COMMANDS that exists, then all of them mixed; baselines first."""
    bare, template = await baselines(Path(tempfile.mkdtemp(prefix="bench-")), count)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    from assistant.tg.offline import OfflineRequest

    api = OfflineRequest()
    ours = build_application(settings, request=api, clock=wall_clock)
    await start_application(ours)
    available = {spec.name for spec in all_commands()}
    rng = random.Random(7)
    reps = list(range(dataset.teams, dataset.members))
    owners = list(range(dataset.teams))  # one owner per team

    def text_and_sender(command: str) -> tuple[str, int]:
        member = rng.choice(owners if command in MANAGER_COMMANDS else reps)
        return COMMANDS[command](rng, dataset, member), dataset.member_tg_id(member)

    commands: dict[str, Timing | None] = {}
    usable = [c for c in COMMANDS if c.split()[0].lstrip("/") in available]
    counter = StatementCounter(ours.bot_data["engine"])
    try:
        for command in COMMANDS:
            if command not in usable:
                commands[command] = None
                continue
            commands[command] = await measure(
                ours,
                command,
                lambda i, command=command: text_and_sender(command),
                count,
                api.calls.clear,
                counter=counter,
            )
        mixed = at_once = None
        if usable:
            mixed = await measure(
                ours,
                "mixed",
                lambda i: text_and_sender(usable[i % len(usable)]),
                count,
                api.calls.clear,
                counter=counter,
            )
            at_once = await throughput(
                ours, lambda i: text_and_sender(usable[i % len(usable)]), count, api.calls.clear
            )
    finally:
        counter.close()
        await stop_application(ours)
    processor = ours.update_processor
    return LatencyReport(bare, template, commands, mixed, at_once, processor.max_concurrent_updates)


async def run(url: str | None, leads: int, events: int, count: int) -> None:
    directory = Path(tempfile.mkdtemp(prefix="bench-"))
    url = url or f"sqlite+aiosqlite:///{directory / 'store.db'}"
    started = time.perf_counter()
    dataset = await generate(url, leads=leads, events=events)
    print(f"dataset: {leads} leads, {events} events in {time.perf_counter() - started:.0f} s")
    report = await measure_ours(url, dataset, count)
    print(table(report.rows(), HEADER))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--count", type=int, default=2000, help="updates per command")
    args = parser.parse_args()
    asyncio.run(run(args.url, args.leads, args.events, args.count))


if __name__ == "__main__":
    main()
