"""Fan-out: scheduled pushes through the real outbox sender to a Bot API with Telegram's limits.

The pushes are put in the outbox all due at once (as a 09:00 briefing wave would be) and the
bot's own sender job sends them: the running Application, its JobQueue tick, `Sender.drain`, the
pacer, rendering, and the outbox updates. The mix: 98% go to private chats, two to each chat
(a briefing and a reminder, so the 1 msg/s per chat rule matters), 2% to groups, five to each
group (20 msg/min per group; one each in runs below 1,500 pushes). The fake API
(bench/fake_telegram.py) answers 429 to anything over a limit. Reported: achieved rate as a
share of 30 msg/s (first to last delivery), 429s, losses (rows never delivered) and
duplicates (rows delivered more than once).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, func, select

from assistant.config import Settings
from assistant.db.models import Outbox
from assistant.db.session import transaction
from assistant.scheduling.outbox import enqueue
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.services.actions import Action
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.common import AppContext
from bench.fake_telegram import TelegramLimits, limited_api

KIND = "bench"
LIMIT = 30.0
FIRST_CHAT = 9_000_000
FIRST_GROUP = -1_009_000_000


async def _plan_nothing(ctx: PlanContext) -> list[PushDraft]:
    return []


async def _render(ctx: RenderContext, row: Outbox) -> PushMessage:
    """A short message with one signed button that carries the row id (to spot duplicates)."""
    done = [[Action("work_buttons.fu_done", "bn", (row.id,))]]
    return PushMessage("hint", {}, "zh-Hans" if (row.id or 0) % 4 else "en", actions=done)


register_push_kind(KIND, plan=_plan_nothing, render=_render)


def drafts(pushes: int, due: object, seed: int = 5) -> list[PushDraft]:
    """98% to private chats (two each), 2% to groups (five each; one each below 1,500 pushes,
    since five to one group take 12 s at 20 a minute, longer than a small run), shuffled."""
    group_pushes = pushes // 50
    per_group = 5 if pushes >= 1500 else 1
    private_pushes = pushes - group_pushes
    chats = [FIRST_CHAT + i // 2 for i in range(private_pushes)]
    chats += [FIRST_GROUP - i // per_group for i in range(group_pushes)]
    random.Random(seed).shuffle(chats)
    return [
        PushDraft(KIND, f"bench:{i}", chat, due, payload={})  # type: ignore[arg-type]
        for i, chat in enumerate(chats)
    ]


@dataclass(frozen=True)
class FanoutResult:
    pushes: int
    delivered: int
    lost: int
    duplicates: int
    refused_429: int
    rate: float  # messages per second, first to last delivery
    seconds: float  # from the rows being due to the last delivery
    chat_rule_broken: int  # deliveries that broke a per-chat rule (the fake would refuse them)
    refused_by: str = ""  # which limit refused the 429s, e.g. "overall 1"

    @property
    def share(self) -> float:
        return self.rate / LIMIT

    def lines(self) -> list[str]:
        return [
            f"fan-out of {self.pushes} pushes: {self.rate:.1f} msg/s = {self.share:.1%} of "
            f"30 msg/s (goal ≥ 95%), {self.refused_429} × 429 (goal 0), {self.lost} lost, "
            f"{self.duplicates} duplicated, {self.seconds:.0f} s in all"
            + (f" (429s by limit: {self.refused_by})" if self.refused_by else ""),
        ]


def _per_chat_violations(limits: TelegramLimits) -> int:
    """Re-check the delivered log independently of the fake's own bookkeeping."""
    broken = 0
    by_chat: dict[int, list[float]] = {}
    for item in limits.delivered:
        by_chat.setdefault(item.chat_id, []).append(item.at)
    for chat, times in by_chat.items():
        if chat > 0:
            broken += sum(1 for a, b in itertools.pairwise(times) if b - a < 1.0)
        else:
            broken += sum(1 for i in range(20, len(times)) if times[i] - times[i - 20] < 60.0)
    return broken


async def _remaining(app: AppContext) -> int:
    async with app.sessionmaker() as session:
        result = await session.exec(
            select(func.count())
            .select_from(Outbox)
            .where(col(Outbox.status).in_(["pending", "sending"]))
        )
        return int(result.one())


async def fan_out(url: str, pushes: int, *, give_up_after: float | None = None) -> FanoutResult:
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    api, limits = limited_api()
    application = build_application(settings, request=api)
    await start_application(application)  # migrations, and the planner and sender jobs
    app: AppContext = application.bot_data["app"]
    try:
        due = app.clock() - timedelta(seconds=1)
        async with transaction(app.sessionmaker) as session:
            await enqueue(session, drafts(pushes, due), app.clock())
        started = time.monotonic()
        limit = give_up_after or pushes / 25 + 30
        while time.monotonic() - started < limit:
            if not await _remaining(app):
                break
            await asyncio.sleep(0.5)
        finished = time.monotonic()
    finally:
        await stop_application(application)
        limits.close()
    counts = Counter(item.key for item in limits.delivered)
    expected = {app.signer.sign("bn", i) for i in range(1, pushes + 1)}
    times = [item.at for item in limits.delivered]
    span = (max(times) - min(times)) if len(times) > 1 else 0.0
    return FanoutResult(
        pushes=pushes,
        delivered=len(counts),
        lost=len(expected - set(counts)),
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
        refused_429=limits.refused,
        rate=(len(times) - 1) / span if span else 0.0,
        seconds=(max(times) if times else finished) - started,
        chat_rule_broken=_per_chat_violations(limits),
        refused_by=", ".join(f"{name} {count}" for name, count in limits.reasons.items()),
    )


def sqlite_url() -> str:
    return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='bench-fanout-')) / 'fanout.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--pushes", type=int, default=1000, help="10000 for the full figure")
    args = parser.parse_args()
    result = asyncio.run(fan_out(args.url or sqlite_url(), args.pushes))
    print("\n".join(result.lines()))


if __name__ == "__main__":
    main()
