import itertools
import re
from typing import Any

from sqlmodel import select

from assistant.db.models import ConversationState, Lead, LeadEvent, Team
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
    assert "Lead saved" in text and "WeChat: mary_88" in text and "Source: Walk-in" in text
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


async def test_a_restart_in_the_middle_of_the_guided_add_loses_nothing(bot: Harness) -> None:
    await bot.send("/add")
    await bot.send("张女士")
    await bot.stop()
    restarted = Harness(bot.settings, bot.clock)
    restarted._ids = itertools.count(10_000)  # Telegram's update ids keep counting up
    await restarted.start()
    try:
        assert "日期" in await restarted.reply_text("13900139000")
        await restarted.send("跳过")
        assert "#1 张女士" in await restarted.reply_text("抖音")
    finally:
        await restarted.stop()


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
    assert "不是线索编号" in await bot.reply_text("/lead ²")
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


async def test_every_lead_command_answers_not_found_for_a_colleagues_lead(bot: Harness) -> None:
    await team_with_rep(bot)
    await bot.send("/add Ann 13800138000", BOB)
    commands = ["/lead 1", "/log 1 hi", "/fu 1 明天10点", "/move 1 到店", "/won 1 100",
                "/lost 1 太贵", "/edit 1 name 安", "/del 1", "/grade 1 A"]  # fmt: skip
    for text in commands:
        assert "找不到线索 #1" in await bot.reply_text(text, CAROL), text
    assert {e.kind for e in await lead_events(bot)} == {"created", "phone", "followup"}


async def test_oversize_notes_and_reasons_are_refused_with_the_limit(bot: Harness) -> None:
    await bot.send("/add Ann", BOB)
    assert "under 500 characters" in await bot.reply_text("/log 1 " + "x" * 600, BOB)
    assert "under 200 characters" in await bot.reply_text("/lost 1 " + "x" * 300, BOB)
    assert await lead_events(bot, "contact") == [] and await lead_events(bot, "stage") == []


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


# ---------------------------------------------------------------- working a lead


async def test_logging_a_contact_resets_the_follow_up_by_grade(bot: Harness) -> None:
    await bot.send(WORKED_EXAMPLE)  # grade A: the day after the contact, from 10:00
    bot.clock.advance(hours=3)
    text = await bot.reply_text("/log 1 聊了套餐, 周六到店")
    assert "已记录联系" in text and "下次跟进：2026-11-26 10:00" in text
    [contact] = await lead_events(bot, "contact")
    assert contact.payload == {"note": "聊了套餐, 周六到店", "grade": "A"}
    [lead] = await rows(bot, Lead)
    assert lead.last_contact_at is not None


async def test_fu_sets_an_explicit_time_in_the_persons_time_zone(bot: Harness) -> None:
    await bot.send("/add 王女士")
    assert "下次跟进：2026-11-27 15:00" in await bot.reply_text("/fu 1 周五下午3点")
    [lead] = await rows(bot, Lead)
    assert lead.next_followup_at is not None and lead.next_followup_at.hour == 7  # UTC
    manual = [e for e in await lead_events(bot, "followup") if e.payload["reason"] == "manual"]
    assert len(manual) == 1
    await bot.send("/tz Europe/London")
    assert "2026-11-26 15:00" in await bot.reply_text("/fu 1 tomorrow 3pm")


async def test_fu_refuses_unclear_or_past_times(bot: Harness) -> None:
    await bot.send("/add 王女士")
    assert "没看懂时间" in await bot.reply_text("/fu 1 改天吧")
    assert "已经过去了" in await bot.reply_text("/fu 1 昨天下午3点")
    await bot.send("/add Ann", BOB)
    assert "couldn't understand the time" in await bot.reply_text("/fu 1", BOB)


async def test_stages_move_forward_and_backward_and_every_move_is_recorded(bot: Harness) -> None:
    await bot.send("/add 王女士")
    assert "新线索 → 已到店" in await bot.reply_text("/move 1 到店")
    assert "已到店 → 已邀约" in await bot.reply_text("/move 1 invited")
    assert "已经在“已邀约”阶段" in await bot.reply_text("/move 1 已邀约")
    assert "不是阶段名" in await bot.reply_text("/move 1 火星")
    moves = [(e.from_value, e.to_value) for e in await lead_events(bot, "stage")]
    assert moves == [("new", "visited"), ("visited", "invited")]


async def test_a_visit_schedules_the_next_day_follow_up(bot: Harness) -> None:
    await bot.send("/add 王女士")
    assert "下次跟进：2026-11-26 10:00" in await bot.reply_text("/move 1 已到店")


async def test_won_records_the_amount_and_schedules_the_after_sale_visit(bot: Harness) -> None:
    await bot.send("/add Ann", BOB)
    assert "not an amount" in await bot.reply_text("/won 1 lots", BOB)
    text = await bot.reply_text("/won 1 1.2万", BOB)
    assert "new → won" in text and "12,000" in text and "2026-12-25 10:00" in text
    [won] = await lead_events(bot, "stage")
    assert won.to_value == "won" and won.payload == {"amount": 12000.0}


async def test_lost_takes_a_team_reason_or_free_text(bot: Harness) -> None:
    await bot.send("/add 甲")
    await bot.send("/add 乙")
    menu = await last(bot, "/lost 1")
    assert "为什么流失" in menu.text
    assert "流失原因：价格太高" in (await press(bot, menu, "价格太高"))[-1].text
    assert "流失原因：²" in await bot.reply_text("/lost 2 ²")
    await bot.send("/move 2 有效")
    assert "流失原因：搬去外地" in await bot.reply_text("/lost 2 搬去外地")
    reasons = [e.payload["reason"] for e in await lead_events(bot, "stage") if e.to_value == "lost"]
    assert reasons == ["价格太高", "²", "搬去外地"]
    # Reactivation in 90 days, on a working slot: #1, lost at the same time, has 10:00.
    assert "2027-02-23 10:15" in await bot.reply_text("/lead 2")


async def test_edit_changes_fields_and_records_each_change(bot: Harness) -> None:
    await bot.send("/add 王女士")
    assert "+86 139 0013 9000" in await bot.reply_text("/edit 1 电话 13900139000")
    assert "2027-05-01" in await bot.reply_text("/edit 1 婚期 明年五一")
    assert "不是有效的电话号码" in await bot.reply_text("/edit 1 phone 123")
    assert "不是可以修改的字段" in await bot.reply_text("/edit 1 血型 A")
    assert "没看懂日期" in await bot.reply_text("/edit 1 date 某天")
    assert "称呼太长" in await bot.reply_text("/edit 1 name " + "长" * 80)
    edits = [e.payload["field"] for e in await lead_events(bot, "edit")]
    assert edits == ["phone", "date"]
    assert len(await lead_events(bot, "phone")) == 1
    [grade] = await lead_events(bot, "grade")
    assert (grade.from_value, grade.to_value) == ("D", "B")


async def test_a_duplicate_phone_on_add_offers_a_merge(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000 婚期 明年五一")
    card = await last(bot, "/add 王小姐 138-0013-8000 wx:wang_88 抖音")
    assert "相同的电话或微信" in card.text and "#1 王女士" in card.text
    merged = (await press(bot, card, "合并到 #1"))[-1].text
    assert "线索 #2 已合并到这里" in merged and "wang_88" in merged
    [lead] = await rows(bot, Lead)
    assert lead.number == 1 and lead.wechat == "wang_88" and lead.source == "douyin"
    assert len(await lead_events(bot, "created")) == 1
    assert len(await lead_events(bot, "wechat")) == 1


async def test_duplicates_are_found_by_wechat_alone_and_by_either_key(bot: Harness) -> None:
    await bot.send("/add 王女士 wx:wang_88")
    await bot.send("/add 李先生 13800138000")
    await bot.send("/add 赵先生 wx:zhao_99 已删除")
    await bot.send("/del 3")
    assert "#1 王女士" in await bot.reply_text("/add 王小姐 wx:wang_88")
    both = await bot.reply_text("/add 张女士 13800138000 wx:wang_88")
    assert "#1 王女士" in both and "#2 李先生" in both
    assert both.index("#1 王女士") < both.index("#2 李先生")  # in number order
    assert "相同的电话或微信" not in await bot.reply_text("/add 孙女士 wx:zhao_99")


async def test_keeping_both_duplicates_leaves_two_leads(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    card = await last(bot, "/add 王小姐 13800138000")
    assert "两条线索都保留" in (await press(bot, card, "两条都保留"))[-1].text
    assert len(await rows(bot, Lead)) == 2


async def test_a_duplicate_on_edit_offers_a_merge_too(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    await bot.send("/add 王小姐")
    assert "相同的电话或微信" in await bot.reply_text("/edit 2 phone 13800138000")


async def test_a_colleagues_duplicate_is_flagged_without_details(bot: Harness) -> None:
    await team_with_rep(bot)
    await bot.send("/add Ann 13800138000", BOB)
    text = await bot.reply_text("/add 安 13800138000", CAROL)
    assert "同事已有一条" in text and "Ann" not in text


async def test_deleting_can_be_undone_for_24_hours(bot: Harness) -> None:
    await bot.send("/add 王女士")
    await bot.send("/add 李先生")
    first = await last(bot, "/del 1")
    assert "24 小时内可以撤销" in first.text
    assert "找不到线索 #1" in await bot.reply_text("/lead 1")
    assert "线索已恢复" in (await press(bot, first, "撤销"))[-1].text
    assert "#1 王女士" in await bot.reply_text("/lead 1")
    second = await last(bot, "/del 2")
    bot.clock.advance(hours=25)
    assert "超过 24 小时" in (await press(bot, second, "撤销"))[-1].text
    kinds = [e.kind for e in await lead_events(bot) if e.kind in {"deleted", "restored"}]
    assert kinds == ["deleted", "restored", "deleted"]


async def test_a_manual_grade_sticks_until_auto(bot: Harness) -> None:
    await bot.send("/add 王女士 婚期 两年后")
    assert "D → B（手动" in await bot.reply_text("/grade 1 B")
    assert "已经手动设为 B" in await bot.reply_text("/grade 1 b")
    assert "不是等级" in await bot.reply_text("/grade 1 Z")
    assert "B → D（自动）" in await bot.reply_text("/grade 1 auto")
    grades = [
        (e.from_value, e.to_value, e.payload["manual"]) for e in await lead_events(bot, "grade")
    ]
    assert grades == [("D", "B", True), ("B", "D", False)]


async def test_card_buttons_log_move_and_set_follow_ups(bot: Harness) -> None:
    card = await last(bot, "/add Ann 13800138000", BOB)
    assert "Contact logged" in (await press(bot, card, "Log contact", BOB))[-1].text
    menu = (await press(bot, card, "Move stage", BOB))[-1]
    assert "which stage" in menu.text
    assert "new → invited" in (await press(bot, menu, "invited", BOB))[-1].text
    lost_menu = (await press(bot, menu, "lost", BOB))[-1]
    assert "Why was" in lost_menu.text
    fu_menu = (await press(bot, card, "Follow-up", BOB))[-1]
    text = (await press(bot, fu_menu, "Tomorrow 09:00", BOB))[-1].text  # the morning time
    assert "Next follow-up: 2026-11-26 09:00" in text


async def test_tomorrow_on_the_card_is_the_persons_morning_as_on_a_reminder(bot: Harness) -> None:
    await bot.send("/settings morning 8:30", BOB)
    card = await last(bot, "/add Ann 13800138000", BOB)
    fu_menu = (await press(bot, card, "Follow-up", BOB))[-1]
    text = (await press(bot, fu_menu, "Tomorrow 08:30", BOB))[-1].text
    assert "Next follow-up: 2026-11-26 08:30" in text


async def test_a_tampered_button_is_refused(bot: Harness) -> None:
    card = await last(bot, "/add Ann", BOB)
    data = buttons(card)[0]["callback_data"].replace(":", ":9", 1)
    calls = await bot.press(data, BOB)
    assert any("button" in c.text.lower() for c in calls)


# ---------------------------------------------------------------- import and export


def _document(bot: Harness, name: str, size: int, caption: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 900,
        "date": int(bot.clock().timestamp()),
        "chat": {"id": ALICE.id, "type": "private", "first_name": "Alice"},
        "from": ALICE.as_json(),
        "document": {"file_id": "f1", "file_unique_id": "u1", "file_name": name,
                     "file_size": size},
    }  # fmt: skip
    if caption:
        message["caption"] = caption
    return {"message": message}


async def test_import_then_export_through_the_chat(bot: Harness, monkeypatch: Any) -> None:
    from assistant.tg.handlers import import_export as handlers

    data = "姓名,电话,婚期\n王女士,13800138000,明年五一\n,13900139000,\n李先生,123,\n".encode()

    async def fake_download(request: Any, file_id: str) -> bytes:
        assert file_id == "f1"
        return data

    monkeypatch.setattr(handlers, "download", fake_download)
    assert "请先发送 /import" in (await bot.process(_document(bot, "a.csv", len(data))))[-1].text
    assert "CSV 或 XLSX" in await bot.reply_text("/import")
    assert "我在等一个文件" in await bot.reply_text("随便说点什么")
    text = (await bot.process(_document(bot, "a.csv", len(data))))[-1].text
    assert (
        "已导入 1 条线索" in text
        and "第 3 行：缺少姓名" in text
        and "第 4 行：电话无效：123" in text
    )
    [lead] = await rows(bot, Lead)
    assert lead.name == "王女士" and lead.grade == "B"
    exported = (await bot.send("/export"))[-1]
    assert exported.method == "sendDocument" and "共 1 条线索" in exported.text
    assert exported.files["document"].startswith("\ufeff编号,姓名".encode())


async def test_a_file_with_a_caption_imports_at_once_and_bad_files_are_explained(
    bot: Harness, monkeypatch: Any
) -> None:
    from assistant.tg.handlers import import_export as handlers

    async def fake_download(request: Any, file_id: str) -> bytes:
        return b"Phone\n13800138000\n"

    monkeypatch.setattr(handlers, "download", fake_download)
    assert "找不到姓名列" in (await bot.process(_document(bot, "a.csv", 20, "/import")))[-1].text
    assert "无法读取" in (await bot.process(_document(bot, "a.pdf", 20, "/import")))[-1].text
    big = _document(bot, "a.csv", 50 * 1024 * 1024, "/import")
    assert "文件太大" in (await bot.process(big))[-1].text
    assert await rows(bot, Lead) == []


# ---------------------------------------------------------------- forwarded messages


def _forwarded(bot: Harness, text: str, sender: dict[str, Any]) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 950,
            "date": int(bot.clock().timestamp()),
            "chat": {"id": ALICE.id, "type": "private", "first_name": "Alice"},
            "from": ALICE.as_json(),
            "text": text,
            "forward_origin": {"type": "user", "date": 1, "sender_user": sender},
        }
    }


async def test_a_forwarded_client_message_becomes_a_lead_named_after_the_sender(
    bot: Harness,
) -> None:
    sender = {"id": 77, "is_bot": False, "first_name": "林", "last_name": "小姐"}
    text = "你好，我们明年五一结婚，电话13800138000，想看看套餐"
    calls = await bot.process(_forwarded(bot, text, sender))
    assert "线索已保存" in calls[-1].text and "#1 林 小姐" in calls[-1].text
    [lead] = await rows(bot, Lead)
    assert lead.phone == "+8613800138000" and str(lead.event_date) == "2027-05-01"
    assert lead.intent == text


async def test_a_forwarded_message_during_the_guided_add_answers_the_current_step(
    bot: Harness,
) -> None:
    await bot.send("/add")
    sender = {"id": 77, "is_bot": False, "first_name": "林"}
    calls = await bot.process(_forwarded(bot, "林小姐", sender))
    assert "电话或微信" in calls[-1].text
    assert await rows(bot, Lead) == []


async def test_a_b2b_team_uses_its_own_stage_names(bot: Harness) -> None:
    await bot.send("/start")
    async with bot.app.bot_data["app"].sessionmaker() as session:
        team = (await session.exec(select(Team))).one()
        team.pipeline = "b2b"
        session.add(team)
        await session.commit()
    assert "潜在" in await bot.reply_text("/add 周总 13800138000")
    assert "潜在 → 谈判" in await bot.reply_text("/move 1 谈判")
    assert "谈判 → 兴趣" in await bot.reply_text("/move 1 qualified")
    assert "不是阶段名" in await bot.reply_text("/move 1 已到店")
