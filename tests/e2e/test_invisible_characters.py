"""Invisible and direction-changing characters never reach a stored name or script; a name
made only of them is refused with an answer saying what to type."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from assistant.db.models import Lead, Person, Team, TeamScript
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, Harness, User

ZWSP, RLO, LRI, PDI, BOM = "\u200b", "\u202e", "\u2066", "\u2069", "\ufeff"
HIDDEN = ZWSP + RLO + LRI + PDI + BOM


async def rows(bot: Harness, model: Any) -> list[Any]:
    async with bot.app.bot_data["app"].sessionmaker() as session:
        return list((await session.exec(select(model))).all())


async def test_a_lead_name_is_stored_without_them(bot: Harness) -> None:
    card = await bot.reply_text(f"/add 王{RLO}女士{ZWSP} 13800138000")
    assert "#1 王女士" in card
    [lead] = await rows(bot, Lead)
    assert lead.name == "王女士"
    await bot.send(f"/edit 1 name {LRI}李{PDI}小姐{BOM}")
    [lead] = await rows(bot, Lead)
    assert lead.name == "李小姐"


async def test_a_lead_name_of_only_invisible_characters_is_refused(bot: Harness) -> None:
    assert "需要一个称呼" in await bot.reply_text(f"/add {HIDDEN} 13800138000")
    assert await rows(bot, Lead) == []
    await bot.send("/add 王女士")
    assert "请在字段后面写新内容" in await bot.reply_text(f"/edit 1 name {HIDDEN}")
    [lead] = await rows(bot, Lead)
    assert lead.name == "王女士"


async def test_the_guided_add_refuses_an_invisible_name_and_asks_again(bot: Harness) -> None:
    await bot.send("/add")
    assert "需要一个称呼" in await bot.reply_text(HIDDEN)
    await bot.send(f"{ZWSP}赵女士")
    for answer in ("跳过", "跳过", "跳过"):
        await bot.send(answer)
    [lead] = await rows(bot, Lead)
    assert lead.name == "赵女士"


async def test_a_team_name_is_stored_without_them_and_an_empty_one_is_refused(bot: Harness) -> None:
    assert "/newteam" in await bot.reply_text(f"/newteam {HIDDEN}")
    join_code(await bot.reply_text(f"/newteam {RLO}婚纱{ZWSP}A组"))
    assert "婚纱A组" in [team.name for team in await rows(bot, Team)]


async def test_a_member_display_name_from_telegram_is_stored_without_them(bot: Harness) -> None:
    await bot.send("/start", User(2001, f"Ann{RLO}ndoJ", "en"))
    await bot.send("/start", User(2002, HIDDEN, "en", username="zed"))
    names = {person.tg_user_id: person.name for person in await rows(bot, Person)}
    assert names[2001] == "AnnndoJ" and names[2002] == "@zed"


async def test_a_team_script_is_stored_without_them(bot: Harness) -> None:
    join_code(await bot.reply_text("/newteam Bridal", ALICE))
    await bot.send(f"/script add 太贵 | {{{{ lead.name }}}}，{RLO}预算{ZWSP}大概多少？")
    [script] = await rows(bot, TeamScript)
    assert script.text == "{{ lead.name }}，预算大概多少？"
    assert "话术正文是空的" in await bot.reply_text(f"/script add 太贵 | {HIDDEN}")
