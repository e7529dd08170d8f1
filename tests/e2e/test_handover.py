"""/handover: leads, history and follow-ups move together; everyone involved is told."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from assistant.db.models import LeadEvent, Outbox
from assistant.db.session import transaction
from assistant.domain import events
from assistant.services import permissions
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness
from tests.helpers import (
    add_leads,
    events_of,
    leads_by_number,
    membership_of,
    person_of,
    sessionmaker_of,
    team_named,
)


async def _team_with_bobs_leads(bot: Harness, count: int = 3) -> tuple[int, list[int]]:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in (BOB, CAROL):
        await bot.send(f"/start join_{code}", user)
    team = await team_named(bot, "Bridal")
    bob = await person_of(bot, BOB)
    due = bot.clock() + timedelta(days=1)
    numbers = await add_leads(sessionmaker_of(bot), team_id=team.id or 0, owner_id=bob.id,
                              count=count, now=bot.clock(), next_followup_at=due)  # fmt: skip
    return team.id or 0, numbers


async def test_handover_moves_chosen_leads_with_history_and_follow_ups_and_tells_everyone(
    bot: Harness,
) -> None:
    team_id, _ = await _team_with_bobs_leads(bot)
    maker = sessionmaker_of(bot)
    before = await leads_by_number(maker, team_id)
    calls = await bot.send("/handover bob carol 1 3")
    assert "已将 2 条线索从Bob转给 Carol" in calls[0].text and "#1、#3" in calls[0].text
    told = {call.params["chat_id"]: call.text for call in calls[1:]}
    assert "Alice 把 2 条线索（原属 Bob）交给了你：#1、#3" in told[CAROL.id]
    assert "Alice handed 2 of your leads to Carol: #1, #3" in told[BOB.id]
    after = await leads_by_number(maker, team_id)
    bob, carol = await person_of(bot, BOB), await person_of(bot, CAROL)
    assert [after[n].owner_id for n in (1, 2, 3)] == [carol.id, bob.id, carol.id]
    assert after[1].next_followup_at == before[1].next_followup_at is not None
    assigned = await events_of(maker, team_id, events.ASSIGNED)
    assert sorted(e.lead_id for e in assigned) == sorted([after[1].id, after[3].id])
    assert all((e.from_value, e.to_value) == (str(bob.id), str(carol.id)) for e in assigned)
    async with transaction(maker) as session:
        history = (
            await session.exec(
                select(LeadEvent)
                .where(LeadEvent.lead_id == after[1].id)
                .order_by(col(LeadEvent.id))
            )
        ).all()
    assert [e.kind for e in history] == [events.CREATED, events.ASSIGNED]
    # The old owner loses access; the new one gains it.
    team = await team_named(bot, "Bridal")
    assert not permissions.can_view_lead(await membership_of(bot, BOB, team), after[1])
    assert permissions.can_view_lead(await membership_of(bot, CAROL, team), after[1])


async def test_handover_of_numbers_that_are_not_theirs_moves_nothing(bot: Harness) -> None:
    team_id, _ = await _team_with_bobs_leads(bot)
    assert "没有转移任何线索：#9不属于 Bob" in await bot.reply_text("/handover bob carol 1 9")
    assert "/handover 2 3 全部" in await bot.reply_text("/handover bob")
    assert "「x1」不是线索编号" in await bot.reply_text("/handover bob carol x1")
    assert "本来就属于 Bob" in await bot.reply_text("/handover bob bob all")
    assert "Carol 名下没有可转移的线索" in await bot.reply_text("/handover carol bob all")
    bob = await person_of(bot, BOB)
    leads = await leads_by_number(sessionmaker_of(bot), team_id)
    assert {lead.owner_id for lead in leads.values()} == {bob.id}
    assert await events_of(sessionmaker_of(bot), team_id, events.ASSIGNED) == []


async def test_leads_of_a_removed_member_are_handed_on_from_the_team_pool(bot: Harness) -> None:
    team_id, _ = await _team_with_bobs_leads(bot, count=2)
    await bot.send("/remove bob")
    assert "从团队线索池转给 Carol" in await bot.reply_text("/handover pool carol all")
    carol = await person_of(bot, CAROL)
    leads = await leads_by_number(sessionmaker_of(bot), team_id)
    assert {lead.owner_id for lead in leads.values()} == {carol.id}
    assert len(await events_of(sessionmaker_of(bot), team_id, events.ASSIGNED)) == 4


async def test_a_manager_handing_their_own_leads_is_told_once(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    await bot.send(f"/start join_{code}", BOB)
    team = await team_named(bot, "Bridal")
    alice = await person_of(bot, ALICE)
    await add_leads(sessionmaker_of(bot), team_id=team.id or 0, owner_id=alice.id, count=1,
                    now=bot.clock())  # fmt: skip
    calls = await bot.send("/handover me 2 all")
    assert [call.params["chat_id"] for call in calls] == [ALICE.id, BOB.id]


async def test_pending_reminders_about_handed_over_leads_follow_them(bot: Harness) -> None:
    team_id, _ = await _team_with_bobs_leads(bot)
    maker = sessionmaker_of(bot)
    leads = await leads_by_number(maker, team_id)
    bob = await person_of(bot, BOB)
    async with transaction(maker) as session:
        for number in (1, 2):
            session.add(
                Outbox(kind="followup", dedupe_key=f"fu:{number}", chat_id=BOB.id,
                       person_id=bob.id, team_id=team_id, payload={"lead_id": leads[number].id},
                       due_at=bot.clock() + timedelta(hours=1))
            )  # fmt: skip
    await bot.send("/handover bob carol 1")
    await bot.send("/remove bob")
    carol = await person_of(bot, CAROL)
    async with transaction(maker) as session:
        rows = {row.dedupe_key: row for row in (await session.exec(select(Outbox))).all()}
    assert (rows["fu:1"].person_id, rows["fu:1"].chat_id, rows["fu:1"].status) == (
        carol.id, CAROL.id, "pending")  # fmt: skip
    assert rows["fu:2"].status == "dropped"  # lead 2 went to the pool with Bob's removal
