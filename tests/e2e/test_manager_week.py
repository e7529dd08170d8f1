"""A manager's week (issue 8, "done when"): a team of three works leads Monday to Friday;
/team week, the manager digest and the group leaderboard posts show exactly the expected
figures, and never a client's name, phone or WeChat id."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from assistant.db.models import Lead, Membership, Outbox, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.services.team_view import SORTS
from assistant.tg.offline import Call
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User, buttons, tick
from tests.helpers import add_lead, contact, move

SH = ZoneInfo("Asia/Shanghai")
CAROL_AT = User(CAROL.id, CAROL.first_name, CAROL.language_code, "carol")
GROUP = {"id": -1005550, "type": "supergroup", "title": "Bridal sales"}
CLIENT_DETAILS = ("王女士", "13800138000", "wx_wang", "Mr Client")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in the week of Monday 23 November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SH).astimezone(UTC)


def to(calls: list[Call], user_or_chat: User | dict[str, object], marker: str) -> list[str]:
    chat = user_or_chat.id if isinstance(user_or_chat, User) else user_or_chat["id"]
    return [c.text for c in calls if int(c.params["chat_id"]) == chat and marker in c.text]


async def ids(maker: Sessionmaker) -> tuple[int, int, int, int]:
    async with maker() as session:
        people = {p.tg_user_id: p.id or 0 for p in (await session.exec(select(Person))).all()}
        team = (await session.exec(select(Team).where(Team.name == "Bridal"))).one()
    return team.id or 0, people[ALICE.id], people[BOB.id], people[CAROL.id]


async def _clients(maker: Sessionmaker) -> None:
    """Bob: 3 leads on Monday; Carol: 2 on Tuesday. Stage moves and contacts through Friday."""
    team_id, _, bob_id, carol_id = await ids(maker)
    async with transaction(maker) as session:
        team = await session.get(Team, team_id)
        bob = await session.get(Person, bob_id)
        carol = await session.get(Person, carol_id)
        assert team is not None and bob is not None and carol is not None
        one, two, three = [await add_lead(session, team, bob, at(23, 9), name="王女士")
                           for _ in range(3)]  # fmt: skip
        four, five = [await add_lead(session, team, carol, at(24, 9), name="Mr Client")
                      for _ in range(2)]  # fmt: skip
        for lead in (one, two, three, four, five):
            lead.phone, lead.wechat = "+8613800138000", "wx_wang"
        await contact(session, one, at(23, 10))
        await move(session, one, "valid", at(23, 11))
        await move(session, one, "visited", at(25, 15))
        await move(session, one, "won", at(26, 16), amount=8000)
        await contact(session, two, at(23, 10))
        await contact(session, two, at(24, 10))
        await move(session, two, "valid", at(24, 11))
        await contact(session, two, at(27, 10))
        three.next_followup_at = at(23, 12)  # never done: 3+ days overdue by Friday
        await contact(session, four, at(24, 14))
        await move(session, four, "valid", at(24, 15))
        await move(session, four, "visited", at(26, 10))
        four.next_followup_at = at(26, 9)  # overdue since Thursday morning
        await contact(session, five, at(26, 11))


async def _team_of_three(bot: Harness, sessionmaker: Sessionmaker, *, clients: bool = True) -> None:
    bot.clock.now = at(23, 8)
    await bot.send("/lang en", ALICE)
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in (BOB, CAROL_AT):  # Carol has a @username
        await bot.send(f"/start join_{code}", user)
    assert "Goal for <b>Bob</b> in 2026-11: 4 orders" in await bot.reply_text("/targets goal Bob 4")
    assert "Carol" in await bot.reply_text("/targets goal @carol 2")
    await bot.send("/link", ALICE, chat=GROUP)
    if clients:
        await _clients(sessionmaker)


async def test_a_week_of_work_shows_exact_figures_in_team_digest_and_group_posts(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)

    # Friday 19:00: the week so far, sorted by deals (ties by name).
    bot.clock.now = at(27, 19)
    calls = await bot.send("/team week", ALICE)
    text = calls[0].text
    assert "<b>Bridal · This week (2026-11-23 – 2026-11-29)</b>" in text
    assert "Sorted by deals" in text
    lines = text.split("\n")
    bob = lines.index("2. <b>Bob</b>")
    assert lines[bob + 1].strip() == "Leads 3 · contacts 4 · visited 1 · deals 1"
    assert lines[bob + 2].strip() == (
        "🔻 Valid rate 67% · 🔻 Valid-to-visit 50% · ✅ Visit deal rate 100%"
    )
    # 21 working days in November, 19 before Friday: 4 × 19 / 21 = 3.62 expected, 1 done.
    assert lines[bob + 3].strip() == ("⏰ 1 overdue (1 by 3+ days) · 🎯 1/4 (25%), 72% behind pace")
    carol = lines.index("3. <b>Carol</b>")
    assert lines[carol + 1].strip() == "Leads 2 · contacts 2 · visited 1 · deals 0"
    assert lines[carol + 2].strip() == (
        "🔻 Valid rate 50% · ✅ Valid-to-visit 100% · 🔻 Visit deal rate 0%"
    )
    assert lines[carol + 3].strip() == "⏰ 1 overdue · 🎯 0/2 (0%), 100% behind pace"
    alice = lines.index("1. <b>Alice</b> (owner)")
    assert lines[alice + 1].strip() == "Leads 0 · contacts 0 · visited 0 · deals 0"
    assert lines[alice + 3].strip() == "No overdue follow-ups · no goal this month"
    assert bob < alice < carol  # one deal first, then the ties by name
    assert "<b>Team</b>: leads 5 · contacts 6 · visited 2 · deals 1 · overdue 2" in text
    assert not any(detail in text for detail in CLIENT_DETAILS)

    # Sorting by a button edits the table in place; a name button drills down.
    labels = {button["text"]: button["callback_data"] for button in buttons(calls[0])}
    sorted_calls = await bot.press(labels["Contacts"], ALICE)
    edited = next(call for call in sorted_calls if call.method == "editMessageText")
    assert "Sorted by contacts" in edited.text
    order = [edited.text.index(f"<b>{name}</b>") for name in ("Bob", "Carol", "Alice")]
    assert order == sorted(order)
    detail = "\n".join(c.text for c in await bot.press(labels["2. Bob"], ALICE))
    assert "📊 <b>Bob · This week (2026-11-23 – 2026-11-29)</b>" in detail
    assert "New leads 3 · contacted 2 (4 contacts)" in detail
    assert "done 1 of 4" in detail

    # The digest on Friday 09:30 covers Thursday and lists who needs a nudge.
    bot.clock.now = at(27, 9, 30)
    sent = await tick(bot, 20)
    digest = to(sent, ALICE, "Manager digest")
    assert len(digest) == 1
    body = digest[0]
    assert "📬 <b>Manager digest · Bridal · 2026-11-27</b>" in body
    assert "Numbers for yesterday (2026-11-26)" in body
    assert (
        "<b>Bob</b>: leads 0 · contacts 0 · visited 0 · deals 1 · overdue 1 · 🎯 1/4 (25%)" in body
    )
    assert (
        "<b>Carol</b>: leads 0 · contacts 1 · visited 1 · deals 0 · overdue 1 · 🎯 0/2 (0%)" in body
    )
    assert "<b>Alice</b>: leads 0 · contacts 0 · visited 0 · deals 0 · overdue 0" in body
    assert "⏰ <b>Overdue follow-ups</b>: 2 in all, 1 by 3 days or more" in body
    assert "#3 (B) · Bob · 3 days overdue" in body
    assert "Behind pace" not in body  # only with exactly 5 working days left
    assert not to(sent, BOB, "Manager digest") and not to(sent, CAROL, "经理日报")
    assert not to(await tick(bot, 20), ALICE, "Manager digest")  # once a day

    # The group gets Friday's board at 18:00 and last week's on Monday at 09:00.
    bot.clock.now = at(27, 18)
    board = to(await tick(bot, 20), GROUP, "Bridal")
    assert len(board) == 1
    assert "🥇 Bob — <b>1</b> pts" in board[0] and "today (11-27)" in board[0]
    bot.clock.now = at(30, 9)
    weekly = to(await tick(bot, 20), GROUP, "last week")
    assert len(weekly) == 1
    week_lines = weekly[0].split("\n")
    # Bob: 4 contacts + a visit (5) + a deal (10); Carol: 2 contacts + a visit.
    bob_line = next(i for i, line in enumerate(week_lines) if "Bob" in line)
    assert week_lines[bob_line].startswith("🥇 Bob — <b>19</b> pts")
    assert "contacts 4 · visits 1 · deals 1" in week_lines[bob_line + 1]
    assert any(line.startswith("🥈 Carol — <b>7</b> pts") for line in week_lines)
    for post in (*digest, *board, *weekly):
        assert not any(detail in post for detail in CLIENT_DETAILS)


async def test_a_rep_is_told_team_is_for_managers_and_cannot_use_its_buttons(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    bot.clock.now = at(27, 19)
    assert "/team is for managers only" in await bot.reply_text("/team week", BOB)
    calls = await bot.send("/team week", ALICE)
    for button in buttons(calls[0]):
        pressed = "\n".join(c.text for c in await bot.press(button["callback_data"], BOB))
        assert "/team is for managers only" in pressed
        assert "Bob ·" not in pressed


async def test_team_understands_sort_words_members_and_explains_mistakes(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    bot.clock.now = at(27, 19)
    overdue = await bot.reply_text("/team week overdue")
    assert "Sorted by overdue" in overdue
    assert overdue.index("<b>Bob</b>") < overdue.index("<b>Carol</b>") < overdue.index("Alice")
    carol = await bot.reply_text("/team 3 week")
    assert "📊 <b>Carol · This week" in carol and "New leads 2" in carol
    assert "I can't read “sometime soon”" in await bot.reply_text("/team sometime soon")
    assert "There is no member “Zed” in your team" in await bot.reply_text("/team Zed week")


async def test_a_manager_sets_a_members_goal_and_the_member_is_told(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    calls = await bot.send("/targets goal Bob 6", ALICE)
    mine = [c.text for c in calls if int(c.params["chat_id"]) == ALICE.id]
    bobs = [c.text for c in calls if int(c.params["chat_id"]) == BOB.id]
    assert "Goal for <b>Bob</b> in 2026-11: 6 orders (was 4)" in mine[0]
    assert "Alice set your goal for 2026-11 in “Bridal”: 6 orders" in bobs[0]
    assert "done 1 of 6" in await bot.reply_text("/goal", BOB)  # the week's deal
    assert "Set a member's monthly order goal" in await bot.reply_text("/targets goal Bob lots")
    assert "owner or a manager" in await bot.reply_text("/targets goal Carol 3", BOB)
    assert "already over" in await bot.reply_text("/targets goal Bob 3 2026-10")


async def test_milestones_reach_the_manager_once_each_and_only_the_highest_at_once(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    team_id, _, _, carol_id = await ids(sessionmaker)
    bot.clock.now = at(27, 11)
    assert not to(await tick(bot, 20), ALICE, "of the 2026-11 goal")  # Carol 0 of 2
    async with transaction(sessionmaker) as session:
        lead = (await session.exec(select(Lead).where(Lead.number == 4))).one()
        await move(session, lead, "won", at(27, 11))
    bot.clock.now = at(27, 11, 1)
    first = to(await tick(bot, 20), ALICE, "of the 2026-11 goal")
    assert first == ["🎯 <b>Carol</b> (Bridal) has reached 50% of the 2026-11 goal: 1 of 2 deals."]
    bot.clock.now = at(27, 11, 2)
    assert not to(await tick(bot, 20), ALICE, "goal")
    async with transaction(sessionmaker) as session:
        lead = (await session.exec(select(Lead).where(Lead.number == 5))).one()
        await move(session, lead, "won", at(27, 11, 2))
    bot.clock.now = at(27, 11, 3)
    second = to(await tick(bot, 20), ALICE, "goal")
    assert len(second) == 1 and "reached 100% of the 2026-11 goal: 2 of 2 deals" in second[0]
    async with sessionmaker() as session:
        keys = sorted(
            (row.dedupe_key.rsplit(":", 1)[1], row.status)
            for row in (await session.exec(select(Outbox).where(Outbox.kind == "milestone")))
        )
    assert keys == [("100", "sent"), ("50", "sent"), ("90", "skipped")]
    assert team_id and carol_id


async def test_digest_can_be_moved_or_switched_off(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    shown = await bot.reply_text("/digest")
    assert "<b>Manager digest</b>: on, every working day at 09:30" in shown
    assert "It covers: Bridal" in shown
    assert "on, every working day at 08:45" in await bot.reply_text("/digest 08:45")
    bot.clock.now = at(26, 8, 45)
    assert len(to(await tick(bot, 20), ALICE, "Manager digest")) == 1
    assert "off" in await bot.reply_text("/digest off")
    bot.clock.now = at(27, 8, 45)
    assert not to(await tick(bot, 20), ALICE, "Manager digest")
    assert "24-hour clock" in await bot.reply_text("/digest 25:99")
    rep = await bot.reply_text("/digest", BOB)
    assert "don't manage a team with other members" in rep


async def test_digest_names_members_behind_pace_with_five_working_days_left(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker, clients=False)
    bot.clock.now = at(24, 9, 30)  # Tuesday: 24, 25, 26, 27 and 30 November are left
    body = to(await tick(bot, 20), ALICE, "Manager digest")[0]
    assert "⚠️ <b>Behind pace with 5 working days left</b>" in body
    # 4 × 16 / 21 = 3.05 expected by Tuesday, none done.
    assert "Bob: 0/4 deals, 100% behind; needs 0.8 a day" in body
    assert "Carol: 0/2 deals, 100% behind; needs 0.4 a day" in body


async def test_group_posts_stop_once_the_group_is_unlinked(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    bot.clock.now = at(25, 18)
    assert len(to(await tick(bot, 20), GROUP, "Bridal")) == 1
    await bot.send("/unlink", ALICE, chat=GROUP)
    bot.clock.now = at(26, 18)
    assert not to(await tick(bot, 20), GROUP, "Bridal")
    bot.clock.now = at(28, 18)  # Saturday: no post on a day off either way
    assert not to(await tick(bot, 20), GROUP, "Bridal")


async def test_a_team_of_fifty_gets_every_line_and_a_button_each_in_a_few_messages(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await bot.send("/lang en", ALICE)
    await bot.send("/newteam Big", ALICE)
    async with transaction(sessionmaker) as session:
        team = (await session.exec(select(Team).where(Team.name == "Big"))).one()
        for index in range(49):
            person = Person(tg_user_id=5000 + index, chat_id=5000 + index, name=f"Rep{index:02d}")
            session.add(person)
            await session.flush()
            session.add(Membership(team_id=team.id or 0, person_id=person.id or 0, role="rep"))
    calls = await bot.send("/team week leads", ALICE)
    text = "\n".join(call.text for call in calls)
    assert 1 < len(calls) <= 4 and all(len(call.text) <= 4096 for call in calls)
    assert all(f"<b>Rep{index:02d}</b>" in text for index in range(49))
    keys = buttons(calls[-1])
    assert len(keys) == len(SORTS) + 50  # a sort button each, and a name button per member
    assert sum(key["text"].split(". ", 1)[-1].startswith("Rep") for key in keys) == 49


async def test_a_chinese_speaking_manager_gets_team_digest_and_milestones_in_chinese(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await _team_of_three(bot, sessionmaker)
    await bot.send("/lang zh", ALICE)
    bot.clock.now = at(27, 19)
    table = await bot.reply_text("/team 本周 跟进")
    assert "<b>Bridal · 本周（2026-11-23 – 2026-11-29）</b>" in table and "按跟进排序" in table
    assert "线索 3 · 跟进 4 · 已到店 1 · 成交 1" in table
    assert "⏰ 逾期 1 条（1 条超过 3 天） · 🎯 1/4（25%），落后进度 72%" in table
    assert "📊 <b>Carol 的数据 · 本周" in await bot.reply_text("/team 3 本周")
    assert "/team 仅限经理使用" in await bot.reply_text("/team", CAROL)
    assert "已为 <b>Bob</b> 设定 2026-11 目标：5 单（原为 4 单）" in await bot.reply_text(
        "/targets 目标 Bob 5"
    )
    assert "已开启，每个工作日 09:30" in await bot.reply_text("/digest")
    bot.clock.now = at(30, 9, 30)
    sent = await tick(bot, 20)
    digest = to(sent, ALICE, "经理日报")
    assert len(digest) == 1
    assert "统计区间：2026-11-27 – 2026-11-29" in digest[0]
    assert "<b>Bob</b>：线索 0 · 跟进 1 · 已到店 0 · 成交 0 · 逾期 1 · 🎯 1/5（20%）" in digest[0]
    assert "#3（B）· Bob · 逾期 6 天" in digest[0]
    async with transaction(sessionmaker) as session:
        lead = (await session.exec(select(Lead).where(Lead.number == 4))).one()
        await move(session, lead, "won", at(30, 9, 31))
    bot.clock.now = at(30, 9, 32)
    assert to(await tick(bot, 20), ALICE, "已完成 2026-11 目标的 50%：成交 1 / 2")
