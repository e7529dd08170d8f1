"""The whole manager's side in one story (issue 10, "done when")."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import select

from assistant.db.models import Lead, Person, Referral
from assistant.db.session import transaction
from assistant.tg.offline import Call
from tests.e2e.test_forecast_sources import worked_team
from tests.e2e.test_pool import DAVE, all_leads
from tests.harness import ALICE, BOB, CAROL, Harness, User, tick
from tests.helpers import person_of, sessionmaker_of

USERS = {user.id: user for user in (ALICE, BOB, CAROL, DAVE)}


async def drain(bot: Harness) -> list[Call]:
    """Plan once, then let the sender run second by second until nothing is left to send."""
    return await tick(bot, 120, until_idle=True)


async def user_owning(bot: Harness, number: int) -> User:
    lead = next(lead for lead in await all_leads(bot) if lead.number == number)
    async with transaction(sessionmaker_of(bot)) as session:
        person = await session.get(Person, lead.owner_id)
    assert person is not None
    return USERS[person.tg_user_id]


async def test_pool_assignment_stale_return_forecast_sources_after_sale_and_referral(
    bot: Harness, monkeypatch: Any
) -> None:
    # 50 pool leads imported and given out to three reps, five of them worked (Wed 10:00).
    await worked_team(bot, monkeypatch)
    shares = Counter(lead.owner_id for lead in await all_leads(bot))
    assert sorted(shares.values()) == [16, 17, 17]
    forecast = await bot.reply_text("/forecast")
    assert (
        "已成交 1 单 + 预计 0.95 单 = 1.95 单，预计收入 19,500（已成交 10,000 + 在谈 9,500）"
        in forecast
    )
    assert "已成交 0 单 + 预计 2.4 单 = 2.4 单，预计收入 24,000" in forecast
    sources = await bot.reply_text("/sources")
    assert "<b>抖音</b>：线索 17 · 有效率 11.8% · 到店率 5.9% · 成交 1 · 收入 10,000" in sources
    assert "每单成本 500" in sources

    # Carol goes away; A leads (the 16 referrals) go stale after 2 days, the others after 60.
    await bot.send("/away 2027-01-31", CAROL)
    await bot.send("/pool set stale_a 2")
    await bot.send("/pool set stale 60")
    bot.clock.advance(days=1)  # Thu: the owners are warned
    warned = [c for c in await drain(bot)
              if "快 2 天没跟进" in c.text or "close to 2 days" in c.text]  # fmt: skip
    assert len(warned) == 16
    bot.clock.advance(days=1)  # Fri: untouched, so back to the pool; managers told
    back = [c for c in await drain(bot) if "回到团队线索池" in c.text]
    assert sum(1 for c in back if int(c.params["chat_id"]) == ALICE.id) == 16
    pooled = [lead for lead in await all_leads(bot) if lead.owner_id is None]
    assert len(pooled) == 16 and {lead.grade for lead in pooled} == {"A"}
    assert "团队线索池</b>（16）" in await bot.reply_text("/pool")
    await bot.send("/pool set stale_a 60")
    calls = await bot.send("/assign all auto")
    assert "已分配 16 条线索（轮流）" in calls[0].text
    told = {int(call.params["chat_id"]) for call in calls[1:]}
    assert told == {BOB.id, DAVE.id}  # Carol is away
    carol = await person_of(bot, CAROL)
    assert all(lead.owner_id != carol.id for lead in await all_leads(bot) if lead.grade == "A")

    # The won lead's after-sale visit is due 30 days after the deal.
    owner = await user_owning(bot, 1)
    bot.clock.advance(days=27, hours=23)  # Thu Dec 24, 09:00
    assert not [c for c in await drain(bot) if "#1 客户1" in c.text and "Good morning" not in c.text
                and "早上好" not in c.text]  # fmt: skip
    bot.clock.advance(hours=1)  # Fri Dec 25, 10:00: +30 days
    reminders = [c for c in await drain(bot) if "#1 客户1" in c.text
                 and int(c.params["chat_id"]) == owner.id and "早上好" not in c.text
                 and "Good morning" not in c.text]  # fmt: skip
    assert len(reminders) == 1

    # The happy customer refers a friend; the referral is linked and counted.
    noted = await bot.reply_text("/customer 1 5 很满意", owner)
    assert "5/5" in noted
    await bot.send("/add 新朋友 13700137000 介绍人:1", owner)
    async with transaction(sessionmaker_of(bot)) as session:
        [link] = (await session.exec(select(Referral))).all()
        friend = await session.get(Lead, link.lead_id)
        customer = await session.get(Lead, link.customer_id)
    assert friend is not None and customer is not None and customer.number == 1
    assert friend.source == "referral" and friend.grade == "A"
    await bot.send(f"/won {friend.number} 5000", owner)
    listed = await bot.reply_text("/customers")
    assert "#1 客户1 · 10,000" in listed and "介绍了 1 位，带来 5,000" in listed
    assert "成交收入 15,000 · 其中转介绍 5,000 · 复购 0" in listed
