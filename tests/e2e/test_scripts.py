"""/script end to end: by lead, stage and situation; team scripts; credit and stats."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from assistant.db.models import Lead, LeadEvent, ScriptUse
from assistant.db.session import transaction
from tests import helpers
from tests.harness import ALICE, BOB, Harness, User, buttons


async def make_lead(bot: Harness, user: User = ALICE, **fields: Any) -> Lead:
    """A lead owned by `user` in their active team."""
    maker = helpers.sessionmaker_of(bot)
    owner = await helpers.person_of(bot, user)
    return await helpers.make_lead(maker, await helpers.team_of(maker, user), owner, **fields)


async def add_event(bot: Harness, lead: Lead, kind: str, **fields: Any) -> None:
    """An event on the lead by its owner, now unless `at` says otherwise."""
    async with transaction(helpers.sessionmaker_of(bot)) as session:
        helpers.add_event(session, lead, kind, fields.pop("at", bot.clock()), **fields)


async def team_of_two(bot: Harness) -> None:
    """Alice owns team Bridal, Bob (English) joins as a rep."""
    text = await bot.reply_text("/newteam Bridal")
    code = re.search(r"start=join_([\w-]+)", text)
    assert code
    await bot.send(f"/start join_{code.group(1)}", BOB)


def blocks(calls: list[Any]) -> list[Any]:
    return [call for call in calls if "<pre>" in call.text]


def pre_text(text: str) -> str:
    match = re.search(r"<pre>(.*)</pre>", text, re.S)
    assert match, text
    return match.group(1)


def button_data(call: Any, label_part: str) -> str:
    for item in buttons(call):
        if label_part in item["text"]:
            return str(item["callback_data"])
    raise AssertionError(f"no button with {label_part!r}: {buttons(call)}")


async def test_script_for_a_b_lead_builds_the_dream_with_the_name_filled_in(bot: Harness) -> None:
    await bot.send("/start")
    lead = await make_lead(
        bot, name="王女士", stage="valid", grade="B", event_date=date(2027, 5, 1)
    )
    calls = await bot.send(f"/script {lead.number}")
    shown = blocks(calls)
    assert len(shown) == 3
    assert f"#{lead.number} 王女士" in shown[0].text and "有效 · B 类" in shown[0].text
    assert "造梦" in shown[0].text
    assert all("王女士" in call.text for call in shown)
    assert "{{" not in "".join(call.text for call in shown)
    assert "用了这条" in buttons(shown[0])[0]["text"] and "换一条" in buttons(shown[0])[1]["text"]


async def test_a_price_complaint_in_the_last_contact_brings_the_price_answer_first(
    bot: Harness,
) -> None:
    await bot.send("/start", BOB)
    lead = await make_lead(bot, BOB, name="Emma", stage="visited", grade="A")
    await add_event(bot, lead, "contact", payload={"note": "says it is too expensive"})
    shown = blocks(await bot.send(f"/script {lead.number}", BOB))
    assert "Objection: too expensive" in shown[0].text
    assert "Emma" in shown[0].text


async def test_a_lost_lead_gets_a_win_back_script(bot: Harness) -> None:
    await bot.send("/start")
    lead = await make_lead(bot, name="赵先生", stage="lost", grade="C")
    shown = blocks(await bot.send(f"/script {lead.number}"))
    assert "挽回流失客户" in shown[0].text


async def test_a_rep_gets_not_found_for_a_colleagues_lead_by_number_and_by_button(
    bot: Harness,
) -> None:
    await team_of_two(bot)
    lead = await make_lead(bot, ALICE, name="王女士", stage="valid", grade="A")
    assert "can’t find lead" in await bot.reply_text(f"/script {lead.number}", BOB)
    assert "can’t find lead" in await bot.reply_text("/script 999", BOB)
    signer = bot.app.bot_data["app"].signer
    calls = await bot.press(signer.sign("scr", lead.id), BOB)
    assert "can’t find lead" in calls[0].text
    assert not blocks(calls)
    # the owner (a manager) sees it through the same button
    assert blocks(await bot.press(signer.sign("scr", lead.id), ALICE))


async def test_script_by_stage_and_grade_and_by_situation_word(bot: Harness) -> None:
    await bot.send("/start")
    stage = blocks(await bot.send("/script 已到店 A"))
    assert "「已到店」阶段 · A 类" in stage[0].text and len(stage) == 3
    situation = blocks(await bot.send("/script 太贵"))
    assert "「异议：太贵」" in situation[0].text
    assert all("异议：太贵" in call.text for call in situation)
    english = blocks(await bot.send("/script expensive", BOB))
    assert "Objection: too expensive" in english[0].text and "[name]" in english[0].text


async def test_unknown_words_and_a_bare_script_explain_what_to_type(bot: Harness) -> None:
    assert "/script 太贵" in await bot.reply_text("/script 香蕉")
    usage = await bot.reply_text("/script", BOB)
    assert "/script 12" in usage and "expensive" in usage and "/script add" in usage


async def test_another_one_replaces_the_block_with_a_script_not_shown_yet(bot: Harness) -> None:
    await bot.send("/start")
    shown = blocks(await bot.send("/script 已到店"))
    first = [pre_text(call.text) for call in shown]
    calls = await bot.press(button_data(shown[0], "换一条"))
    edit = next(call for call in calls if call.method == "editMessageText")
    assert pre_text(edit.text) not in first and edit.text.startswith("<b>4. ")
    again = await bot.press(button_data(edit, "换一条"))
    assert "<b>7. " in next(c for c in again if c.method == "editMessageText").text


async def test_another_one_says_so_when_every_script_is_already_shown(bot: Harness) -> None:
    await bot.send("/start")
    shown = blocks(await bot.send("/script 太贵"))
    calls = await bot.press(button_data(shown[1], "换一条"))
    assert "只有这几条" in calls[0].text and "/script 添加" in calls[0].text


async def test_a_forged_button_is_refused(bot: Harness) -> None:
    await bot.send("/start")
    calls = await bot.press("scr:1|AAAAAAAA")
    assert not blocks(calls)


async def test_a_manager_adds_a_team_script_in_one_line_and_it_ranks_first(bot: Harness) -> None:
    await team_of_two(bot)
    text = await bot.reply_text(
        "/script add 太贵 有效 已到店 A,B | "
        "{{ lead.name }}，预算我们一起想办法，您心里的区间是多少？"
    )
    assert "<b>1 号</b>团队话术已添加" in text and "有效/已到店" in text and "等级 AB" in text
    lead = await make_lead(bot, ALICE, name="孙女士", stage="visited", grade="A")
    await add_event(bot, lead, "contact", payload={"note": "觉得太贵"})
    shown = blocks(await bot.send(f"/script {lead.number}"))
    assert "· 团队话术" in shown[0].text
    assert "孙女士，预算我们一起想办法" in shown[0].text
    assert "owner or a manager" in await bot.reply_text("/script add 太贵 | {{ lead.name }}?", BOB)


async def test_a_manager_adds_edits_and_retires_a_team_script_step_by_step(bot: Harness) -> None:
    await bot.send("/start")
    assert "第 1 步" in await bot.reply_text("/script add")
    assert "不是已知的情况" in await bot.reply_text("香蕉")
    assert "第 2 步" in await bot.reply_text("转介绍")
    assert "不能保存" in await bot.reply_text("{{ lead.phone }} 有朋友要拍吗？")
    added = await bot.reply_text("{{ lead.name }}，身边有朋友也在准备吗？我们一起给他们准备礼物。")
    assert "<b>1 号</b>" in added and "转介绍" in added
    assert "<b>1 号</b>" in await bot.reply_text("/script team")
    assert "已更新" in await bot.reply_text("/script edit t1 {{ lead.name }}，最近有朋友在准备吗？")
    situation = blocks(await bot.send("/script 转介绍"))
    assert "最近有朋友在准备吗" in situation[0].text
    assert "已停用" in await bot.reply_text("/script retire t1")
    situation = blocks(await bot.send("/script 转介绍"))
    assert all("团队话术" not in call.text for call in situation)
    assert "没找到团队话术" in await bot.reply_text("/script retire t1")


async def test_cancel_leaves_the_guided_add_without_saving(bot: Harness) -> None:
    await bot.send("/start", BOB)
    await bot.send("/script add", BOB)
    assert "Cancelled" in await bot.reply_text("cancel", BOB)
    assert "no scripts of its own" in await bot.reply_text("/script team", BOB)


async def test_used_it_is_credited_by_a_stage_move_within_seven_days(bot: Harness) -> None:
    await team_of_two(bot)
    lead = await make_lead(bot, BOB, name="Emma", stage="valid", grade="B")
    other = await make_lead(bot, BOB, name="Liam", stage="valid", grade="B")
    shown = blocks(await bot.send(f"/script {lead.number}", BOB))
    reply = await bot.press(button_data(shown[0], "Used it"), BOB)
    assert "Noted: #1 Emma" in reply[0].text
    shown_other = blocks(await bot.send(f"/script {other.number}", BOB))
    await bot.press(button_data(shown_other[0], "Used it"), BOB)
    async with bot.app.bot_data["app"].sessionmaker() as session:
        events = (await session.exec(select(LeadEvent).where(LeadEvent.kind == "script"))).all()
        uses = (await session.exec(select(ScriptUse))).all()
    assert len(events) == 2 and len(uses) == 2 and events[0].payload["script"] == uses[0].script_id
    # lead 1 moves on after 2 days; lead 2 only after 9, too late to credit
    await add_event(
        bot,
        lead,
        "stage",
        from_value="valid",
        to_value="invited",
        at=bot.clock.now + timedelta(days=2),
    )
    await add_event(
        bot,
        other,
        "stage",
        from_value="valid",
        to_value="invited",
        at=bot.clock.now + timedelta(days=9),
    )
    mine = await bot.reply_text("/script stats", BOB)
    assert "just me" in mine
    if uses[0].script_id == uses[1].script_id:
        assert "used 2×, moved 1, 50%" in mine
    else:
        assert "used 1×, moved 1, 100%" in mine and "used 1×, moved 0, 0%" in mine
    team = await bot.reply_text("/script stats")
    assert "团队「Bridal」" in team and "推进 1 次" in team


async def test_used_it_on_a_script_shown_without_a_lead_asks_which_lead(bot: Harness) -> None:
    await bot.send("/start")
    lead = await make_lead(bot, name="钱女士", stage="invited", grade="A")
    shown = blocks(await bot.send("/script 邀约"))
    ask = await bot.press(button_data(shown[0], "用了这条"))
    assert "回复线索编号" in ask[0].text
    assert "请回复线索编号" in await bot.reply_text("明天")
    assert f"#{lead.number} 钱女士" in await bot.reply_text(str(lead.number))
    assert "还没有记录" not in await bot.reply_text("/script stats")


async def test_the_product_word_set_by_a_manager_appears_in_scripts(bot: Harness) -> None:
    await bot.send("/start")
    assert "婚纱照" in await bot.reply_text("/script product 婚纱照")
    lead = await make_lead(bot, name="周女士", stage="won", grade="A")
    text = "".join(call.text for call in blocks(await bot.send(f"/script {lead.number}")))
    assert "婚纱照" in text


async def test_help_lists_the_scripts_command_under_its_own_heading(bot: Harness) -> None:
    text = await bot.reply_text("/help")
    assert "<b>话术</b>" in text and "/script" in text
    assert "<b>Scripts</b>" in await bot.reply_text("/help", BOB)


async def test_a_double_tap_on_used_it_counts_once_and_the_sent_script_steps_aside(
    bot: Harness,
) -> None:
    await bot.send("/start")
    lead = await make_lead(bot, name="吴女士", stage="valid", grade="C")
    shown = blocks(await bot.send(f"/script {lead.number}"))
    first = pre_text(shown[0].text)
    used = button_data(shown[0], "用了这条")
    assert "已记录" in (await bot.press(used))[0].text
    assert "已经记过了" in (await bot.press(used))[0].text
    async with bot.app.bot_data["app"].sessionmaker() as session:
        assert len((await session.exec(select(ScriptUse))).all()) == 1
    again = blocks(await bot.send(f"/script {lead.number}"))
    assert pre_text(again[0].text) != first
    assert "用了 1 次" in await bot.reply_text("/script stats")


async def test_every_wrong_script_command_says_what_to_type_instead(bot: Harness) -> None:
    await bot.send("/start", BOB)

    async def says(text: str, expected: str) -> None:
        assert expected in await bot.reply_text(text, BOB), text

    await says("/script 99999999999999999999", "can’t find lead")
    await says("/script add expensive", "One-line form")
    await says("/script add banana | {{ lead.name }}, ok?", "not a situation I know")
    await says("/script add expensive soon | {{ lead.name }}, ok?", "not a stage or a grade")
    await says("/script add expensive | {{ lead.phone }}, ok?", "lead.phone")
    await says("/script add expensive | " + "so " * 250 + "?", "too long")
    await says("/script add expensive | {{ lead.name }}", "it asks no question")
    await says("/script edit t1", "/script edit t3 the new text")
    await says("/script edit t1 {{ lead.name }}, ok?", "no team script t1")
    await says("/script retire", "/script retire t3")
    await says("/script product", "/script product wedding photos")
    await bot.send("/script add", BOB)
    await bot.send("expensive", BOB)
    await says("{{ lead.name }} {% if %}?", "<code>{% if %}</code> is not one of its placeholders")
    assert "Team script <b>t1</b> added" in await bot.reply_text("{{ lead.name }}, ok?", BOB)


async def test_scripts_without_a_lead_use_a_natural_greeting_or_a_visible_gap(bot: Harness) -> None:
    await bot.send("/start")
    text = "".join(call.text for call in blocks(await bot.send("/script 开场")))
    assert "亲您好" in text and "您您好" not in text
