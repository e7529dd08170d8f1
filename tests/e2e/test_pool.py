"""The lead pool: import to the pool, give out automatically, away, claim, stale leads return."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlmodel import select

from assistant.db.models import Lead, LeadEvent
from assistant.db.session import transaction
from assistant.domain import events
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User, tick
from tests.helpers import person_of, sessionmaker_of

DAVE = User(1004, "Dave", "zh-hans")
SOURCES = ("抖音", "百度", "转介绍")


def pool_csv(count: int) -> bytes:
    lines = ["姓名,电话,来源"]
    for index in range(count):
        lines.append(f"客户{index + 1},139{index + 1:08d},{SOURCES[index % 3]}")
    return ("\n".join(lines) + "\n").encode()


def document(bot: Harness, caption: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": {
            "message_id": 900,
            "date": int(bot.clock().timestamp()),
            "chat": {"id": ALICE.id, "type": "private", "first_name": "Alice"},
            "from": ALICE.as_json(),
            "document": {"file_id": "f1", "file_unique_id": "u1", "file_name": "a.csv",
                         "file_size": 2000},
        }
    }  # fmt: skip
    if caption:
        body["message"]["caption"] = caption
    return body


async def team_of_three(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in (BOB, CAROL, DAVE):
        await bot.send(f"/start join_{code}", user)


async def import_to_pool(
    bot: Harness, monkeypatch: Any, count: int, caption: str = "/import pool"
) -> str:
    from assistant.tg.handlers import import_export as handlers

    data = pool_csv(count)

    async def fake_download(request: Any, file_id: str) -> bytes:
        return data

    monkeypatch.setattr(handlers, "download", fake_download)
    return (await bot.process(document(bot, caption)))[-1].text


async def all_leads(bot: Harness) -> list[Lead]:
    async with transaction(sessionmaker_of(bot)) as session:
        return list((await session.exec(select(Lead).order_by(Lead.number))).all())


async def test_imported_pool_leads_are_given_out_in_turn_and_every_rep_hears_at_once(
    bot: Harness, monkeypatch: Any
) -> None:
    await team_of_three(bot)
    assert "已放进团队线索池" in await import_to_pool(bot, monkeypatch, 50)
    leads = await all_leads(bot)
    assert len(leads) == 50 and {lead.owner_id for lead in leads} == {None}
    assert {lead.next_followup_at for lead in leads} == {None}  # nobody is reminded yet
    assert "团队线索池</b>（50）" in await bot.reply_text("/pool")
    calls = await bot.send("/assign all auto")
    assert "已分配 50 条线索（轮流）" in calls[0].text
    told = {int(call.params["chat_id"]): call.text for call in calls[1:]}
    assert set(told) == {BOB.id, CAROL.id, DAVE.id}
    assert "Alice gave you 17 leads" in told[BOB.id]  # Bob reads English
    assert "Alice 分给你 17 条线索" in told[CAROL.id] and "Alice 分给你 16 条线索" in told[DAVE.id]
    leads = await all_leads(bot)
    shares = Counter(lead.owner_id for lead in leads)
    assert sorted(shares.values()) == [16, 17, 17] and None not in shares
    assert all(lead.next_followup_at == bot.clock() + timedelta(hours=1) for lead in leads)
    async with transaction(sessionmaker_of(bot)) as session:
        assigned = (
            await session.exec(select(LeadEvent).where(LeadEvent.kind == events.ASSIGNED))
        ).all()
    assert len(assigned) == 50 and {e.from_value for e in assigned} == {None}
    assert "线索池是空的" in await bot.reply_text("/pool")


async def test_a_rep_away_gets_no_leads_until_they_are_back(bot: Harness, monkeypatch: Any) -> None:
    await team_of_three(bot)
    await import_to_pool(bot, monkeypatch, 9)
    assert "休假到 2026-11-29" in await bot.reply_text("/away 2026-11-29", CAROL)
    await bot.send("/assign 前6 auto")
    carol = await person_of(bot, CAROL)
    assert carol.id not in {lead.owner_id for lead in await all_leads(bot)}
    assert "欢迎回来" in await bot.reply_text("/away off", CAROL)
    await bot.send("/assign all auto")
    assert Counter(lead.owner_id for lead in await all_leads(bot))[carol.id] == 1


async def test_a_manager_adds_to_the_pool_and_a_rep_claims_only_when_the_team_allows_it(
    bot: Harness,
) -> None:
    await team_of_three(bot)
    assert "已放进团队线索池：<b>#1 王女士" in await bot.reply_text("/add 王女士 13800138000 pool")
    assert "团队的所有者或经理" in await bot.reply_text("/pool", CAROL)
    assert "/pool 设置 认领 开" in await bot.reply_text("/claim 1", CAROL)
    assert "成员可以用 /claim" in await bot.reply_text("/pool set claim on")
    assert "你认领了这条线索" in await bot.reply_text("/claim 1", CAROL)
    carol = await person_of(bot, CAROL)
    assert [lead.owner_id for lead in await all_leads(bot)] == [carol.id]
    assert "线索池里没有这些线索：#1" in await bot.reply_text("/claim 1", DAVE)


async def test_wrong_pool_commands_say_what_to_type(bot: Harness) -> None:
    await team_of_three(bot)
    assert "/assign 全部 自动" in await bot.reply_text("/assign 1")
    assert "线索池里没有可分配" in await bot.reply_text("/assign all auto")
    assert "「x1」不是线索编号" in await bot.reply_text("/assign x1 auto")
    assert "/pool 设置 回收 14" in await bot.reply_text("/pool set stale 0")
    assert "/away 结束" in await bot.reply_text("/away 明年的某天")
    assert "加权" in await bot.reply_text("/pool set mode 加权")
    assert "自动分配：加权" in await bot.reply_text("/pool")


async def test_a_lead_untouched_for_14_days_is_warned_about_then_returns_to_the_pool(
    bot: Harness,
) -> None:
    await team_of_three(bot)
    await bot.send("/add 王女士 13800138000 婚期 2027-04-01 pool")  # grade B
    await bot.send("/assign 1 carol")
    await bot.send("/log 1 聊了套餐", CAROL)  # contacted now
    bot.clock.advance(days=12, hours=23)
    assert [c for c in await tick(bot) if "快 14 天没跟进" in c.text] == []
    bot.clock.advance(hours=1)
    warned = [c for c in await tick(bot) if "快 14 天没跟进" in c.text]
    assert [int(c.params["chat_id"]) for c in warned] == [CAROL.id]
    bot.clock.advance(days=1)
    back = [c for c in await tick(bot) if "回到团队线索池" in c.text]
    assert sorted(int(c.params["chat_id"]) for c in back) == [ALICE.id, CAROL.id]
    assert any("已从 Carol 那里回到团队线索池" in c.text for c in back)
    [lead] = await all_leads(bot)
    assert lead.owner_id is None and lead.next_followup_at is None


async def test_a_personal_team_never_loses_its_leads_to_a_pool(bot: Harness) -> None:
    await bot.send("/add 王女士 13800138000")
    bot.clock.advance(days=40)
    await tick(bot)
    alice = await person_of(bot, ALICE)
    assert [lead.owner_id for lead in await all_leads(bot)] == [alice.id]


async def test_a_contact_after_the_warning_keeps_the_lead(bot: Harness) -> None:
    await team_of_three(bot)
    await bot.send("/add 王女士 13800138000 婚期 2027-01-10 pool")  # grade A: 3 days
    await bot.send("/assign 1 carol")
    bot.clock.advance(days=2)
    assert any("快 3 天没跟进" in c.text for c in await tick(bot))
    await bot.send("/log 1 约了周六", CAROL)
    bot.clock.advance(days=1)
    assert not any("回到团队线索池" in c.text for c in await tick(bot))
    carol = await person_of(bot, CAROL)
    assert [lead.owner_id for lead in await all_leads(bot)] == [carol.id]


async def test_a_manager_marks_a_member_away_and_a_date_of_two_words_still_reads(
    bot: Harness,
) -> None:
    await team_of_three(bot)
    assert "Dave 休假到 2026-12-06" in await bot.reply_text("/away dave 12月6日")
    assert "休假到 2026-11-29" in await bot.reply_text("/away next Sunday")
    assert "Dave（到 2026-12-06）" in await bot.reply_text("/pool")


async def test_import_pool_then_a_file_fills_the_pool_and_reps_cannot_import_to_it(
    bot: Harness, monkeypatch: Any
) -> None:
    await team_of_three(bot)
    assert "团队的所有者或经理" in await bot.reply_text("/import pool", CAROL)
    assert "CSV 或 XLSX" in await bot.reply_text("/import pool")
    assert "已导入 4 条线索" in await import_to_pool(bot, monkeypatch, 4, caption="")
    assert {lead.owner_id for lead in await all_leads(bot)} == {None}


async def test_help_lists_the_pool_commands_in_both_languages(bot: Harness) -> None:
    zh = await bot.reply_text("/help")
    assert "线索池与分配" in zh and "/assign" in zh and "/forecast" in zh and "/customers" in zh
    en = await bot.reply_text("/help", BOB)
    assert "Lead pool, assignment" in en and "/sources" in en and "/away" in en


async def test_a_pool_lead_counts_as_new_for_the_rep_who_gets_it(bot: Harness) -> None:
    await team_of_three(bot)
    await bot.send("/add 王女士 13800138000 pool")
    await bot.send("/add 李先生 13900139000 pool")
    await bot.send("/assign 1 carol")
    summary = await bot.reply_text("/summary", CAROL)
    assert "新线索 1" in summary and "转电话 1" in summary


async def test_weighted_assignment_spares_the_rep_with_the_most_open_a_and_b_leads(
    bot: Harness,
) -> None:
    await team_of_three(bot)
    await bot.send("/add 张先生 13700137001 转介绍", BOB)  # grade A
    await bot.send("/add 赵女士 13700137002 转介绍", BOB)
    for index, name in enumerate("甲乙丙丁"):
        await bot.send(f"/add 客户{name} 1360013600{index} pool")
    await bot.send("/pool set mode weighted")
    assert "已分配 4 条线索（加权）" in await bot.reply_text("/assign all auto")
    bob, carol, dave = [await person_of(bot, user) for user in (BOB, CAROL, DAVE)]
    given = Counter(lead.owner_id for lead in await all_leads(bot) if lead.number > 2)
    assert given == {carol.id: 2, dave.id: 2}
    assert bob.id not in given
