from datetime import date, timedelta

from assistant.db.session import Sessionmaker
from tests.harness import ALICE, BOB, Harness, buttons
from tests.helpers import make_lead, person_by_tg, team_of


async def _bob_with_leads(bot: Harness, sessionmaker: Sessionmaker) -> None:
    await bot.send("/start", BOB)
    bob = await person_by_tg(sessionmaker, BOB.id)
    team = await team_of(sessionmaker, BOB)
    now = bot.clock()
    await make_lead(sessionmaker, team, bob, name="Ann", grade="A", event_date=date(2027, 1, 20))
    await make_lead(
        sessionmaker, team, bob, name="Ben", grade="A", event_date=date(2027, 2, 1),
        next_followup_at=now - timedelta(hours=3),
    )  # fmt: skip
    for index in range(4):
        await make_lead(sessionmaker, team, bob, name=f"B{index}", grade="B", stage="valid")
    for index in range(10):
        await make_lead(sessionmaker, team, bob, name=f"D{index}", grade="D")
    await make_lead(sessionmaker, team, bob, name="Won", grade="A", stage="won")


async def test_today_splits_480_minutes_as_320_133_0_27_and_puts_overdue_first(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _bob_with_leads(bot, sessionmaker)
    text = await bot.reply_text("/today", BOB)
    assert "A 320 · B 133 · C 0 · D 27 min" in text
    assert "16 open leads" in text  # the won lead is not worked any more
    assert "1 overdue follow-up" in text
    a_section = text.split("<b>A · 320 min</b>")[1].split("<b>B")[0]
    assert a_section.index("#2 Ben") < a_section.index("#1 Ann")  # overdue first
    assert "#2 Ben · 160 min" in a_section
    assert "B0 · 34 min" in text and "B3 · 33 min" in text


async def test_d_leads_get_only_a_copyable_activation_message(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _bob_with_leads(bot, sessionmaker)
    [first] = [call for call in await bot.send("/today", BOB) if call.text]
    d_section = first.text.split("<b>D · 27 min</b>")[1]
    assert d_section.count("✉️ <code>") == 4  # ten leads a page: A's 2, B's 4, then D's
    assert "💬" not in d_section
    assert "/activate" in d_section
    [more] = buttons(first)
    [rest] = [call for call in await bot.press(more["callback_data"], BOB) if call.text]
    assert rest.text.split("<b>D · 27 min</b>")[1].count("✉️ <code>") == 6


async def test_today_with_no_leads_says_how_to_start_in_the_persons_language(bot: Harness) -> None:
    text = await bot.reply_text("/today", ALICE)
    assert "今日计划" in text and "/add" in text and "480 分钟" in text
