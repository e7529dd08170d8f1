"""Several processes, one bot: Telegram's limits, failover and exactly-once updates, for real.

    python -m bench.scaleout [--processes 3] [--users 500] [--pushes 3000]

Starts N `python bot.py` webhook processes at once on a throw-away PostgreSQL database (so they
race to migrate it), a round-robin proxy in front of them (a dead process is skipped, as a load
balancer would) and a loopback HTTP Bot API that enforces Telegram's limits across all of them
(bench/http_bot_api.py). Then:

1. every user sends /start through the proxy; 5% of the updates are delivered twice at once,
   to two different processes;
2. each user gets `pushes / users` leads whose follow-up is overdue, written to the database:
   the leader's planner turns them into reminders and its sender sends them; half-way through,
   the leader is killed with SIGKILL and another process takes over;
3. every user sends /leads, again 5% twice, to the processes still alive.

Replies and pushes are kept apart in time: a reply is paced by its own process only (Telegram
counts it in the bot's 30 a second too), the pushes by the leader for the whole bot. Updates
are sent at `--update-rate` a second (15), well below 30, so the replies alone keep the limits.

Printed: updates (distinct update ids), applied_once (those answered exactly once, with one
person per user in the database), pushes delivered, lost and duplicated, 429s over the whole
run, the push rate while a leader was sending (the pause of the takeover left out) and its
share of 30 msg/s, and takeover (SIGKILL to the next push delivered).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select, text, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assistant.db.models import Lead, Outbox, Person, ProcessedUpdate, Team
from assistant.db.session import make_engine
from bench.bot_processes import (
    HOOK_PATH,
    ROOT,
    SECRET,
    BotProcess,
    free_port,
    start_bot,
    stop_all,
    wait_healthy,
)
from bench.postgres import create_database, drop_database

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LIMIT = 30.0
FIRST_USER = 8_100_000


@dataclass(frozen=True)
class ScaleoutResult:
    processes: int
    updates: int
    applied_once: int
    pushes: int
    delivered: int
    lost: int
    duplicated: int
    refused_429: int
    rate: float
    takeover: float
    refused_by: str = ""  # which limit refused the 429s, e.g. "private chat 1"

    @property
    def share(self) -> float:
        return self.rate / LIMIT

    def line(self) -> str:
        return (
            f"scaleout: processes={self.processes} updates={self.updates} "
            f"applied_once={self.applied_once} pushes={self.pushes} "
            f"delivered={self.delivered} lost={self.lost} duplicated={self.duplicated} "
            f"429={self.refused_429} rate={self.rate:.1f}msg/s share={self.share:.1%} "
            f"takeover={self.takeover:.1f}s"
        )


# ---------------------------------------------------------------- the pieces


class RoundRobin:
    """The proxy: each update to the next process; a process that refuses the connection is
    skipped. A repeated update id goes to another process than its first copy did."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.client = httpx.AsyncClient(timeout=60)
        self._next = 0
        self._first_copy: dict[int, int] = {}

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        update_id = int(request.headers.get("x-update-id", "0"))
        start = self._next
        self._next += 1
        if update_id in self._first_copy:
            start = self._first_copy[update_id] + 1
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
        headers["content-type"] = "application/json"
        for step in range(len(self.backends)):
            index = (start + step) % len(self.backends)
            try:
                answer = await self.client.post(
                    self.backends[index] + HOOK_PATH, content=body, headers=headers
                )
            except httpx.TransportError:
                continue
            self._first_copy.setdefault(update_id, index)
            return Response(answer.content, status_code=answer.status_code)
        return Response("no process answered", status_code=502)


@contextlib.asynccontextmanager
async def serving(app: Starlette, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@contextlib.contextmanager
def bot_api_process(port: int) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "bench.http_bot_api", str(port)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/deliveries", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the fake Bot API did not start") from None
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def local_afternoon_zone() -> str:
    """A fixed-offset zone where it is now 15:00-16:00: no morning or evening push is due,
    and no quiet hours, whatever time the benchmark runs."""
    offset = (15 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def webhook_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private message from `user_id`, as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": {
                "id": user_id, "is_bot": False, "first_name": f"Rep{user_id}",
                "language_code": "en",
            },
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }  # fmt: skip


# ---------------------------------------------------------------- the run


class Run:
    def __init__(
        self,
        processes: int,
        users: int,
        pushes: int,
        update_rate: float,
        database_url: str | None = None,
        planner_seconds: float = 30.0,
    ) -> None:
        self.database_url = database_url  # an empty database; default: a throw-away one
        self.planner_seconds = planner_seconds  # PLANNER_INTERVAL_SECONDS of the processes
        self.processes = processes
        self.users = [FIRST_USER + i for i in range(users)]
        self.pushes = pushes
        self.update_rate = update_rate
        self.random = random.Random(18)
        self.update_ids = iter(range(1, 10_000_000))
        self.sent_updates: list[tuple[int, int]] = []  # (update id, user) per distinct update
        self.logs = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))

    async def deliveries(self, api: str) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=30) as client:
            answer: dict[str, Any] = (await client.get(f"{api}/deliveries")).json()
            return answer

    async def send_updates(self, proxy: str, text: str) -> None:
        """One update per user, at update_rate a second; 5% of them twice at once."""
        async with httpx.AsyncClient(timeout=60) as client:

            async def post(update_id: int, body: dict[str, Any]) -> None:
                headers = {SECRET_HEADER: SECRET, "x-update-id": str(update_id)}
                response = await client.post(proxy, json=body, headers=headers)
                response.raise_for_status()

            tasks = []
            for user in self.users:
                update_id = next(self.update_ids)
                self.sent_updates.append((update_id, user))
                body = webhook_update(update_id, user, text)
                copies = 2 if self.random.random() < 0.05 else 1
                tasks += [asyncio.create_task(post(update_id, body)) for _ in range(copies)]
                await asyncio.sleep(1 / self.update_rate)
            await asyncio.gather(*tasks)

    async def wait_for(self, api: str, count: int, seconds: float) -> int:
        """Until `count` messages have arrived in all; returns how many have."""
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(timeout=30) as client:
            while True:
                arrived = int((await client.get(f"{api}/count")).json())
                if arrived >= count or time.monotonic() > deadline:
                    return arrived
                await asyncio.sleep(0.2)

    async def overdue_leads(self, url: str) -> None:
        """Each user gets pushes/users leads with a follow-up due a minute ago; pushes on every
        day of the week, no quiet hours, no briefings (only reminders are counted)."""
        per_user = self.pushes // len(self.users)
        due = datetime.now(UTC) - timedelta(minutes=1)
        engine = make_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    update(Person)
                    .where(Person.tg_user_id.in_(self.users))  # type: ignore[attr-defined]
                    .values(
                        work_days="1234567", quiet_start="00:00", quiet_end="00:00",
                        morning_on=False, evening_on=False, digest_on=False,
                    )
                )  # fmt: skip
                people = (
                    await connection.execute(
                        select(Person.id, Person.active_team_id).where(
                            Person.tg_user_id.in_(self.users)  # type: ignore[attr-defined]
                        )
                    )
                ).all()
                rows = [
                    {
                        "team_id": team, "number": number, "owner_id": person,
                        "name": f"Client {number}", "stage": "new", "grade": "B",
                        "grade_manual": False, "strong_intent": False, "date_passed": False,
                        "phone_obtained": False, "wechat_added": False,
                        "next_followup_at": due, "created_at": due, "updated_at": due,
                    }
                    # Interleaved, as leads created over time by many reps are: the planner
                    # reads them in id order.
                    for number in range(1, per_user + 1)
                    for person, team in people
                ]  # fmt: skip
                await connection.execute(Lead.__table__.insert(), rows)  # type: ignore[attr-defined]
                await connection.execute(
                    update(Team)
                    .where(Team.owner_id.in_([person for person, _ in people]))  # type: ignore[attr-defined]
                    .values(next_lead_number=per_user + 1)
                )
        finally:
            await engine.dispose()

    async def leader(self, url: str, bots: list[BotProcess]) -> BotProcess:
        engine = make_engine(url)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                async with engine.connect() as connection:
                    holder = (
                        await connection.execute(
                            text("SELECT holder FROM leaderlease WHERE expires_at > now()")
                        )
                    ).scalar()
                pid = int(str(holder).split(":")[1]) if holder else None
                for bot in bots:
                    if bot.process.pid == pid:
                        return bot
                await asyncio.sleep(0.2)
        finally:
            await engine.dispose()
        raise RuntimeError("no process became the leader")

    async def database_counts(self, url: str) -> tuple[int, int, Counter[str]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                people = (
                    await connection.execute(
                        select(func.count()).where(
                            Person.tg_user_id.in_(self.users)  # type: ignore[attr-defined]
                        )
                    )
                ).scalar_one()
                claimed = (
                    await connection.execute(select(func.count()).select_from(ProcessedUpdate))
                ).scalar_one()
                statuses = Counter(
                    dict((await connection.execute(
                        select(Outbox.status, func.count()).group_by(Outbox.status)
                    )).all())  # type: ignore[arg-type]
                )  # fmt: skip
            return int(people), int(claimed), statuses
        finally:
            await engine.dispose()

    async def wait_sent(self, url: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            _, _, statuses = await self.database_counts(url)
            if statuses.get("sent", 0) >= self.pushes:
                return
            await asyncio.sleep(0.5)

    async def main(self) -> ScaleoutResult:
        url = self.database_url or await create_database("scaleout")
        api_port, proxy_port = free_port(), free_port()
        bots: list[BotProcess] = []
        try:
            with bot_api_process(api_port) as api:
                settings = {
                    "PLANNER_INTERVAL_SECONDS": str(self.planner_seconds),
                    "DEFAULT_TIMEZONE": local_afternoon_zone(),
                    "LOG_LEVEL": "INFO",
                }
                bots = [
                    start_bot(f"bot{i}", database_url=url, api_base_url=f"{api}/bot{i}/bot",
                              logs=self.logs, **settings)
                    for i in range(self.processes)
                ]  # fmt: skip
                await asyncio.to_thread(wait_healthy, bots, 120.0)
                proxy = RoundRobin([bot.url for bot in bots])
                app = Starlette(routes=[Route("/", proxy.forward, methods=["POST"])])
                async with serving(app, proxy_port):
                    return await self.scenario(url, api, f"http://127.0.0.1:{proxy_port}/", bots)
        finally:
            stop_all(bots)
            if self.database_url is None:
                await drop_database(url)

    async def scenario(
        self, url: str, api: str, proxy: str, bots: list[BotProcess]
    ) -> ScaleoutResult:
        users = len(self.users)
        await self.send_updates(proxy, "/start")
        first_phase = await self.wait_for(api, users, 60)
        await asyncio.sleep(1.5)  # a push right after a reply would break the chat's 1 a second

        await self.overdue_leads(url)
        leader = await self.leader(url, bots)
        half = await self.wait_for(api, first_phase + self.pushes // 2, 120 + self.pushes / 20)
        os.kill(leader.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        leader.process.wait()
        # Watch the cheap counter while the pushes go out, the database only at the end.
        await self.wait_for(api, first_phase + self.pushes, 60 + self.pushes / 20)
        await self.wait_sent(url, 60)
        pushed = (await self.deliveries(api))["delivered"][first_phase:]
        if half < first_phase + self.pushes // 2:
            raise RuntimeError(f"the pushes stalled; logs in {self.logs}")

        await asyncio.sleep(1.5)  # the same between the last push and the next replies
        await self.send_updates(proxy, "/leads")
        await self.wait_for(api, first_phase + len(pushed) + users, 60)
        await asyncio.sleep(1.0)  # a late second answer would show up now
        final = await self.deliveries(api)
        people, claimed, _ = await self.database_counts(url)
        killed = leader.name
        return self.result(final, first_phase, len(pushed), killed, killed_at, people, claimed)

    def result(
        self,
        final: dict[str, Any],
        first_phase: int,
        pushed_count: int,
        killed: str,
        killed_at: float,
        people: int,
        claimed: int,
    ) -> ScaleoutResult:
        delivered = final["delivered"]
        replies_before = Counter(chat for _, chat, _, _ in delivered[:first_phase])
        pushes = delivered[first_phase : first_phase + pushed_count]
        replies_after = Counter(chat for _, chat, _, _ in delivered[first_phase + pushed_count :])
        answered_once = sum(1 for user in self.users if replies_before[user] == 1)
        answered_once += sum(1 for user in self.users if replies_after[user] == 1)
        if people != len(self.users) or claimed != len(self.sent_updates):
            answered_once = min(answered_once, people)  # an update lost or applied twice
        keys = Counter(key for _, _, key, _ in pushes)
        times = [at for at, _, _, _ in pushes]
        # The killed leader's last request may still arrive after the kill (it was on the wire):
        # the takeover is the first push another process delivered.
        before = [at for at, _, _, caller in pushes if caller == killed]
        after = [at for at, _, _, caller in pushes if caller != killed and at >= killed_at]
        takeover = (after[0] - killed_at) if after else float("inf")
        pause = (after[0] - before[-1]) if before and after else 0.0
        span = (times[-1] - times[0] - pause) if len(times) > 1 else 0.0
        return ScaleoutResult(
            processes=self.processes,
            updates=len(self.sent_updates),
            applied_once=answered_once,
            pushes=self.pushes,
            delivered=len(keys),
            lost=self.pushes - len(keys),
            duplicated=sum(count - 1 for count in keys.values()),
            refused_429=int(final["refused"]),
            rate=(len(times) - 1) / span if span > 0 else 0.0,
            takeover=takeover,
            refused_by=", ".join(f"{name} {n}" for name, n in final["reasons"].items())
            + "".join(
                f" [at {at - times[0]:+.2f}s from the first push, chat {chat}]"
                for at, chat in final["refusals"]
            ),
        )


def run(
    processes: int = 3,
    users: int = 500,
    pushes: int = 3000,
    update_rate: float = 15.0,
    database_url: str | None = None,
    planner_seconds: float = 30.0,
) -> ScaleoutResult:
    run = Run(processes, users, pushes, update_rate, database_url, planner_seconds)
    return asyncio.run(run.main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--pushes", type=int, default=3000, help="a multiple of --users")
    parser.add_argument("--update-rate", type=float, default=15.0, help="updates a second")
    args = parser.parse_args()
    result = run(args.processes, args.users, args.pushes, args.update_rate)
    print(result.line())
    if result.refused_by:
        print(f"429s by limit: {result.refused_by}", file=sys.stderr)


if __name__ == "__main__":
    main()
