from datetime import timedelta

from assistant.db.session import Sessionmaker
from assistant.domain import events
from tests.e2e.test_reminders import data_of
from tests.harness import ALICE, BOB, Harness, buttons
from tests.helpers import add_events, lead_by_id, lead_events, make_lead, person_by_tg, team_of


async def quiet_leads(bot: Harness, sessionmaker: Sessionmaker, grades: str) -> list[int]:
    await bot.send("/lang en", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    ids = []
    for index, grade in enumerate(grades):
        lead = await make_lead(
            sessionmaker, team, alice, name=f"L{index + 1}", grade=grade,
            created_at=bot.clock() - timedelta(days=30 - index),
        )  # fmt: skip
        ids.append(lead.id or 0)
    return ids


async def test_activate_picks_quiet_d_and_c_leads_first_with_a_copyable_message_each(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await quiet_leads(bot, sessionmaker, "ABCDD")
    team = await team_of(sessionmaker, ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    await make_lead(sessionmaker, team, alice, name="Fresh", grade="D")  # created today
    calls = await bot.send("/activate 3", ALICE)
    text = calls[0].text
    assert "Activation batch · 3 quiet leads" in text
    order = [text.index(f"#{n} L{n}") for n in (4, 5, 3)]
    assert order == sorted(order) and "#2 L2" not in text and "Fresh" not in text
    assert text.count("<code>") == 3
    labels = [item["text"] for item in buttons(calls[0])]
    assert labels == ["#4 replied", "#4 no reply", "#5 replied", "#5 no reply", "#3 replied",
                      "#3 no reply"]  # fmt: skip


async def test_answering_every_lead_rates_the_batch_and_replied_leads_move_up(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    ids = await quiet_leads(bot, sessionmaker, "DDDDD")
    message = (await bot.send("/activate 5", ALICE))[0]
    for number in (1, 2, 3):
        message = (await bot.press(data_of(message, f"#{number} replied"), ALICE))[0]
        assert message.method == "editMessageText"
    message = (await bot.press(data_of(message, "#4 no reply"), ALICE))[0]
    assert "4 of 5 answered" in message.text
    message = (await bot.press(data_of(message, "#5 no reply"), ALICE))[0]
    assert "3 of 5 replied — a pass" in message.text and buttons(message) == []
    replied = await lead_by_id(sessionmaker, ids[0])
    assert replied.grade == "C"
    assert replied.next_followup_at == bot.clock() + timedelta(days=7)  # C cadence
    history = await lead_events(sessionmaker, ids[0])
    assert [event.kind for event in history] == [
        events.CREATED, events.CONTACT, events.GRADE, events.FOLLOWUP
    ]  # fmt: skip
    assert history[1].payload == {"grade": "D", "note": "activation: replied"}  # effort on a D
    assert history[3].payload == {"reason": "cadence"}
    silent = await lead_by_id(sessionmaker, ids[4])
    assert silent.grade == "D" and silent.next_followup_at is None


async def test_a_visited_lead_that_replies_is_scheduled_by_the_visited_sequence(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    """The same cadence as "Done" on a reminder (PRODUCT.md 5.1): visit +1/+7/+30/+60/+90
    days, not the grade's days."""
    await bot.send("/lang en", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    visited_at = bot.clock() - timedelta(days=10)
    lead = await make_lead(
        sessionmaker, team, alice, name="Vi", grade="D", stage="visited",
        created_at=bot.clock() - timedelta(days=40),
    )  # fmt: skip
    await add_events(sessionmaker, lead, (events.STAGE, visited_at, "visited"))
    message = (await bot.send("/activate 1", ALICE))[0]
    await bot.press(data_of(message, "#1 replied"), ALICE)
    replied = await lead_by_id(sessionmaker, lead.id or 0)
    assert replied.grade == "C" and replied.last_contact_at == bot.clock()
    assert replied.next_followup_at == visited_at + timedelta(days=30)  # not C's 7 days


async def test_a_poor_batch_gets_a_wording_tip_and_a_finished_batch_takes_no_more_taps(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await quiet_leads(bot, sessionmaker, "CC")
    first = (await bot.send("/activate", ALICE))[0]
    message = (await bot.press(data_of(first, "#1 no reply"), ALICE))[0]
    message = (await bot.press(data_of(message, "#2 no reply"), ALICE))[0]
    assert "0 of 2 replied — poor" in message.text and "shorter and lighter" in message.text
    late = await bot.press(data_of(first, "#1 replied"), ALICE)
    assert "finished or no longer yours" in late[0].text


async def test_activate_explains_a_bad_size_and_says_when_nothing_is_quiet(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    assert "1 到 30" in await bot.reply_text("/activate lots", ALICE)
    assert "一周" in await bot.reply_text("/activate", ALICE)
    assert "/activate 5" in await bot.reply_text("/activate 99", BOB)
