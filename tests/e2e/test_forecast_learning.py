"""Win chances are learnt from the team's own last 180 days once there is enough history."""

from __future__ import annotations

from datetime import timedelta

from assistant.db.session import transaction
from assistant.domain import events
from tests.harness import ALICE, Harness
from tests.helpers import add_event, add_leads, leads_by_number, person_of, sessionmaker_of


async def closed_visits(bot: Harness, won: int, lost: int, days_ago: int) -> None:
    """Leads that went new → visited and then closed `days_ago` days ago."""
    maker = sessionmaker_of(bot)
    alice = await person_of(bot, ALICE)
    at = bot.clock() - timedelta(days=days_ago)
    team_id = alice.active_team_id or 0
    numbers = await add_leads(maker, team_id=team_id, owner_id=alice.id, count=won + lost,
                              now=at - timedelta(days=5), stage="won")  # fmt: skip
    leads = await leads_by_number(maker, team_id)
    async with transaction(maker) as session:
        for index, number in enumerate(numbers):
            lead = leads[number]
            outcome = "won" if index < won else "lost"
            lead.stage = outcome
            session.add(lead)
            for from_value, to_value in (("new", "visited"), ("visited", outcome)):
                add_event(session, lead, events.STAGE, at, from_value=from_value, to_value=to_value,
                          payload={"amount": 8000.0} if to_value == "won" else {})  # fmt: skip


async def test_twenty_closed_visits_teach_the_visited_chance(bot: Harness) -> None:
    await bot.send("/start")
    await closed_visits(bot, won=15, lost=5, days_ago=30)
    text = await bot.reply_text("/forecast")
    assert "已到店 75%（按团队近180天）" in text and "平均客单 8,000" in text
    assert "新线索 75%（按团队近180天）" in text  # they all passed through new too
    assert "有效 15%" in text  # no history: the default


async def test_history_older_than_180_days_or_too_thin_is_not_learnt(bot: Harness) -> None:
    await bot.send("/start")
    await closed_visits(bot, won=15, lost=5, days_ago=200)
    await closed_visits(bot, won=19, lost=0, days_ago=10)
    assert "已到店 60%" in await bot.reply_text("/forecast")
