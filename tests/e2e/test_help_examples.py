"""#15 §5: every example /help shows is one its command understands, in Chinese and English,
and the Chinese help shows Chinese words."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.render import Renderer
from tests.e2e.test_first_hour_replies import latin_words
from tests.harness import ALICE, BOB, CAROL, Harness, User

# In the order a person could type them on a team of three with a dozen leads and a pool lead.
EXAMPLES: dict[str, list[str]] = {
    "zh-Hans": [
        "/lang 简体", "/tz 上海", "/tz 东京", "/tz +8", "/role 3 销售", "/role 2 经理",
        "/add 王女士 13800138000 婚期 明年5月 转介绍", "/lead 12", "/log 12 聊了套餐",
        "/fu 12 周五下午3点", "/move 12 到店", "/edit 12 电话 13800138000", "/grade 12 B",
        "/grade 12 自动", "/script 12", "/script 太贵", "/script 有效", "/activate 10",
        "/summary 今天", "/numbers 展现 12000 点击 360 访问 270 咨询 27 订单 3", "/goal 20",
        "/leaderboard 今天", "/leaderboard 本周", "/leaderboard 本月", "/team 本周",
        "/team 本周 成交", "/team 2 本月", "/digest 开", "/pool 设置 方式 轮流",
        "/assign 全部 自动", "/away 12月5日", "/away 结束", "/forecast 设置 到店 70",
        "/lost 12 价格太高", "/won 12 8800", "/customer 12 5 很满意", "/handover 2 3 全部",
    ],
    "en": [
        "/lang en", "/tz Asia/Shanghai", "/tz Tokyo", "/tz +8", "/role 3 rep", "/role 2 manager",
        "/add Ms Wang 13800138000 date May 1 referral", "/lead 12", "/log 12 talked about packages",
        "/fu 12 Friday 3pm", "/move 12 visited", "/edit 12 phone 13800138000", "/grade 12 B",
        "/grade 12 auto", "/script 12", "/script expensive", "/script valid", "/activate 10",
        "/summary today", "/numbers impressions 12000 clicks 360 visits 270", "/goal 20",
        "/leaderboard day", "/leaderboard week", "/leaderboard month", "/team week",
        "/team week deals", "/team 2 month", "/digest on", "/pool set mode weighted",
        "/assign all auto", "/away Dec 5", "/away off", "/forecast set visited 70",
        "/lost 12 price too high", "/won 12 8800", "/customer 12 5 very happy",
        "/handover 2 3 all",
    ],
}  # fmt: skip
OWNER = {"zh-Hans": ALICE, "en": BOB}


async def _team_with_leads(bot: Harness, owner: User, others: list[User]) -> None:
    text = await bot.reply_text("/newteam 花店", owner)
    code = text.split("start=join_")[1].split()[0].split("<")[0]
    for other in others:
        await bot.send(f"/start join_{code}", other)
    for number, surname in enumerate("赵钱孙李周吴郑王冯陈褚卫", start=1):
        await bot.send(f"/add {surname}女士 1390013{number:04d}", owner)
    await bot.send("/add 池中客户 13700137000 线索池", owner)
    await bot.send("/add 何先生 13600136000", others[0])  # member 2 has a lead to hand over


@pytest.mark.parametrize("locale", ["zh-Hans", "en"])
async def test_every_help_example_is_understood_by_its_command(
    bot: Harness, monkeypatch: Any, locale: str
) -> None:
    owner = OWNER[locale]
    others = [user for user in (ALICE, BOB, CAROL) if user != owner]
    await _team_with_leads(bot, owner, others)
    help_text = await bot.reply_text("/help", owner)
    rendered: list[tuple[str, str]] = []
    original = Renderer.render

    def recording(self: Renderer, locale: str, template: str, **context: Any) -> str:
        rendered.append((template, str(context.get("given", ""))))
        return original(self, locale, template, **context)

    monkeypatch.setattr(Renderer, "render", recording)
    for example in EXAMPLES[locale]:
        assert example in help_text, f"/help does not show {example}"
        rendered.clear()
        await bot.send(example, owner)
        refused = [name for name, _ in rendered if name.startswith("errors/")]
        assert not refused, (example, rendered)


async def test_the_chinese_help_has_no_english_words(bot: Harness) -> None:
    text = await bot.reply_text("/help")
    assert not latin_words(text), latin_words(text)
    assert "/role 2 经理" in text and "/leaderboard 本周" in text
