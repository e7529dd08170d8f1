"""Merging a duplicate that other rows point at: referrals, used scripts, customer notes,
activation batches. The merge goes through, and those rows follow the kept lead."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from assistant.db.models import ActivationBatch, CustomerNote, Lead, Referral, ScriptUse
from assistant.tg.offline import Call
from tests.harness import Harness, buttons

PHONE = "13800138000"


async def rows(bot: Harness, model: Any) -> list[Any]:
    async with bot.app.bot_data["app"].sessionmaker() as session:
        return list((await session.exec(select(model))).all())


async def lead_ids(bot: Harness) -> dict[int, int]:
    """Lead number -> database id, of the leads that still exist."""
    return {lead.number: lead.id for lead in await rows(bot, Lead)}


async def merge_from(bot: Harness, card: Call, into: int) -> str:
    [merge] = [b for b in buttons(card) if f"合并到 #{into}" in b["text"]]
    calls = await bot.press(str(merge["callback_data"]))
    return "\n".join(call.text for call in calls if call.text)


async def duplicate_card(bot: Harness, number: int) -> Call:
    """Lead `number` gets the shared phone again by /edit, which offers the merge."""
    await bot.send(f"/edit {number} phone 13900000000")
    return (await bot.send(f"/edit {number} phone {PHONE}"))[-1]


async def test_a_duplicate_that_came_by_referral_merges_and_the_kept_lead_is_the_referred_one(
    bot: Harness,
) -> None:
    await bot.send("/add 张先生 13700137000")
    await bot.send("/won 1 6000")
    await bot.send(f"/add 王女士 {PHONE}")
    card = (await bot.send(f"/add 王小姐 {PHONE} 介绍人:1"))[-1]
    merged = await merge_from(bot, card, into=2)
    assert "线索 #3 已合并到这里" in merged and "出了点问题" not in merged
    ids = await lead_ids(bot)
    [referral] = await rows(bot, Referral)
    assert (referral.lead_id, referral.customer_id) == (ids[2], ids[1])
    assert "介绍了 1 位" in await bot.reply_text("/customers")


async def test_a_duplicate_that_referred_others_merges_and_the_kept_lead_gets_its_referrals(
    bot: Harness,
) -> None:
    await bot.send(f"/add 王女士 {PHONE}")
    await bot.send("/add 王小姐 13900000000")
    await bot.send("/won 2 8800")
    await bot.send("/add 李先生 13600136000 介绍人:2")
    merged = await merge_from(bot, await duplicate_card(bot, 2), into=1)
    assert "线索 #2 已合并到这里" in merged and "出了点问题" not in merged
    ids = await lead_ids(bot)
    [referral] = await rows(bot, Referral)
    assert (referral.lead_id, referral.customer_id) == (ids[3], ids[1])


async def test_a_duplicate_with_a_used_script_merges_and_the_use_moves_to_the_kept_lead(
    bot: Harness,
) -> None:
    await bot.send(f"/add 王女士 {PHONE}")
    await bot.send("/add 王小姐 13900000000")
    shown = [call for call in await bot.send("/script 2") if "<pre>" in call.text]
    [used] = [b for b in buttons(shown[0]) if "用了这条" in b["text"]]
    await bot.press(str(used["callback_data"]))
    merged = await merge_from(bot, await duplicate_card(bot, 2), into=1)
    assert "线索 #2 已合并到这里" in merged and "出了点问题" not in merged
    [use] = await rows(bot, ScriptUse)
    assert use.lead_id == (await lead_ids(bot))[1]


async def test_a_duplicate_with_a_customer_note_merges_and_the_note_moves_to_the_kept_lead(
    bot: Harness,
) -> None:
    await bot.send(f"/add 王女士 {PHONE}")
    await bot.send("/add 王小姐 13900000000")
    await bot.send("/won 2 8800")
    await bot.send("/customer 2 5 很满意")
    merged = await merge_from(bot, await duplicate_card(bot, 2), into=1)
    assert "线索 #2 已合并到这里" in merged and "出了点问题" not in merged
    [note] = await rows(bot, CustomerNote)
    assert note.lead_id == (await lead_ids(bot))[1] and note.note == "很满意"


async def test_a_duplicate_in_an_activation_batch_is_replaced_there_by_the_kept_lead(
    bot: Harness,
) -> None:
    await bot.send(f"/add 王女士 {PHONE}")
    await bot.send("/add 王小姐 13900000000")
    bot.clock.advance(days=8)
    await bot.send("/activate")
    [before] = await rows(bot, ActivationBatch)
    ids = await lead_ids(bot)
    assert ids[2] in before.lead_ids
    merged = await merge_from(bot, await duplicate_card(bot, 2), into=1)
    assert "线索 #2 已合并到这里" in merged
    [batch] = await rows(bot, ActivationBatch)
    assert ids[2] not in batch.lead_ids and ids[1] in batch.lead_ids
    assert len(batch.lead_ids) == len(set(batch.lead_ids))
