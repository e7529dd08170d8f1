import re

from tests.harness import ALICE, BOB, CAROL, Harness


def join_code(text: str) -> str:
    match = re.search(r"start=join_([\w-]+)", text)
    assert match, text
    return match.group(1)


async def test_newteam_makes_the_sender_owner_and_returns_a_deep_link(bot: Harness) -> None:
    text = await bot.reply_text("/newteam 婚纱一组")
    assert "婚纱一组" in text and "所有者" in text
    assert "https://t.me/sales_assistant_bot?start=join_" in text


async def test_a_colleague_joins_by_the_link_and_joining_twice_is_harmless(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    assert "You joined the team “Bridal”" in await bot.reply_text(f"/start join_{code}", BOB)
    assert "already a member" in await bot.reply_text(f"/start join_{code}", BOB)


async def test_unknown_and_single_use_codes_get_clear_messages(bot: Harness) -> None:
    await bot.send("/newteam Bridal")
    once = join_code(await bot.reply_text("/invite once"))
    assert "don't know this invite code" in await bot.reply_text("/start join_nope", BOB)
    assert "加入团队" in await bot.reply_text(f"/start join_{once}", CAROL)
    assert "already been used" in await bot.reply_text(f"/start join_{once}", BOB)


async def test_expired_invites_are_refused(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    bot.clock.advance(days=8)
    assert "expired" in await bot.reply_text(f"/start join_{code}", BOB)


async def test_only_managers_invite_and_personal_spaces_have_no_invites(bot: Harness) -> None:
    assert "/newteam" in await bot.reply_text("/invite", BOB)
    code = join_code(await bot.reply_text("/newteam Bridal", ALICE))
    await bot.send(f"/start join_{code}", BOB)
    assert "owner or a manager" in await bot.reply_text("/invite", BOB)


async def test_newteam_needs_a_sensible_name(bot: Harness) -> None:
    assert "/newteam Bridal A" in await bot.reply_text("/newteam", BOB)
    assert "too long" in await bot.reply_text("/newteam " + "x" * 80, BOB)
