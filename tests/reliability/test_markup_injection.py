"""Whatever people type or call themselves is shown as text, never as Telegram HTML."""

from __future__ import annotations

from tests.harness import ALICE, Harness, User

EVIL = '<b>boss</b><a href="tg://user?id=1">x</a> & <i>'
ESCAPED = "&lt;b&gt;boss&lt;/b&gt;"


def _texts(calls: list[object]) -> str:
    return "\n".join(str(getattr(call, "text", "")) for call in calls)


async def _say(bot: Harness, text: str, user: User) -> str:
    return _texts(await bot.send(text, user))


async def test_names_team_names_and_echoed_input_are_escaped_everywhere(bot: Harness) -> None:
    mallory = User(1666, EVIL, "en", username="mallory")
    seen: dict[str, str] = {}
    seen["/start"] = await _say(bot, "/start", mallory)
    seen["/newteam"] = await _say(bot, f"/newteam {EVIL}", mallory)
    seen["/members"] = await _say(bot, "/members", mallory)
    seen["/invite"] = await _say(bot, "/invite", mallory)
    seen["/numbers"] = await _say(bot, f"/numbers {EVIL}", mallory)
    seen["/numbers day"] = await _say(bot, f"/numbers clicks 3 {EVIL}", mallory)
    seen["/summary"] = await _say(bot, f"/summary {EVIL}", mallory)
    seen["/tz"] = await _say(bot, f"/tz {EVIL}", mallory)
    seen["/settings"] = await _say(bot, f"/settings name {EVIL}", mallory)
    seen["/script add"] = await _say(bot, f"/script add 太贵 | {EVIL} {{{{ name }}}}", mallory)
    seen["/script add bad"] = await _say(bot, f"/script add {EVIL} | hello", mallory)
    seen["/script"] = await _say(bot, "/script 太贵", mallory)
    seen["/goal"] = await _say(bot, f"/goal {EVIL}", mallory)
    seen["/targets"] = await _say(bot, f"/targets {EVIL}", mallory)
    seen["/leaderboard"] = await _say(bot, "/leaderboard", mallory)
    seen["/role"] = await _say(bot, f"/role {EVIL} rep", mallory)
    seen["text"] = await _say(bot, EVIL, mallory)
    for where, text in seen.items():
        assert text, where  # every step answered
        assert "<b>boss" not in text and 'href="tg://user' not in text, where
    echoed = [where for where, text in seen.items() if ESCAPED in text]
    assert {"/start", "/newteam", "/members"} <= set(echoed), echoed


async def test_a_member_with_a_markup_name_is_listed_escaped_to_the_manager(bot: Harness) -> None:
    await bot.send("/newteam Shop", ALICE)
    invite = await _say(bot, "/invite", ALICE)
    start = invite.split("?start=", 1)[1].split()[0]
    mallory = User(1667, EVIL, "en")
    await bot.send(f"/start {start}", mallory)
    listing = await _say(bot, "/members", ALICE)
    assert "2. " + ESCAPED in listing  # Mallory joined and is listed, as text
    assert "<b>boss" not in listing and 'href="tg://user' not in listing
