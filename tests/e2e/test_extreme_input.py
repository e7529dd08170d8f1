"""Extreme input gets a short answer saying what to type, on both databases: the calendar's
ends, numbers no column can hold, unbounded ranges, NUL characters. Nothing fails and nothing
is logged as an error (tests/reliability/test_command_fuzzing.py sends generated text to every
command; these are the cases that once failed, and the ones that differ by database)."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from assistant.db.models import Lead, MarketingDay, Team
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, Harness

HUGE = "99999999999999999999"


@pytest.fixture
async def team(bot: Harness) -> Harness:
    """Alice owns Bridal, in Los Angeles (the year 9999 ends there after it ends in UTC); Bob is
    a rep; lead #1 is Alice's, #2 waits in the pool."""
    join_code(await bot.reply_text("/newteam Bridal", ALICE))
    code = join_code(await bot.reply_text("/invite", ALICE))
    await bot.send(f"/start join_{code}", BOB)
    await bot.send("/tz America/Los_Angeles", ALICE)
    await bot.send("/add 王女士 13800138000", ALICE)
    await bot.send("/add 李先生 pool", ALICE)
    return bot


async def answer(bot: Harness, text: str, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        reply = await bot.reply_text(text, ALICE)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], text
    assert "出了点问题" not in reply, text
    return reply


@pytest.mark.parametrize("command", ["/summary", "/chart", "/sources"])
@pytest.mark.parametrize("period", ["0001-01-01", "9999-12-31", "0001-01-01 9999-12-31", "9999-12"])
async def test_a_report_for_a_day_at_the_ends_of_the_calendar_says_how_to_name_a_period(
    team: Harness, caplog: pytest.LogCaptureFixture, command: str, period: str
) -> None:
    reply = await answer(team, f"{command} {period}", caplog)
    assert "没看懂时间" in reply and f"{command} 昨天" in reply


@pytest.mark.parametrize("period", ["0001-01-01", "9999-12-31", "9999-12-31 deals"])
async def test_the_team_table_for_a_day_at_the_ends_of_the_calendar_answers_plainly(
    team: Harness, caplog: pytest.LogCaptureFixture, period: str
) -> None:
    assert "/members" in await answer(team, f"/team {period}", caplog)


@pytest.mark.parametrize("text", ["/goal 20 9999-12", "/goal 20 0001-01", f"/goal {HUGE}"])
async def test_a_goal_for_an_impossible_month_or_count_says_what_to_type(
    team: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert "<code>/goal 20</code>" in await answer(team, text, caplog)


@pytest.mark.parametrize("when", ["9999-12-31", "9999-12-31 23:59"])
async def test_a_follow_up_near_the_year_9999_in_a_western_zone_asks_for_a_nearer_time(
    team: Harness, caplog: pytest.LogCaptureFixture, when: str
) -> None:
    reply = await answer(team, f"/fu 1 {when}", caplog)
    assert "超过 5 年" in reply and "周五下午3点" in reply


@pytest.mark.parametrize(
    "text",
    [f"/handover 2 1 {HUGE}", f"/assign {HUGE} bob", f"/assign {HUGE} auto", "/assign #１２ bob"],
)
async def test_a_lead_number_beyond_any_column_is_not_a_lead_number(
    team: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert "不是线索编号" in await answer(team, text, caplog)


@pytest.mark.parametrize(
    "text",
    ["/handover 2 1 1-5000 5001-10000", "/assign 1-5000 5001-10000 bob", "/assign 1-99999999 bob"],
)
async def test_ranges_that_add_up_beyond_the_limit_ask_for_smaller_pieces(
    team: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert "一次最多 5000 条线索" in await answer(team, text, caplog)


@pytest.mark.parametrize("amount", [HUGE, "1e308", "nan", "inf", "-5", f"{HUGE}亿"])
async def test_an_impossible_amount_is_refused_with_an_example(
    team: Harness, caplog: pytest.LogCaptureFixture, amount: str
) -> None:
    assert "不是金额" in await answer(team, f"/won 1 {amount}", caplog)
    async with team.app.bot_data["app"].sessionmaker() as session:
        lead = (await session.exec(select(Lead).where(Lead.number == 1))).one()
    assert lead.stage == "new" and lead.amount is None


@pytest.mark.parametrize(
    "text", [f"/numbers 展现 {HUGE}", "/numbers 订单 99999999999", f"/numbers 抖音 花费 {HUGE}"]
)
async def test_ad_figures_no_column_can_hold_are_refused_and_nothing_is_stored(
    team: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert "请写“名称 数字”" in await answer(team, text, caplog)
    async with team.app.bot_data["app"].sessionmaker() as session:
        assert (await session.exec(select(MarketingDay))).all() == []


@pytest.mark.parametrize("text", ["/goal ¹", "/activate ²", "/customer 1 ⁵", "/invite ³d"])
async def test_digits_that_are_not_numbers_get_the_usual_answer(
    team: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    assert await answer(team, text, caplog)


async def test_a_nul_character_in_a_name_or_note_is_dropped_on_both_databases(
    team: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    assert "#1 赵女士" in await answer(team, "/edit 1 name 赵\x00女士", caplog)
    await answer(team, "/edit 1 notes 喜欢\x00外景", caplog)
    await answer(team, "/newteam 婚纱\x00二组", caplog)
    async with team.app.bot_data["app"].sessionmaker() as session:
        names = {
            lead.number: (lead.name, lead.intent)
            for lead in (await session.exec(select(Lead))).all()
        }
        teams = [found.name for found in (await session.exec(select(Team))).all()]
    assert names[1] == ("赵女士", "喜欢外景")
    assert "婚纱二组" in teams
