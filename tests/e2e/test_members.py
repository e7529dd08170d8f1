"""/members, /role, /remove and invite management, as a team would use them."""

from __future__ import annotations

from assistant.domain import events
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User, buttons
from tests.helpers import (
    add_leads,
    events_of,
    leads_by_number,
    person_of,
    sessionmaker_of,
    team_named,
)

DAVE = User(1004, "Dave", "en", "dave")


async def make_team(bot: Harness, *members: User) -> str:
    """Alice owns "Bridal"; the given users join it by the invite link. Returns the code."""
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in members:
        await bot.send(f"/start join_{code}", user)
    return code


async def test_members_lists_everyone_with_numbers_roles_and_lead_counts(bot: Harness) -> None:
    await make_team(bot, BOB, DAVE)
    team = await team_named(bot, "Bridal")
    bob = await person_of(bot, BOB)
    await add_leads(
        sessionmaker_of(bot), team_id=team.id or 0, owner_id=bob.id, count=2, now=bot.clock()
    )
    text = await bot.reply_text("/members", BOB)
    assert "1. Alice — owner, 0 leads" in text
    assert "2. Bob — rep, 2 leads (you)" in text
    assert "3. Dave (@dave) — rep, 0 leads" in text


async def test_owner_promotes_by_number_username_or_name_and_the_member_is_told(
    bot: Harness,
) -> None:
    await make_team(bot, BOB, DAVE)
    calls = await bot.send("/role @dave manager")
    assert "Dave（@dave） 现在是经理（原为销售）" in calls[0].text
    assert calls[1].params["chat_id"] == DAVE.id and "made you manager" in calls[1].text
    assert "现在是经理" in await bot.reply_text("/role 2 经理")
    assert "现在是销售" in await bot.reply_text("/role bob rep")


async def test_only_the_owner_changes_roles_and_the_last_owner_stays(bot: Harness) -> None:
    await make_team(bot, BOB, DAVE)
    await bot.send("/role dave manager")
    assert "Only the team's owner" in await bot.reply_text("/role 2 manager", DAVE)
    assert "Only the team's owner" in await bot.reply_text("/role 3 rep", BOB)
    assert "唯一的所有者" in await bot.reply_text("/role me rep")
    await bot.send("/role dave owner")
    assert "现在是销售" in await bot.reply_text("/role me rep")
    assert "Alice is now rep" not in await bot.reply_text("/members", DAVE)


async def test_bad_role_and_unknown_member_answer_with_examples(bot: Harness) -> None:
    await make_team(bot, BOB)
    assert "/role 2 经理" in await bot.reply_text("/role bob boss")
    assert "没有成员「zed」" in await bot.reply_text("/role zed rep")
    assert "/role 小王 销售" in await bot.reply_text("/role")
    assert "没有成员「9」" in await bot.reply_text("/role 9 rep")


async def test_removed_members_leads_go_to_the_pool_with_an_assigned_event_each(
    bot: Harness,
) -> None:
    await make_team(bot, BOB, CAROL)
    team = await team_named(bot, "Bridal")
    bob = await person_of(bot, BOB)
    maker = sessionmaker_of(bot)
    numbers = await add_leads(
        maker, team_id=team.id or 0, owner_id=bob.id, count=3, now=bot.clock()
    )
    calls = await bot.send("/remove bob")
    assert "其 3 条线索（#1、#2、#3）连同历史记录已转入团队线索池" in calls[0].text
    assert calls[1].params["chat_id"] == BOB.id and "no longer a member" in calls[1].text
    leads = await leads_by_number(maker, team.id or 0)
    assert [leads[n].owner_id for n in numbers] == [None, None, None]
    assigned = await events_of(maker, team.id or 0, events.ASSIGNED)
    assert sorted((e.from_value, e.to_value) for e in assigned) == [(str(bob.id), None)] * 3
    assert "Bob" not in await bot.reply_text("/members")
    # Bob is back in his personal space and sees nothing of the team.
    assert "personal space" in await bot.reply_text("/members", BOB)


async def test_managers_remove_reps_but_not_owners_or_managers(bot: Harness) -> None:
    await make_team(bot, BOB, CAROL, DAVE)
    await bot.send("/role dave manager")
    assert "Only the team's owner" in await bot.reply_text("/remove me", DAVE)
    assert "owner or a manager" in await bot.reply_text("/remove carol", BOB)
    assert "was removed" in await bot.reply_text("/remove carol", DAVE)
    assert "Only the team's owner" in await bot.reply_text("/remove 1", DAVE)
    assert "唯一的所有者" in await bot.reply_text("/remove me")


async def test_invites_can_be_listed_revoked_by_code_or_button_and_then_refuse_joining(
    bot: Harness,
) -> None:
    code = await make_team(bot)
    once = join_code(await bot.reply_text("/invite once 2d"))
    calls = await bot.send("/invite list")
    assert code in calls[0].text and once in calls[0].text and "一次性" in calls[0].text
    revoke_buttons = buttons(calls[0])
    assert len(revoke_buttons) == 2
    assert "已撤销" in await bot.reply_text(f"/invite revoke {code}")
    assert "revoked" in await bot.reply_text(f"/start join_{code}", BOB)
    pressed = await bot.press(revoke_buttons[1]["callback_data"])
    assert "已撤销" in pressed[0].text
    assert "已被撤销" in await bot.reply_text(f"/start join_{once}", CAROL)
    assert "暂无" in await bot.reply_text("/invite list")


async def test_invite_validity_is_checked_and_expired_links_disappear_from_the_list(
    bot: Harness,
) -> None:
    await make_team(bot)
    assert "/invite 3天" in await bot.reply_text("/invite 99d")
    short = join_code(await bot.reply_text("/invite 1d"))
    bot.clock.advance(days=2)
    assert short not in await bot.reply_text("/invite list")
    assert "expired" in await bot.reply_text(f"/start join_{short}", BOB)
    assert "没有邀请码「nope」" in await bot.reply_text("/invite revoke nope")


async def test_a_revoke_button_stops_working_for_a_manager_who_was_demoted(bot: Harness) -> None:
    code = await make_team(bot, DAVE)
    await bot.send("/role dave manager")
    listing = await bot.send("/invite list", DAVE)
    data = buttons(listing[0])[0]["callback_data"]
    await bot.send("/role dave rep")
    pressed = await bot.press(data, DAVE)
    assert "owner or a manager" in pressed[0].text
    assert "加入团队" in await bot.reply_text(f"/start join_{code}", CAROL)
    forged = await bot.press(data.replace("ir:", "ir:9"), ALICE)
    assert "按钮已失效" in forged[0].text
