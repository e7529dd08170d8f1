"""/targets as a manager uses it: see the numbers, change one, get examples when it is wrong."""

from __future__ import annotations

from assistant.db.models import Team
from assistant.db.session import transaction
from tests.e2e.test_teams import join_code
from tests.harness import BOB, Harness
from tests.helpers import add_leads, sessionmaker_of, team_named


async def test_targets_show_the_defaults_and_a_change_is_saved_as_an_override(
    bot: Harness,
) -> None:
    await bot.send("/newteam Bridal")
    await bot.send("/lang en")
    text = await bot.reply_text("/targets")
    assert "valid rate: 70%" in text and "A ≤ 90 days" in text and "A 1d" in text
    changed = await bot.reply_text("/targets valid_rate 75")
    assert "Saved" in changed and "valid rate: 75% ✎" in changed
    await bot.send("/targets grade A 60")
    assert "B 2d ✎" in await bot.reply_text("/targets cadence B 2")
    team = await team_named(bot, "Bridal")
    assert team.settings == {
        "targets": {"valid_rate": 75},
        "grading": {"a_days": 60},
        "cadence": {"B": 2},
    }
    await bot.send("/targets reset")
    assert (await team_named(bot, "Bridal")).settings == {}


async def test_wrong_target_values_get_examples_and_change_nothing(bot: Harness) -> None:
    await bot.send("/newteam Bridal")
    assert "/targets 有效率 75" in await bot.reply_text("/targets 有效率 120")
    assert "A 的天数要小于 B" in await bot.reply_text("/targets grade A 400")
    assert "/targets 跟进 B 2" in await bot.reply_text("/targets cadence X 2")
    assert "/targets 流程 企业" in await bot.reply_text("/targets pipeline shop")
    assert "不认识设置项「speed」" in await bot.reply_text("/targets speed 3")
    assert (await team_named(bot, "Bridal")).settings == {}


async def test_the_pipeline_changes_only_while_the_team_has_no_leads(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    await bot.send(f"/start join_{code}", BOB)
    assert "B2B" in await bot.reply_text("/targets 流程 企业")  # 企业 = b2b, 门店 = store
    team = await team_named(bot, "Bridal")
    assert team.pipeline == "b2b"
    await add_leads(sessionmaker_of(bot), team_id=team.id or 0, owner_id=None, count=1,
                    now=bot.clock(), stage="lead")  # fmt: skip
    assert "流程不能再更换" in await bot.reply_text("/targets pipeline store")
    async with transaction(sessionmaker_of(bot)) as session:
        stored = await session.get(Team, team.id)
    assert stored is not None and stored.pipeline == "b2b"
