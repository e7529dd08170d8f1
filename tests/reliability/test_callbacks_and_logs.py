"""Buttons that were forged or pressed again, updates delivered twice, and what logs keep."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from assistant.db.session import Sessionmaker
from assistant.domain import events
from assistant.logs import RedactingFormatter
from assistant.tg.keyboards import Signer
from tests.e2e.test_reminders import alice_with_lead, data_of
from tests.harness import ALICE, BOB, Harness, tick
from tests.helpers import lead_by_id, lead_events


def _contacts(rows: list[object]) -> int:
    return sum(1 for row in rows if getattr(row, "kind", None) == events.CONTACT)


async def test_pressing_done_twice_logs_one_contact_and_moves_the_follow_up_once(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    done = data_of((await tick(bot))[0], "Done ✓")
    await bot.press(done, ALICE)
    after_first = await lead_by_id(sessionmaker, lead_id)
    bot.clock.advance(minutes=5)
    await bot.press(done, ALICE)  # the same button again, a little later
    after_second = await lead_by_id(sessionmaker, lead_id)
    assert _contacts(await lead_events(sessionmaker, lead_id)) == 1
    assert after_second.next_followup_at == after_first.next_followup_at


async def test_a_forged_or_altered_button_is_refused_and_changes_nothing(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    done = data_of((await tick(bot))[0], "Done ✓")
    payload, _, mac = done.rpartition("|")
    forged = [
        f"{payload}0|{mac}",  # another lead id with the old signature
        Signer(b"not the bot's key").sign(*payload.split(":")),
        payload,  # no signature at all
        "fu_done:1|AAAAAAAA",
        "",
        "x" * 64,
    ]
    for data in forged:
        calls = await bot.press(data, ALICE)
        texts = " ".join(call.text for call in calls)
        assert "button" in texts.lower() or "按钮" in texts, data
    assert _contacts(await lead_events(sessionmaker, lead_id)) == 0


async def test_another_persons_valid_button_does_not_touch_the_lead(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    lead_id = await alice_with_lead(bot, sessionmaker)
    done = data_of((await tick(bot))[0], "Done ✓")
    await bot.press(done, BOB)  # Bob is in no team with Alice
    assert _contacts(await lead_events(sessionmaker, lead_id)) == 0


async def test_an_update_telegram_delivers_twice_is_applied_once(bot: Harness) -> None:
    message = bot._message("/newteam Twice Co", ALICE, None)
    first = await bot.process({"message": message}, update_id=777)
    second = await bot.process({"message": message}, update_id=777)
    assert first and not second
    listing = await bot.reply_text("/members", ALICE)
    assert listing.count("Alice") == 1


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


async def test_debug_logs_of_a_conversation_hold_no_token_phone_number_or_message_text(
    bot: Harness, debug_log: io.StringIO
) -> None:
    secret_words = "紫色长颈鹿在跳舞"
    phone = "+86 139 1234 5678"
    await bot.send("/start", ALICE)
    await bot.send(f"/newteam {secret_words}", ALICE)
    await bot.send(f"{secret_words} {phone}", ALICE)
    await bot.send(f"/numbers leads 3 {phone}", ALICE)
    await bot.press("fu_done:1|forged", ALICE)
    logged = debug_log.getvalue()
    assert logged  # DEBUG logging was on and something was written
    assert bot.app.bot.token not in logged
    assert "13912345678" not in logged.replace(" ", "") and "1234 5678" not in logged
    assert secret_words not in logged
