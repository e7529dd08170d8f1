"""The bench store (and the demo's) is loaded with its own ids; the bot must go on adding rows
after them on PostgreSQL as on SQLite (a few bench /add failed with a duplicate lead_pkey)."""

from __future__ import annotations

from datetime import timedelta

from assistant.config import Settings
from bench.dataset import NOW, generate
from tests.harness import Harness, MutableClock, User


async def test_a_member_of_the_generated_store_can_add_a_lead_after_the_load(
    database_url: str, settings: Settings
) -> None:
    dataset = await generate(database_url, leads=60, events=300, teams=2, members=6)
    clock = MutableClock(NOW + timedelta(hours=1))
    bot = Harness(settings, clock)
    await bot.start()
    try:
        rep = User(id=dataset.member_tg_id(dataset.teams), first_name="Rep", language_code="en")
        for name in ("Ada Long", "Bo Chen", "Cy Wu"):
            reply = await bot.reply_text(f"/add {name} 13800138000 wedding next May", user=rep)
            assert name in reply
            assert "went wrong" not in reply
    finally:
        await bot.stop()
