import re
from typing import Any

from sqlmodel import select

from assistant.db.models import ConversationState, Lead, LeadEvent
from assistant.tg.offline import Call
from tests.harness import ALICE, BOB, CAROL, Harness, User, buttons

WORKED_EXAMPLE = "/add 王女士 13800138000 婚期 明年5月 转介绍"


async def rows(bot: Harness, model: Any, *conditions: Any) -> list[Any]:
    async with bot.app.bot_data["app"].sessionmaker() as session:
        return list((await session.exec(select(model).where(*conditions))).all())


async def lead_events(bot: Harness, kind: str | None = None) -> list[LeadEvent]:
    found = await rows(bot, LeadEvent)
    return [e for e in found if kind is None or e.kind == kind]


async def press(bot: Harness, call: Call, label: str, user: User = ALICE) -> list[Call]:
    for item in buttons(call):
        if label in item["text"]:
            calls = await bot.press(item["callback_data"], user)
            return [c for c in calls if c.method != "answerCallbackQuery"]
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons(call)]}")


async def last(bot: Harness, text: str, user: User = ALICE) -> Call:
    calls = await bot.send(text, user)
    assert calls, text
    return calls[-1]


async def team_with_rep(bot: Harness) -> None:
    """Alice owns team Bridal; Bob and Carol are reps in it (Bob speaks English)."""
    text = await bot.reply_text("/newteam Bridal", ALICE)
    code = re.search(r"start=join_([\w-]+)", text)
    assert code
    await bot.send(f"/start join_{code.group(1)}", BOB)
    await bot.send(f"/start join_{code.group(1)}", CAROL)


# ---------------------------------------------------------------- /add


async def test_the_worked_example_saves_a_grade_a_referral_with_fix_buttons(bot: Harness) -> None:
    call = await last(bot, WORKED_EXAMPLE)
    assert "#1 王女士" in call.text and "· A ·" in call.text
    assert "+86 138 0013 8000" in call.text
    assert "2027-05-01" in call.text and "转介绍" in call.text
    labels = [b["text"] for b in buttons(call)]
    assert "✏️ 改电话" in labels and "📞 记录联系" in labels and "💬 话术" in labels
    [lead] = await rows(bot, Lead)
    assert lead.phone == "+8613800138000" and lead.grade == "A" and lead.stage == "new"
    assert [e.kind for e in await lead_events(bot) if e.kind in {"created", "phone"}] == [
        "created",
        "phone",
    ]


async def test_add_in_english_answers_in_english(bot: Harness) -> None:
    text = await bot.reply_text("/add Mary 13800138000 wx:mary_88 date: May 1 walk-in", BOB)
    assert "Lead saved" in text and "WeChat: mary_88" in text and "walk-in" in text
    assert {e.kind for e in await lead_events(bot)} >= {"created", "phone", "wechat"}


async def test_add_without_a_name_is_refused_and_nothing_is_stored(bot: Harness) -> None:
    assert "需要一个称呼" in await bot.reply_text("/add 13800138000")
    assert await rows(bot, Lead) == []


async def test_add_with_a_bad_phone_says_how_to_type_one(bot: Harness) -> None:
    assert "不是有效的电话号码" in await bot.reply_text("/add 王女士 1380013")
    assert "doesn't look like a phone number" in await bot.reply_text("/add Ann 12345678", BOB)
    assert await rows(bot, Lead) == []


async def test_add_with_an_impossible_date_is_refused(bot: Harness) -> None:
    assert "没看懂日期" in await bot.reply_text("/add 王女士 婚期 4月31日")
    assert await rows(bot, Lead) == []


async def test_oversize_text_is_refused(bot: Harness) -> None:
    assert "太长" in await bot.reply_text("/add 王女士 " + "很" * 1200)
    assert "too long" in await bot.reply_text("/add " + "x" * 100, BOB)
    assert await rows(bot, Lead) == []


async def test_html_characters_in_names_are_shown_escaped(bot: Harness) -> None:
    text = await bot.reply_text("/add <b>Eve</b>&Co 13800138000", BOB)
    assert "&lt;b&gt;Eve&lt;/b&gt;&amp;Co" in text and "<b>Eve</b>" not in text


async def test_a_forwarded_contact_card_creates_a_lead(bot: Harness) -> None:
    message = {
        "message_id": 500,
        "date": int(bot.clock().timestamp()),
        "chat": {"id": ALICE.id, "type": "private", "first_name": "Alice"},
        "from": ALICE.as_json(),
        "contact": {"phone_number": "8613800138000", "first_name": "李", "last_name": "先生"},
    }
    calls = await bot.process({"message": message})
    assert "线索已保存" in calls[-1].text and "+86 138 0013 8000" in calls[-1].text
    [lead] = await rows(bot, Lead)
    assert lead.name == "李 先生" and lead.phone_obtained


# ---------------------------------------------------------------- guided /add


async def test_guided_add_asks_step_by_step_and_stores_only_at_the_end(bot: Harness) -> None:
    assert "客户怎么称呼" in await bot.reply_text("/add")
    assert "电话或微信" in await bot.reply_text("张女士")
    assert "不是有效的电话号码" in await bot.reply_text("1380013")
    assert "日期" in await bot.reply_text("13900139000")
    assert "没看懂日期" in await bot.reply_text("某天")
    assert "来源" in await bot.reply_text("明年五一")
    assert await rows(bot, Lead) == []
    text = await bot.reply_text("转介绍")
    assert "#1 张女士" in text and "· A ·" in text and "2027-05-01" in text
    assert await rows(bot, ConversationState) == []


async def test_guided_add_accepts_skips_and_a_wechat_id(bot: Harness) -> None:
    await bot.send("/add", BOB)
    await bot.send("Tom", BOB)
    await bot.send("wx:tom_2024", BOB)
    await bot.send("skip", BOB)
    text = await bot.reply_text("skip", BOB)
    assert "#1 Tom" in text and "tom_2024" in text and "· D ·" in text


async def test_cancel_leaves_the_guided_flow_at_any_step_with_nothing_stored(bot: Harness) -> None:
    await bot.send("/add")
    await bot.send("张女士")
    await bot.send("13900139000")
    assert "已取消" in await bot.reply_text("/cancel")
    assert await rows(bot, Lead) == []
    assert "没有需要取消" in await bot.reply_text("/cancel")
    assert "/help" in await bot.reply_text("明年五一")  # no flow any more


async def test_the_fix_button_changes_one_field(bot: Harness) -> None:
    call = await last(bot, "/add 王女士 13800138000")
    assert "新的日期" in (await press(bot, call, "改日期"))[-1].text
    text = (await bot.send("明年五一"))[-1].text
    assert "2027-05-01" in text and "已保存" in text
    [lead] = await rows(bot, Lead)
    assert lead.grade == "B"
    assert await rows(bot, ConversationState) == []


# ---------------------------------------------------------------- looking at leads


async def test_unknown_and_malformed_lead_numbers_get_clear_answers(bot: Harness) -> None:
    assert "找不到线索 #7" in await bot.reply_text("/lead 7")
    assert "不是线索编号" in await bot.reply_text("/lead abc")
    assert "/lead 12" in await bot.reply_text("/lead")
    assert "can't find lead #7" in await bot.reply_text("/log 7 hello", BOB)


async def test_a_rep_never_sees_a_colleagues_lead_but_the_owner_does(bot: Harness) -> None:
    await team_with_rep(bot)
    card = await last(bot, "/add Ann 13800138000", BOB)
    assert "#1 Ann" in card.text
    assert "找不到线索 #1" in await bot.reply_text("/lead 1", CAROL)
    assert "找不到线索 #1" in await bot.reply_text("/log 1", CAROL)
    assert "找不到线索 #1" in await bot.reply_text("/del 1", CAROL)
    assert "没有找到" in await bot.reply_text("/find Ann", CAROL)
    open_button = next(b for b in buttons(card) if "Log contact" in b["text"])
    assert "找不到" in "".join(c.text for c in await bot.press(open_button["callback_data"], CAROL))
    assert await lead_events(bot, "contact") == []
    text = await bot.reply_text("/lead 1", ALICE)
    assert "#1 Ann" in text and "负责人：Bob" in text
    assert "（0）" in await bot.reply_text("/leads", CAROL)


async def test_leads_are_listed_ten_per_page_with_buttons(bot: Harness) -> None:
    for index in range(12):
        await bot.send(f"/add 客户{index}")
    call = await last(bot, "/leads")
    assert "（12）" in call.text and "第 1/2 页" in call.text
    labels = [b["text"] for b in buttons(call)]
    assert len([label for label in labels if label.startswith("#")]) == 10
    second = (await press(bot, call, "下一页"))[-1]
    assert second.method == "editMessageText" and "第 2/2 页" in second.text
    assert "客户11" in second.text or "客户0" in second.text
    opened = (await press(bot, call, "#1 "))[-1]
    assert "<b>#1 客户0</b>" in opened.text


async def test_leads_filter_by_grade_stage_overdue_and_today(bot: Harness) -> None:
    await bot.send("/add 甲 婚期 一个月后")
    await bot.send("/add 乙 婚期 两年后")
    await bot.send("/move 2 有效")
    assert "甲" in await bot.reply_text("/leads A") and "乙" not in await bot.reply_text("/leads A")
    assert "乙" in await bot.reply_text("/leads 有效")
    assert "#2 乙" in await bot.reply_text("/leads valid")
    assert "（1）" in await bot.reply_text("/leads today")
    bot.clock.advance(hours=2)
    assert "甲" in await bot.reply_text("/leads 逾期")
    assert "不是可用的筛选" in await bot.reply_text("/leads 火星")
    assert "not a list I know" in await bot.reply_text("/leads mars", BOB)


async def test_find_searches_names_phones_and_wechat(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/add 李先生 wx:lee_2024")
    assert "王女士" in await bot.reply_text("/find 王")
    assert "王女士" in await bot.reply_text("/find 0013 8000")
    assert "李先生" in await bot.reply_text("/find lee_2024")
    assert "没有找到" in await bot.reply_text("/find 赵")
    assert "要找什么" in await bot.reply_text("/find")
    assert "没有找到" in await bot.reply_text("/find 100%_")
