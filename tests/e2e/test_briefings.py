from datetime import UTC, datetime

from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from tests.harness import ALICE, Harness, tick
from tests.helpers import add_event, make_lead, person_by_tg, team_of

WED_NOON = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
YESTERDAY_EVENING = datetime(2026, 11, 25, 12, 5, tzinfo=UTC)  # 20:05 in Shanghai
THU_9 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


async def test_morning_briefing_lists_overdue_todays_follow_ups_upgrades_and_the_plan(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await bot.send("/lang en", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    await make_lead(sessionmaker, team, alice, name="Old", grade="A", next_followup_at=WED_NOON)
    today = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 15:00 on Thursday
    await make_lead(sessionmaker, team, alice, name="Soon", grade="C", next_followup_at=today)
    rising = await make_lead(sessionmaker, team, alice, name="Rising", grade="B")
    async with transaction(sessionmaker) as session:
        upgrade = add_event(session, rising, events.GRADE, YESTERDAY_EVENING, from_value="C",
                            to_value="B", payload={"manual": False, "auto": True})  # fmt: skip
        upgrade.actor_id = None  # the hourly regrade, not a person
    bot.clock.now = THU_9
    sent = [call for call in await tick(bot) if "Good morning" in call.text]
    assert len(sent) == 1
    text = sent[0].text
    assert "Overdue (1)" in text and "#1 Old — due Wed 25 Nov 12:00" in text
    assert "Follow-ups today (1)" in text and "15:00 #2 Soon" in text
    assert "#3 Rising: C → B" in text
    assert "Plan · 480 min" in text and "A 303 · B 126 · C 51 · D 0 min" in text


async def test_a_morning_briefing_with_more_than_ten_open_leads_says_to_send_today_for_the_rest(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await bot.send("/lang en", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    for number in range(12):
        await make_lead(sessionmaker, team, alice, name=f"Lead {number}", grade="B")
    bot.clock.now = THU_9
    sent = [call for call in await tick(bot) if "Good morning" in call.text]
    assert len(sent) == 1
    assert "2 more leads after these: send /today to see them." in sent[0].text


async def test_evening_review_compares_the_days_contacts_with_60_25_10_5(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    await bot.send("/start", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    lead = await make_lead(sessionmaker, team, alice, name="Any", grade="D")
    async with transaction(sessionmaker) as session:
        for grade in "ADDDD":
            add_event(session, lead, events.CONTACT, datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
                      payload={"note": "", "grade": grade})  # fmt: skip
    bot.clock.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    sent = [call for call in await tick(bot) if "今日复盘" in call.text]
    assert len(sent) == 1
    text = sent[0].text
    assert "已联系 1（5 次）" in text
    assert "80%  目标 5%" in text
    assert "你把 80% 的联系花在了 D 类客户上，目标是 5%" in text


async def test_the_hourly_regrade_feeds_the_morning_briefing_with_real_upgrades(
    bot: Harness, sessionmaker: Sessionmaker
) -> None:
    from datetime import date, timedelta

    from assistant.tg.jobs import _regrade, leadership_of

    await bot.send("/lang en", ALICE)
    alice = await person_by_tg(sessionmaker, ALICE.id)
    team = await team_of(sessionmaker, ALICE)
    # 182 days before the wedding on Wednesday: grade C; two days later it is 180 days: B.
    wedding = date(2026, 11, 25) + timedelta(days=182)
    await make_lead(sessionmaker, team, alice, name="Wed", grade="C", event_date=wedding)
    bot.clock.now = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # Friday 08:30 in Shanghai

    class _Context:
        application = bot.app

    assert await leadership_of(bot.app).attempt()  # only the leader regrades
    await _regrade(_Context())  # type: ignore[arg-type]
    bot.clock.now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00
    sent = [call for call in await tick(bot) if "Good morning" in call.text]
    assert len(sent) == 1 and "#1 Wed: C → B" in sent[0].text
