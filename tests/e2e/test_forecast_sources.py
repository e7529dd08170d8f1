"""/forecast and /sources on a team whose 50 imported pool leads were given out."""

from __future__ import annotations

from typing import Any

from tests.e2e.test_pool import DAVE, import_to_pool, team_of_three
from tests.harness import ALICE, CAROL, Harness


async def worked_team(bot: Harness, monkeypatch: Any) -> None:
    """50 leads (sources 抖音, 百度, 转介绍 in turn) given out; five of them worked."""
    await team_of_three(bot)
    await import_to_pool(bot, monkeypatch, 50)
    await bot.send("/assign all auto")
    for command in ("/move 1 valid", "/move 1 invited", "/move 1 visited", "/won 1 10000",
                    "/move 2 valid", "/move 2 invited", "/move 3 valid", "/move 3 visited",
                    "/move 4 valid", "/lost 5 价格太高", "/numbers 抖音 花费 500",
                    "/numbers baidu cost 300"):  # fmt: skip
        await bot.send(command)


async def test_sources_show_leads_rates_won_revenue_and_cost_per_order(
    bot: Harness, monkeypatch: Any
) -> None:
    await worked_team(bot, monkeypatch)
    text = await bot.reply_text("/sources")
    lines = [line for line in text.splitlines() if line.startswith("<b>") and "：" in line]
    assert lines == [
        "<b>抖音</b>：线索 17 · 有效率 11.8% · 到店率 5.9% · 成交 1 · 收入 10,000 · 花费 500"
        " · 每单成本 500",
        "<b>百度</b>：线索 17 · 有效率 5.9% · 到店率 0.0% · 成交 0 · 花费 300",
        "<b>转介绍</b>：线索 16 · 有效率 6.2% · 到店率 6.2% · 成交 0",
    ]


async def test_a_source_cost_is_saved_for_the_day_and_can_be_corrected(bot: Harness) -> None:
    await bot.send("/start")
    assert "「抖音」的花费 500" in await bot.reply_text("/numbers 抖音 花费 500")
    assert "（原来是 500）" in await bot.reply_text("/numbers douyin cost 650")
    assert "已记下" not in await bot.reply_text("/numbers 花费 120")  # a day's cost, no source


async def test_the_team_forecast_weighs_open_leads_by_stage_against_the_goal(
    bot: Harness, monkeypatch: Any
) -> None:
    await worked_team(bot, monkeypatch)
    await bot.send("/goal 4", CAROL)
    await bot.send("/goal 2", DAVE)
    text = await bot.reply_text("/forecast")
    assert (
        "<b>2026-11</b> ◀\n已成交 1 单 + 预计 0.95 单 = 1.95 单，"
        "预计收入 19,500（已成交 10,000 + 在谈 9,500）" in text
    )  # the won deal's 10,000 counts in the revenue, as the won order counts in the orders
    assert "目标 6 单，还差 4.05 单" in text
    assert "<b>2026-12</b>\n已成交 0 单 + 预计 2.4 单 = 2.4 单，预计收入 24,000" in text
    assert "#3 客户3 · A · 已到店 · 60% · ≈6,000" in text
    assert "新线索 5% · 有效 15% · 已邀约 35% · 已到店 60%" in text
    assert "/forecast 下月" in await bot.reply_text("/forecast 2027-05")


async def test_a_reps_forecast_counts_only_their_own_leads(bot: Harness, monkeypatch: Any) -> None:
    await worked_team(bot, monkeypatch)
    mine = await bot.reply_text("/forecast", CAROL)
    assert "成交预测</b>" in mine and "（团队）" not in mine
    assert "成交预测（团队）" in await bot.reply_text("/forecast", ALICE)


async def test_a_team_setting_overrides_a_stage_chance(bot: Harness) -> None:
    await bot.send("/start")
    assert "已到店阶段的成交概率为 70%" in await bot.reply_text("/forecast set 到店 70")
    assert "已到店 70%（团队设置）" in await bot.reply_text("/forecast")
    assert "/forecast 设置 到店 70" in await bot.reply_text("/forecast set 成交 70")
