"""/today and /activate suggest scripts from the library (and the team's own) for each lead."""

from datetime import date, timedelta

from assistant.db.models import Team
from assistant.db.session import Sessionmaker
from assistant.services.scripts import suggest_for_lead
from tests.harness import BOB, Harness
from tests.helpers import lead_by_id, make_lead, person_by_tg, team_of


async def _bob_team(bot: Harness, sessionmaker: Sessionmaker) -> Team:
    await bot.send("/start", BOB)
    return await team_of(sessionmaker, BOB)


async def test_today_shows_the_library_script_that_fits_each_lead(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    team = await _bob_team(bot, sessionmaker)
    bob = await person_by_tg(sessionmaker, BOB.id)
    made = await make_lead(
        sessionmaker, team, bob, name="Ann", grade="B", stage="valid", event_date=date(2027, 4, 1)
    )
    lead = await lead_by_id(sessionmaker, made.id or 0)
    expected = suggest_for_lead(
        lead,
        locale="en",
        rep_name="Bob",
        team_settings=team.settings,
        pipeline=team.pipeline,
        team_name=None,
        now=bot.clock(),
    )
    assert expected is not None
    text = await bot.reply_text("/today", BOB)
    first_line = expected.text.split("\n")[0]
    from html import unescape

    assert first_line in unescape(text)


async def test_d_leads_and_activation_batches_get_light_touch_scripts(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    team = await _bob_team(bot, sessionmaker)
    bob = await person_by_tg(sessionmaker, BOB.id)
    quiet_since = bot.clock() - timedelta(days=20)
    made = await make_lead(
        sessionmaker,
        team,
        bob,
        name="Dora",
        grade="D",
        last_contact_at=quiet_since,
        created_at=quiet_since,
    )
    lead = await lead_by_id(sessionmaker, made.id or 0)
    expected = suggest_for_lead(
        lead,
        locale="en",
        rep_name="Bob",
        team_settings=team.settings,
        pipeline=team.pipeline,
        team_name=None,
        now=bot.clock(),
        light=True,
    )
    assert expected is not None and expected.script.situation == "light_touch"
    from html import escape

    snippet = escape(expected.text.split("\n")[0], quote=False)
    assert snippet in await bot.reply_text("/today", BOB)
    assert snippet in await bot.reply_text("/activate", BOB)
