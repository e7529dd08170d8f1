"""Pushes planned for a manager who is demoted or removed before they go out never reach them:
nothing naming a client goes to someone who no longer manages the team."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.scheduling.planner import plan_due
from assistant.tg.common import AppContext
from assistant.tg.offline import Call
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, tick
from tests.helpers import make_lead, person_of, sessionmaker_of, team_of

# How the owner takes the manager's role away: a demotion, or removal from the team.
TAKE_AWAY = ["/role Carol rep", "/remove Carol"]


async def plan(bot: Harness) -> None:
    """The planner runs (the pushes are in the outbox), nothing is sent yet."""
    app: AppContext = bot.app.bot_data["app"]
    await plan_due(app.sessionmaker, app.settings, bot.clock())


def to(calls: list[Call], user_id: int, text: str) -> list[str]:
    return [
        call.text for call in calls if int(call.params["chat_id"]) == user_id and text in call.text
    ]


async def team_with_manager_carol(bot: Harness) -> None:
    """Alice owns Bridal; Bob is a rep, Carol a manager; everyone works every day."""
    code = join_code(await bot.reply_text("/newteam Bridal", ALICE))
    await bot.send(f"/start join_{code}", BOB)
    await bot.send(f"/start join_{code}", CAROL)
    await bot.send("/role Carol manager", ALICE)
    for user in (ALICE, BOB, CAROL):
        await bot.send("/settings days 1-7", user)


@pytest.mark.parametrize("take_away", TAKE_AWAY)
async def test_an_escalation_planned_for_a_manager_demoted_since_does_not_reach_them(
    bot: Harness, take_away: str
) -> None:
    await team_with_manager_carol(bot)
    maker = sessionmaker_of(bot)
    bob = await person_of(bot, BOB)
    overdue = bot.clock() - timedelta(days=7, minutes=5)  # the reassign step: names the client
    await make_lead(maker, await team_of(maker, ALICE), bob, name="Dora", next_followup_at=overdue)
    await plan(bot)
    await bot.send(take_away, ALICE)
    sent = await tick(bot, 10)
    assert to(sent, ALICE.id, "Dora")  # the owner still manages the team
    assert to(sent, CAROL.id, "Dora") == []


@pytest.mark.parametrize("take_away", TAKE_AWAY)
async def test_a_stale_lead_notice_planned_for_a_manager_demoted_since_does_not_reach_them(
    bot: Harness, take_away: str
) -> None:
    await team_with_manager_carol(bot)
    await bot.send("/add 王女士 13800138000 婚期 2027-04-01 pool", ALICE)  # grade B: 14 days
    await bot.send("/assign 1 bob", ALICE)
    bot.clock.advance(days=13)
    assert to(await tick(bot), BOB.id, "王女士")  # the warning to Bob
    bot.clock.advance(days=1)
    await plan(bot)  # the lead returns to the pool; the owner and the managers are to be told
    await bot.send(take_away, ALICE)
    sent = await tick(bot, 10)
    assert to(sent, ALICE.id, "王女士") and to(sent, BOB.id, "王女士")
    assert to(sent, CAROL.id, "王女士") == []
