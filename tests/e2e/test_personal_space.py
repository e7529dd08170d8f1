"""A day of work alone, then a team: nothing captured is ever out of reach (issue 15, section 1).

Creating or joining a team while the personal space holds leads asks once: bring them along
(with history, follow-ups and goal) or keep them private; /teams switches between the two.
"""

import re

from sqlmodel import select

from assistant.db.models import Lead, LeadEvent, MonthlyGoal, Team
from assistant.tg.offline import Call
from tests.harness import ALICE, BOB, CAROL, Harness, User, buttons


def texts(calls: list[Call]) -> str:
    return "\n".join(call.text for call in calls if call.text)


async def press(bot: Harness, calls: list[Call], label: str, user: User) -> list[Call]:
    for call in reversed(calls):
        for item in buttons(call):
            if label in item["text"]:
                pressed = await bot.press(item["callback_data"], user)
                return [c for c in pressed if c.method != "answerCallbackQuery"]
    shown = [b["text"] for call in calls for b in buttons(call)]
    raise AssertionError(f"no button {label!r} in {shown}")


async def a_day_alone(bot: Harness, user: User) -> None:
    """Two leads, a contact and a deal, a monthly goal: all in the personal space."""
    await bot.send("/add 王女士 13800138000 婚期 明年5月 转介绍", user)
    await bot.send("/add 李先生 13900139000 抖音", user)
    await bot.send("/log 1 加了微信", user)
    await bot.send("/won 1 8800", user)
    await bot.send("/goal 12", user)


async def db_rows(bot: Harness, model: type, *conditions: object) -> list:
    async with bot.app.bot_data["app"].sessionmaker() as session:
        return list((await session.exec(select(model).where(*conditions))).all())


async def test_a_salesperson_brings_her_day_into_a_new_team_in_chinese(bot: Harness) -> None:
    await a_day_alone(bot, ALICE)

    created = await bot.send("/newteam 婚纱一店", ALICE)
    question = texts(created)
    assert "个人空间里有 2 条线索" in question and "婚纱一店" in question
    brought = texts(await press(bot, created, "带上我的 2 条线索", ALICE))
    assert "已把 2 条线索带进「婚纱一店」" in brought and "本月目标也一起带来了" in brought
    assert "换了新编号" not in brought  # a new team: every lead keeps its number

    assert "#2 李先生" in await bot.reply_text("/leads", ALICE)  # open leads; #1 was won
    card = await bot.reply_text("/lead 1", ALICE)
    assert "王女士" in card and "📞 联系：加了微信" in card and "📦 从个人空间带入" in card
    assert card.rstrip().endswith("🏢 婚纱一店")
    assert "今日计划 · 婚纱一店" in await bot.reply_text("/today", ALICE)
    summary = await bot.reply_text("/summary month", ALICE)
    assert "我的数据 · 婚纱一店 · 本月" in summary and "成交额 8,800" in summary
    assert "12" in await bot.reply_text("/goal", ALICE)
    team_table = await bot.reply_text("/team month", ALICE)
    assert "Alice" in team_table

    teams = await bot.reply_text("/teams", ALICE)
    assert "▶️ 婚纱一店 · 所有者 · 我的线索 2 条" in teams
    assert "▫️ 个人空间 · 所有者 · 我的线索 0 条" in teams


async def test_a_manager_keeps_his_leads_private_and_switches_back_in_english(
    bot: Harness,
) -> None:
    await bot.send("/add Ms Wang 13800138000 May 1", BOB)
    await bot.send("/add Mr Li wx:li_mei_88", BOB)

    created = await bot.send("/newteam Bridal Studio", BOB)
    assert "Your personal space holds 2 leads" in texts(created)
    kept = texts(await press(bot, created, "Keep them private", BOB))
    assert "Your 2 personal leads stay in your personal space" in kept
    assert "Ms Wang" not in await bot.reply_text("/lead 1", BOB)  # in the team: no #1

    teams = await bot.send("/teams", BOB)
    assert "▶️ Bridal Studio · owner · 0 leads of yours" in texts(teams)
    assert "▫️ Personal space · owner · 2 leads of yours" in texts(teams)
    switched = texts(await press(bot, teams, "Work in Personal space", BOB))
    assert "You are working in “Personal space” now" in switched
    assert "▶️ Personal space" in switched

    listing = await bot.reply_text("/leads", BOB)
    assert "Ms Wang" in listing and "Mr Li" in listing
    card = await bot.reply_text("/lead 1", BOB)
    assert "Ms Wang" in card and card.rstrip().endswith("🏢 Personal space")
    assert "Today's plan · Personal space" in await bot.reply_text("/today", BOB)
    assert "My numbers · Personal space · " in await bot.reply_text("/summary", BOB)


async def test_kept_leads_can_still_be_brought_later_from_teams(bot: Harness) -> None:
    await bot.send("/add Ms Wang 13800138000", BOB)
    created = await bot.send("/newteam Bridal", BOB)
    await press(bot, created, "Keep them private", BOB)
    teams = await bot.send("/teams", BOB)
    brought = texts(await press(bot, teams, "Bring my personal leads here (1)", BOB))
    assert "1 lead brought into “Bridal” with its history" in brought
    assert "Ms Wang" in await bot.reply_text("/lead 1", BOB)


async def test_the_question_is_asked_once_and_a_second_press_changes_nothing(
    bot: Harness,
) -> None:
    await bot.send("/add Ms Wang 13800138000", BOB)
    created = await bot.send("/newteam Bridal", BOB)
    await press(bot, created, "Bring them along", BOB)
    again = texts(await press(bot, created, "Bring them along", BOB))
    assert "no leads to bring; nothing changed" in again
    moved = await db_rows(bot, LeadEvent, LeadEvent.kind == "moved")
    assert len(moved) == 1
    assert "Your personal space holds" not in await bot.reply_text("/newteam Second", BOB)


async def test_a_person_without_leads_is_not_asked(bot: Harness) -> None:
    calls = await bot.send("/newteam Bridal", BOB)
    assert len([c for c in calls if c.method == "sendMessage"]) == 1
    assert not any(buttons(call) for call in calls)


async def join_code(bot: Harness, owner: User, name: str) -> str:
    text = await bot.reply_text(f"/newteam {name}", owner)
    match = re.search(r"start=join_([\w-]+)", text)
    assert match, text
    return match.group(1)


async def test_joining_renumbers_brought_leads_and_names_the_duplicates_in_english(
    bot: Harness,
) -> None:
    code = await join_code(bot, ALICE, "Bridal")
    await bot.send("/add 张女士 13700137000", ALICE)  # the team's #1
    await bot.send("/add Ms Zhang 13700137000 wedding", BOB)  # the same client, alone
    await bot.send("/add Mr Li 13600136000", BOB)

    joined = await bot.send(f"/start join_{code}", BOB)
    assert "You joined the team “Bridal”" in texts(joined)
    assert "Your personal space holds 2 leads" in texts(joined)
    brought = texts(await press(bot, joined, "Bring them along (2)", BOB))
    assert "2 leads brought into “Bridal”" in brought
    assert "#1 → #2, #2 → #3" in brought
    assert "#2: a colleague already has a lead with this phone or chat id" in brought
    assert "张女士" not in brought

    card = await bot.reply_text("/lead 2", BOB)
    assert "Ms Zhang" in card and "(was #1)" in card and "🏢 Bridal" in card
    numbers = sorted(lead.number for lead in await db_rows(bot, Lead, Lead.owner_id.is_not(None)))
    assert numbers == [1, 2, 3]
    owner_view = await bot.reply_text("/leads", ALICE)
    assert "Ms Zhang" in owner_view and "Mr Li" in owner_view


async def test_an_owner_bringing_leads_gets_merge_buttons_for_the_same_client_in_chinese(
    bot: Harness,
) -> None:
    code = await join_code(bot, BOB, "Bridal")
    await bot.send("/add 张女士 13700137000", BOB)  # the team's #1
    await bot.send("/add 张小姐 13700137000 婚期明年5月", CAROL)
    joined = await bot.send(f"/start join_{code}", CAROL)
    assert "你已加入团队「Bridal」" in texts(joined)
    await bot.send("/role 2 manager", BOB)
    brought = await press(bot, joined, "带上我的 1 条线索", CAROL)
    text = texts(brought)
    assert "已把 1 条线索带进「Bridal」" in text and "#1 → #2" in text
    assert "#2 和 #1" in text
    merged = texts(await press(bot, brought, "把 #2 合并到 #1", CAROL))
    assert "张女士" in merged
    assert [lead.number for lead in await db_rows(bot, Lead)] == [1]


async def test_joining_in_chinese_and_keeping_the_leads_private(bot: Harness) -> None:
    code = await join_code(bot, BOB, "Bridal")
    await bot.send("/add 张女士 13700137000", CAROL)
    joined = await bot.send(f"/start join_{code}", CAROL)
    kept = texts(await press(bot, joined, "留在个人空间", CAROL))
    assert "你的 1 条线索留在个人空间" in kept
    assert "张女士" not in await bot.reply_text("/lead 1", CAROL)
    teams = await bot.send("/teams", CAROL)
    assert "▶️ Bridal · 销售" in texts(teams)
    await press(bot, teams, "切换到 个人空间", CAROL)
    assert "张女士" in await bot.reply_text("/leads", CAROL)


async def test_a_team_with_other_stages_keeps_the_leads_in_the_personal_space(
    bot: Harness,
) -> None:
    await bot.send("/add Ms Wang 13800138000", BOB)
    code = await join_code(bot, ALICE, "Factory")
    await bot.send("/targets pipeline b2b", ALICE)
    joined = await bot.send(f"/start join_{code}", BOB)
    assert "“Factory” uses different stages, so they stay" not in texts(joined)
    assert "“Factory” uses different stages, so it stays in your personal space" in texts(joined)
    assert not any(buttons(call) for call in joined)
    teams = await bot.send("/teams", BOB)
    assert "Bring my personal leads here" not in str([buttons(c) for c in teams])


async def test_the_goal_the_team_already_holds_wins_and_the_personal_one_stays(
    bot: Harness,
) -> None:
    code = await join_code(bot, ALICE, "Bridal")
    await bot.send("/add 张女士 13700137000", CAROL)
    await bot.send("/goal 5", CAROL)
    joined = await bot.send(f"/start join_{code}", CAROL)
    await bot.send("/targets goal 2 20", ALICE)
    brought = texts(await press(bot, joined, "带上我的 1 条线索", CAROL))
    assert "本月目标也一起带来了" not in brought
    goals = await db_rows(bot, MonthlyGoal)
    teams = {team.id: team for team in await db_rows(bot, Team)}
    assert sorted((teams[g.team_id].personal, g.orders) for g in goals) == [(False, 20), (True, 5)]
