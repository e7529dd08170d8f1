import re
from datetime import UTC, datetime, timedelta

from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.tg.offline import Call
from tests.harness import ALICE, BOB, CAROL, Harness, buttons, tick
from tests.helpers import add_event, lead_by_id, lead_events, make_lead, person_by_tg, team_of


def about(calls: list[Call], name: str) -> list[Call]:
    """Pushes about one lead (leaving out the daily briefings that mention it)."""
    return [call for call in calls if name in call.text and "Good morning" not in call.text
            and "早上好" not in call.text]  # fmt: skip


def data_of(call: Call, label: str) -> str:
    for item in buttons(call):
        if item["text"] == label:
            return str(item["callback_data"])
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons(call)]}")


async def alice_with_lead(bot: Harness, sessionmaker: Sessionmaker, **fields: object) -> int:
    await bot.send("/lang en", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    fields.setdefault("next_followup_at", bot.clock() - timedelta(minutes=5))
    lead = await make_lead(sessionmaker, team, alice, name="Ann", grade="B", **fields)  # type: ignore[arg-type]
    assert lead.id is not None
    return lead.id


async def test_a_due_follow_up_arrives_as_a_reminder_with_five_buttons(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await alice_with_lead(bot, sessionmaker)
    sent = await tick(bot)
    assert len(sent) == 1 and int(sent[0].params["chat_id"]) == ALICE.id
    assert "Follow up now: #1 Ann" in sent[0].text
    labels = [item["text"] for item in buttons(sent[0])]
    assert labels == ["Done ✓", "Snooze 1h", "Tomorrow", "Show script", "Open lead"]
    assert await tick(bot) == []  # planned once, sent once


async def test_done_logs_a_contact_schedules_by_cadence_and_edits_the_reminder(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    reminder = (await tick(bot))[0]
    calls = await bot.press(data_of(reminder, "Done ✓"), ALICE)
    edits = [call for call in calls if call.method == "editMessageText"]
    assert len(edits) == 1 and "contact logged" in edits[0].text
    # Grade B: 3 days on, a Saturday, a day off: the first slot of Monday.
    assert "Next follow-up Mon 30 Nov 10:00 (5 days, grade B)" in edits[0].text
    assert [item["text"] for item in buttons(edits[0])] == ["Show script", "Open lead"]
    lead = await lead_by_id(sessionmaker, lead_id)
    assert lead.next_followup_at == bot.clock() + timedelta(days=5)
    assert lead.last_contact_at == bot.clock()
    kinds = [
        (event.kind, event.payload.get("reason"))
        for event in await lead_events(sessionmaker, lead_id)
    ]
    assert (events.CONTACT, None) in kinds and (events.FOLLOWUP, "cadence") in kinds
    bot.clock.advance(hours=2)
    assert await tick(bot) == []  # nothing due any more


async def test_snooze_reminds_again_an_hour_later(bot: Harness, sessionmaker: Sessionmaker) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    reminder = (await tick(bot))[0]
    calls = await bot.press(data_of(reminder, "Snooze 1h"), ALICE)
    assert "remind you again at 11:00" in calls[0].text  # 10:00 in Shanghai + 1 h
    assert (await lead_by_id(sessionmaker, lead_id)).next_followup_at == bot.clock() + timedelta(
        hours=1
    )
    bot.clock.advance(minutes=59)
    assert await tick(bot) == []
    bot.clock.advance(minutes=1)
    again = await tick(bot)
    assert len(again) == 1 and "Follow up now: #1 Ann" in again[0].text


async def test_tomorrow_moves_the_follow_up_to_9_next_morning_local(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    reminder = (await tick(bot))[0]
    calls = await bot.press(data_of(reminder, "Tomorrow"), ALICE)
    assert "moved to tomorrow, Thu 26 Nov 09:00" in calls[0].text
    lead = await lead_by_id(sessionmaker, lead_id)
    assert lead.next_followup_at == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


async def test_someone_else_pressing_the_button_learns_nothing_and_changes_nothing(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    reminder = (await tick(bot))[0]
    calls = await bot.press(data_of(reminder, "Done ✓"), BOB)
    assert "can't find that lead" in calls[0].text
    assert len(await lead_events(sessionmaker, lead_id)) == 1  # only "created"


async def test_a_follow_up_due_at_night_is_reminded_at_the_end_of_quiet_hours(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    bot.clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    await alice_with_lead(bot, sessionmaker, next_followup_at=bot.clock())
    assert await tick(bot) == []
    bot.clock.now = datetime(2026, 11, 25, 23, 59, tzinfo=UTC)  # 07:59
    assert await tick(bot) == []
    bot.clock.now = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 08:00
    sent = await tick(bot)
    assert len(sent) == 1 and "Follow up now" in sent[0].text


def join_code(text: str) -> str:
    match = re.search(r"start=join_([\w-]+)", text)
    assert match, text
    return match.group(1)


async def test_managers_get_a_copy_at_3_days_overdue_and_can_reassign_at_7(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal", ALICE))
    await bot.send("/lang en", ALICE)
    await bot.send(f"/start join_{code}", BOB)
    await bot.send(f"/start join_{code}", CAROL)
    for user in (ALICE, BOB, CAROL):  # this team works every day; +3 days is a Saturday
        await bot.send("/settings days 1-7", user)
    team = await team_of(sessionmaker, ALICE)
    bob = await person_by_tg(sessionmaker, BOB.id)
    lead = await make_lead(
        sessionmaker, team, bob, name="Dora", grade="A", next_followup_at=bot.clock()
    )
    first = about(await tick(bot), "Dora")
    assert [int(call.params["chat_id"]) for call in first] == [BOB.id]  # the rep only

    bot.clock.advance(days=1)
    second = about(await tick(bot), "Dora")
    assert [int(c.params["chat_id"]) for c in second] == [BOB.id]
    assert "1 day overdue" in second[0].text

    bot.clock.advance(days=2)
    third = about(await tick(bot), "Dora")
    to_alice = [call for call in third if int(call.params["chat_id"]) == ALICE.id]
    assert len(to_alice) == 1 and "#1 Dora</b> is 3 days overdue (Bob)" in to_alice[0].text
    assert [item["text"] for item in buttons(to_alice[0])] == ["Open lead"]

    bot.clock.advance(days=4)
    fourth = about(await tick(bot), "Dora")
    to_alice = [call for call in fourth if int(call.params["chat_id"]) == ALICE.id]
    assert "7 days overdue" in to_alice[0].text
    choose = await bot.press(data_of(to_alice[0], "Reassign"), ALICE)
    assert "Who should take over" in choose[0].text
    assert [item["text"] for item in buttons(choose[0])] == ["Alice", "Carol"]
    assert "Reassign" not in str(await bot.press(data_of(choose[0], "Carol"), BOB))  # a rep can't
    done = await bot.press(data_of(choose[0], "Carol"), ALICE)
    assert "now belongs to Carol" in done[0].text
    assert int(done[1].params["chat_id"]) == CAROL.id and "现在归你了" in done[1].text
    stored = await lead_by_id(sessionmaker, lead.id or 0)
    carol = await person_by_tg(sessionmaker, CAROL.id)
    assert stored.owner_id == carol.id
    assert events.ASSIGNED in [
        event.kind for event in await lead_events(sessionmaker, lead.id or 0)
    ]


async def test_a_follow_up_the_rep_set_for_late_evening_still_rings_at_that_time(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    bot.clock.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    lead_id = await alice_with_lead(bot, sessionmaker, next_followup_at=bot.clock())
    lead = await lead_by_id(sessionmaker, lead_id)
    async with transaction(sessionmaker) as session:  # as /fu 12 23:00 records it
        add_event(session, lead, events.FOLLOWUP, bot.clock(), to_value=bot.clock().isoformat(),
                  payload={"reason": "manual"})  # fmt: skip
    sent = await tick(bot)
    assert len(sent) == 1 and "Follow up now: #1 Ann" in sent[0].text
