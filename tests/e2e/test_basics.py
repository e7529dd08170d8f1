from sqlmodel import select

from assistant.db.models import Person
from tests.harness import ALICE, BOB, Harness


async def test_start_greets_in_chinese_by_default_and_names_a_first_command(bot: Harness) -> None:
    text = await bot.reply_text("/start")
    assert "你好，Alice" in text
    assert "/add" in text and "/help" in text
    assert len(text.splitlines()) == 3


async def test_start_greets_english_clients_in_english(bot: Harness) -> None:
    text = await bot.reply_text("/start", BOB)
    assert text.startswith("👋 Hi Bob")


async def test_start_creates_one_profile_even_when_sent_twice(bot: Harness) -> None:
    await bot.send("/start")
    await bot.send("/start")
    sessionmaker = bot.app.bot_data["app"].sessionmaker
    async with sessionmaker() as session:
        people = (await session.exec(select(Person))).all()
    assert [person.tg_user_id for person in people] == [ALICE.id]


async def test_help_lists_commands_grouped_by_task(bot: Harness) -> None:
    text = await bot.reply_text("/help", BOB)
    assert "Getting started and settings" in text and "Teams" in text
    assert "/tz" in text and "/newteam" in text


async def test_lang_switches_every_later_reply(bot: Harness) -> None:
    assert "English" in await bot.reply_text("/lang en")
    assert "My settings" in await bot.reply_text("/settings")
    assert "中文" in await bot.reply_text("/lang zh")
    assert "我的设置" in await bot.reply_text("/settings")


async def test_lang_with_an_unknown_language_says_what_to_type(bot: Harness) -> None:
    text = await bot.reply_text("/lang klingon", BOB)
    assert "klingon" in text and "/lang en" in text
    assert "/lang en" in await bot.reply_text("/lang", BOB)


async def test_tz_accepts_zone_city_and_offset(bot: Harness) -> None:
    assert "Asia/Tokyo (UTC+9)" in await bot.reply_text("/tz Tokyo", BOB)
    assert "America/New_York (UTC-5)" in await bot.reply_text("/tz America/New_York", BOB)
    assert "<b>UTC+8</b>" in await bot.reply_text("/tz +8", BOB)
    assert "<b>UTC+8</b>" in await bot.reply_text("/tz", BOB)
    # In Chinese a zone reads as a city and its offset, never as an IANA name.
    assert "<b>东京（UTC+9）</b>" in await bot.reply_text("/tz 东京")
    assert "<b>北京（UTC+8）</b>" in await bot.reply_text("/tz Asia/Shanghai")


async def test_tz_rejects_unknown_zones_with_examples_and_keeps_the_old_one(bot: Harness) -> None:
    await bot.send("/tz Tokyo", BOB)
    text = await bot.reply_text("/tz Atlantis", BOB)
    assert "Atlantis" in text and "/tz Asia/Shanghai" in text
    assert "Asia/Tokyo" in await bot.reply_text("/tz", BOB)


async def test_settings_show_defaults_and_change_each_value(bot: Harness) -> None:
    text = await bot.reply_text("/settings", BOB)
    assert "480 minutes" in text and "Mon, Tue, Wed, Thu, Fri" in text
    assert "22:00–08:00" in text and "09:00" in text
    assert "420 minutes" in await bot.reply_text("/settings minutes 7h", BOB)
    assert "Sat" in await bot.reply_text("/settings days mon-sat", BOB)
    assert "23:00–07:00" in await bot.reply_text("/settings quiet 23:00-07:00", BOB)
    assert "Morning briefing: 08:30" in await bot.reply_text("/settings morning 8:30", BOB)
    assert "Evening review: off" in await bot.reply_text("/settings evening off", BOB)


async def test_bad_settings_are_explained_and_nothing_changes(bot: Harness) -> None:
    assert "30–960" in await bot.reply_text("/settings minutes 5000", BOB)
    assert "/settings days 1-5" in await bot.reply_text("/settings days funday", BOB)
    assert "start and end must differ" in await bot.reply_text("/settings quiet 22-22", BOB)
    assert "24-hour" in await bot.reply_text("/settings morning 25:00", BOB)
    assert "minutes, days, quiet" in await bot.reply_text("/settings colour blue", BOB)
    assert "minutes, days, quiet" in await bot.reply_text("/settings minutes", BOB)
    text = await bot.reply_text("/settings", BOB)
    assert "480 minutes" in text and "22:00–08:00" in text


async def test_unknown_commands_and_plain_text_point_to_help(bot: Harness) -> None:
    assert "/help" in await bot.reply_text("/frobnicate", BOB)
    assert "/help" in await bot.reply_text("hello there", BOB)


async def test_a_redelivered_update_is_processed_once(bot: Harness) -> None:
    body = {"message": bot._message("/settings minutes 300", BOB, None)}
    first = await bot.process(body, update_id=777)
    second = await bot.process(body, update_id=777)
    assert len(first) == 1 and second == []


async def test_names_with_html_are_shown_escaped(bot: Harness) -> None:
    from tests.harness import User

    calls = await bot.send("/start", User(2001, "<i>Eve</i>", "en"))
    assert "&lt;i&gt;Eve&lt;/i&gt;" in calls[0].text
    assert calls[0].params["parse_mode"] == "HTML"
