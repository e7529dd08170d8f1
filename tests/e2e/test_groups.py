"""A team's group chat: /link, the leaderboard over a simulated week, and leaving the group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.db.session import transaction
from assistant.domain import events
from assistant.services.group_posts import leaderboard_post
from assistant.tg.offline import BOT_USER
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User, tick
from tests.helpers import (
    add_events,
    add_leads,
    leads_by_number,
    person_of,
    sessionmaker_of,
    team_named,
)

DAVE = User(1004, "Dave", "en", "dave")  # manager of another team, also in the group
EVE = User(1005, "Eve", "en", "eve")  # in the group, in no team
GROUP = {"id": -1001234, "type": "supergroup", "title": "Bridal sales"}
SH = ZoneInfo("Asia/Shanghai")
CLIENT_DETAILS = ("王女士", "13800138000", "wx_wang", "Mr Client")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=SH).astimezone(UTC)


def due(day: int, hour: int) -> str:
    return at(day, hour).isoformat()


async def in_group(bot: Harness, text: str, user: User = ALICE) -> str:
    calls = await bot.send(text, user, chat=GROUP)
    assert all(call.params["chat_id"] == GROUP["id"] for call in calls)
    return "\n".join(call.text for call in calls)


async def _week_of_work(bot: Harness) -> None:
    """Alice owns Bridal; Bob and Carol are reps; Dave runs another team. Mon–Wed of a week."""
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in (BOB, CAROL):
        await bot.send(f"/start join_{code}", user)
    await bot.send("/newteam Rivals", DAVE)
    maker = sessionmaker_of(bot)
    team = await team_named(bot, "Bridal")
    rivals = await team_named(bot, "Rivals")
    bob, carol, dave = [await person_of(bot, u) for u in (BOB, CAROL, DAVE)]
    await add_leads(maker, team_id=team.id or 0, owner_id=bob.id, count=2, now=at(23, 9))
    await add_leads(maker, team_id=team.id or 0, owner_id=carol.id, count=1, now=at(23, 9),
                    name="Mr Client", phone="+8613800138000")  # fmt: skip
    await add_leads(maker, team_id=rivals.id or 0, owner_id=dave.id, count=1, now=at(23, 9))
    leads = await leads_by_number(maker, team.id or 0)
    # Bob: a follow-up due every day Mon-Wed, each done on time; a visit and a deal.
    await add_events(maker, leads[1],
        (events.CONTACT, at(23, 10), None), (events.FOLLOWUP, at(23, 10), due(24, 10)),
        (events.CONTACT, at(24, 9), None), (events.FOLLOWUP, at(24, 9), due(25, 9)),
        (events.STAGE, at(24, 15), "visited"),
        (events.CONTACT, at(25, 8), None), (events.STAGE, at(25, 9), "won"),
    )  # fmt: skip
    await add_events(maker, leads[2],
        (events.FOLLOWUP, at(23, 9), due(23, 16)), (events.CONTACT, at(23, 15), None),
    )  # fmt: skip
    # Carol: three contacts, one follow-up done a day late.
    await add_events(maker, leads[3],
        (events.CONTACT, at(23, 11), None), (events.FOLLOWUP, at(23, 11), due(24, 11)),
        (events.CONTACT, at(25, 9), None), (events.CONTACT, at(25, 9), None),
    )  # fmt: skip
    rival_leads = await leads_by_number(maker, rivals.id or 0)
    await add_events(maker, rival_leads[1], *[(events.STAGE, at(24, 10), "won")] * 5)


async def test_a_week_of_work_shows_exact_points_and_streaks_and_no_client_details(
    bot: Harness,
) -> None:
    await _week_of_work(bot)
    assert "已绑定团队「Bridal」" in await in_group(bot, "/link")
    week = await in_group(bot, "/leaderboard week", BOB)
    lines = week.split("\n")
    bob_line = next(i for i, line in enumerate(lines) if "Bob" in line)
    # Bob: 4 contacts, 3 on time (Mon, Tue, Wed), 1 visit, 1 deal = 4 + 9 + 5 + 10 = 28.
    assert lines[bob_line].startswith("🥇 Bob — <b>28</b> pts · 🔥 3-day streak")
    assert "on-time follow-ups 3 · contacts 4 · visits 1 · deals 1" in lines[bob_line + 1]
    carol_line = next(i for i, line in enumerate(lines) if "Carol" in line)
    assert lines[carol_line].startswith("🥈 Carol — <b>3</b> pts")
    assert "streak" not in lines[carol_line]
    assert "3. Alice — <b>0</b> pts" in week
    assert "Dave" not in week and "Eve" not in week
    today = await in_group(bot, "/leaderboard", EVE)
    assert "Bob — <b>14</b> pts" in today  # Wednesday: a contact, an on-time follow-up, a deal
    for text in (week, today, await in_group(bot, "/leaderboard month", DAVE)):
        assert not any(detail in text for detail in CLIENT_DETAILS)


async def test_only_a_manager_of_a_real_team_links_a_group(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    await bot.send(f"/start join_{code}", BOB)
    assert "owner or a manager" in await in_group(bot, "/link", BOB)
    assert "个人空间不能绑定群组" in await in_group(bot, "/link", CAROL)
    assert "not linked to a team yet" in await in_group(bot, "/leaderboard", BOB)
    assert "请在团队群里发送" in await bot.reply_text("/link")
    assert "/leaderboard 本周" in await in_group(bot, "/leaderboard year")


async def test_removing_the_bot_from_the_group_stops_the_posts(bot: Harness) -> None:
    await _week_of_work(bot)
    await in_group(bot, "/link")
    maker = sessionmaker_of(bot)
    async with transaction(maker) as session:
        post = await leaderboard_post(session, group_chat_id=GROUP["id"], period="day",
                                      now=bot.clock())  # fmt: skip
    assert post is not None and post.template == "leaderboard" and post.locale == "zh-Hans"
    kicked = {
        "chat": GROUP,
        "from": ALICE.as_json(),
        "date": int(bot.clock().timestamp()),
        "old_chat_member": {"user": BOT_USER, "status": "member"},
        "new_chat_member": {"user": BOT_USER, "status": "kicked", "until_date": 0},
    }
    assert await bot.process({"my_chat_member": kicked}) == []
    async with transaction(maker) as session:
        assert (
            await leaderboard_post(
                session,
                group_chat_id=GROUP["id"],
                period="day",
                now=bot.clock() + timedelta(days=1),
            )
        ) is None
    assert "not linked" in await in_group(bot, "/leaderboard", BOB)


async def test_adding_the_bot_to_a_group_says_how_to_link_it(bot: Harness) -> None:
    added = {
        "chat": GROUP,
        "from": ALICE.as_json(),
        "date": int(bot.clock().timestamp()),
        "old_chat_member": {"user": BOT_USER, "status": "left"},
        "new_chat_member": {"user": BOT_USER, "status": "member"},
    }
    calls = await bot.process({"my_chat_member": added})
    assert calls[0].params["chat_id"] == GROUP["id"] and "/link" in calls[0].text


async def test_a_manager_unlinks_the_group_and_a_rep_cannot(bot: Harness) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    await bot.send(f"/start join_{code}", BOB)
    await in_group(bot, "/link")
    assert "owner or a manager" in await in_group(bot, "/unlink", BOB)
    assert "已解除" in await in_group(bot, "/unlink")
    async with transaction(sessionmaker_of(bot)) as session:
        post = await leaderboard_post(session, group_chat_id=GROUP["id"], period="week",
                                      now=bot.clock())  # fmt: skip
    assert post is None


async def test_a_manager_of_another_team_cannot_take_over_a_linked_group(bot: Harness) -> None:
    await bot.send("/newteam Bridal")
    await bot.send("/newteam Rivals", DAVE)
    await in_group(bot, "/link")
    assert "already linked to another team" in await in_group(bot, "/link", DAVE)
    assert "<b>Bridal</b>" in await in_group(bot, "/leaderboard", DAVE)
    assert "owner or a manager" in await in_group(bot, "/unlink", DAVE)


OLD_GROUP = {"id": -4518810793, "type": "group", "title": "Bridal sales"}
SUPERGROUP = {"id": -1002471352452, "type": "supergroup", "title": "Bridal sales"}


def migration_notice(bot: Harness, chat: dict[str, object], **ids: int) -> dict[str, object]:
    """The service message Telegram sends in each chat when a group becomes a supergroup."""
    message = {"message_id": 900, "date": int(bot.clock().timestamp()), "chat": chat,
               "from": ALICE.as_json(), **ids}  # fmt: skip
    return {"message": message}


@pytest.mark.parametrize("old_chat_first", [True, False])
async def test_a_group_upgraded_to_a_supergroup_keeps_its_link_and_posts_under_the_new_id(
    bot: Harness, old_chat_first: bool
) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    await bot.send(f"/start join_{code}", BOB)
    await bot.send("/link", ALICE, chat=OLD_GROUP)
    bot.clock.now = at(25, 18)
    assert [call.params["chat_id"] for call in await tick(bot)] == [OLD_GROUP["id"]]
    notices = [
        migration_notice(bot, OLD_GROUP, migrate_to_chat_id=SUPERGROUP["id"]),
        migration_notice(bot, SUPERGROUP, migrate_from_chat_id=OLD_GROUP["id"]),
    ]
    for notice in notices if old_chat_first else notices[::-1]:
        assert await bot.process(notice) == []  # silent; the second finds nothing left to move
    calls = await bot.send("/leaderboard", BOB, chat=SUPERGROUP)
    assert "<b>Bridal</b>" in calls[0].text
    bot.clock.advance(minutes=30)
    assert await tick(bot) == []  # today's board was posted before the upgrade
    bot.clock.now = at(26, 18)
    sent = await tick(bot)
    assert [call.params["chat_id"] for call in sent] == [SUPERGROUP["id"]]
    assert "<b>Bridal</b>" in sent[0].text


async def test_an_upgrade_notice_after_the_supergroup_was_linked_by_hand_keeps_that_link(
    bot: Harness,
) -> None:
    await bot.send("/newteam Bridal")
    await bot.send("/link", ALICE, chat=OLD_GROUP)
    await bot.send("/link", ALICE, chat=SUPERGROUP)
    notice = migration_notice(bot, OLD_GROUP, migrate_to_chat_id=SUPERGROUP["id"])
    assert await bot.process(notice) == []
    assert "<b>Bridal</b>" in (await bot.send("/leaderboard", ALICE, chat=SUPERGROUP))[0].text
    assert "还没有绑定" in (await bot.send("/leaderboard", ALICE, chat=OLD_GROUP))[0].text
