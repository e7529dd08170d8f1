"""Numbers are counted in each person's own calendar, from events only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.db.session import Sessionmaker, transaction
from assistant.domain.periods import parse_period
from assistant.render import Renderer
from assistant.services import analytics, teams
from assistant.services.errors import UserError
from tests import helpers as data

SHANGHAI = "Asia/Shanghai"
LOS_ANGELES = "America/Los_Angeles"
# Wednesday 2026-11-25 10:00 in Shanghai is still Tuesday 2026-11-24 18:00 in Los Angeles.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def build_month(sessionmaker: Sessionmaker) -> dict[str, Any]:
    """A month of work for two reps of one team, one in Shanghai and one in Los Angeles.

    Both log one lead a day at local noon from the 2nd to the 20th (19 leads each), then
    a few events sit right at the edges of their local days and months.
    """
    async with transaction(sessionmaker) as session:
        sue = await data.person(session, 501, "Sue", SHANGHAI)
        lou = await data.person(session, 502, "Lou", LOS_ANGELES)
        team, invite = await teams.create_team(session, person=sue, name="Bridal", now=NOW)
        await teams.join_team(session, person=lou, code=invite.code, now=NOW)
        for owner, zone in ((sue, SHANGHAI), (lou, LOS_ANGELES)):
            for day in range(2, 21):
                lead = await data.add_lead(session, team, owner, data.local(zone, 2026, 11, day))
                await data.contact(session, lead, data.local(zone, 2026, 11, day, 15))

        # Sue, Shanghai (UTC+8): today is the 25th.
        s1 = await data.add_lead(
            session, team, sue, data.local(SHANGHAI, 2026, 11, 1, 1), grade="A"
        )
        await data.move(session, s1, "valid", data.local(SHANGHAI, 2026, 11, 10))
        await data.move(session, s1, "visited", data.local(SHANGHAI, 2026, 11, 25, 1))
        await data.move(session, s1, "won", data.local(SHANGHAI, 2026, 11, 25, 9), amount=8800)
        s2 = await data.add_lead(session, team, sue, data.local(SHANGHAI, 2026, 11, 25, 0, 30))
        s2.grade = "A"
        await data.contact(session, s2, data.local(SHANGHAI, 2026, 11, 25, 9))
        s3 = await data.add_lead(session, team, sue, data.local(SHANGHAI, 2026, 11, 24, 23, 30))
        await data.got_phone(session, s3, data.local(SHANGHAI, 2026, 11, 24, 23, 45))
        await data.got_wechat(session, s3, data.local(SHANGHAI, 2026, 11, 25, 0, 10))
        s4 = await data.add_lead(session, team, sue, data.local(SHANGHAI, 2026, 10, 31, 23))
        await data.move(session, s4, "lost", data.local(SHANGHAI, 2026, 11, 5), reason="价格太高")
        gone = await data.add_lead(session, team, sue, data.local(SHANGHAI, 2026, 11, 25, 8))
        await data.delete(session, gone, data.local(SHANGHAI, 2026, 11, 25, 8, 5))

        # Lou, Los Angeles (UTC-8 since Nov 1): today is the 24th.
        l1 = await data.add_lead(session, team, lou, data.local(LOS_ANGELES, 2026, 11, 24, 17))
        await data.move(session, l1, "valid", data.local(LOS_ANGELES, 2026, 11, 24, 17, 30))
        l2 = await data.add_lead(session, team, lou, data.local(LOS_ANGELES, 2026, 11, 23, 23))
        await data.move(
            session, l2, "lost", data.local(LOS_ANGELES, 2026, 11, 24, 0, 5), reason="联系不上"
        )
        l3 = await data.add_lead(session, team, lou, data.local(LOS_ANGELES, 2026, 10, 31, 23, 30))
        await data.got_phone(session, l3, data.local(LOS_ANGELES, 2026, 11, 1, 0, 30))
        return {"sue": sue, "lou": lou, "team": team}


async def counts_for(sessionmaker: Sessionmaker, who: str, period: str) -> dict[str, Any]:
    async with transaction(sessionmaker) as session:
        people = {
            "sue": await data.find_person(session, 501),
            "lou": await data.find_person(session, 502),
        }
        person = people[who]
        today = NOW.astimezone(ZoneInfo(person.timezone)).date()
        view = await analytics.summary(
            session,
            await data.actor_of(session, person),
            period=parse_period(period, today),
            now=NOW,
        )
    return view


async def test_today_and_month_count_what_a_person_in_shanghai_expects(
    sessionmaker: Sessionmaker,
) -> None:
    await build_month(sessionmaker)
    today = await counts_for(sessionmaker, "sue", "today")
    assert today["period"]["start"] == "2026-11-25"
    assert today["counts"] == {
        "new": 1,  # s2 at 00:30; s3 at 23:30 yesterday and the deleted lead do not count
        "contacted": 1,
        "contacts": 1,
        "phone": 0,  # 23:45 yesterday
        "wechat": 1,  # 00:10 today
        "valid": 0,
        "invited": 1,  # valid -> visited passes invited
        "visited": 1,
        "won": 1,
        "lost": 0,
    }
    assert today["revenue"] == "8,800"
    month = await counts_for(sessionmaker, "sue", "month")
    assert month["counts"] == {
        "new": 19 + 3,  # daily leads, s1 (Nov 1 01:00), s2, s3; not s4 (Oct 31 23:00)
        "contacted": 20,
        "contacts": 20,
        "phone": 1,
        "wechat": 1,
        "valid": 1,
        "invited": 1,
        "visited": 1,
        "won": 1,
        "lost": 1,
    }
    assert month["lost_reasons"] == [{"reason": "价格太高", "count": 1}]
    checks = {check["key"]: check for check in month["checks"]}
    assert checks["a_conversion"]["value"] == "100.0%"  # s1 was an A lead when won
    assert checks["visit_deal"]["value"] == "100.0%"
    assert checks["valid_rate"]["status"] == "below"


async def test_today_and_month_count_what_a_person_in_los_angeles_expects(
    sessionmaker: Sessionmaker,
) -> None:
    await build_month(sessionmaker)
    today = await counts_for(sessionmaker, "lou", "today")
    assert today["period"]["start"] == "2026-11-24"
    assert today["counts"]["new"] == 1  # l1 at 17:00; l2 was 23:00 yesterday
    assert today["counts"]["valid"] == 1
    assert today["counts"]["lost"] == 1  # l2 lost at 00:05 today
    assert today["counts"]["won"] == 0  # Sue's deal is not Lou's
    month = await counts_for(sessionmaker, "lou", "month")
    assert month["counts"]["new"] == 19 + 2  # daily leads, l1, l2; not l3 (Oct 31 23:30)
    assert month["counts"]["phone"] == 1  # l3's phone came on Nov 1 00:30 local
    assert month["counts"]["contacted"] == 19
    yesterday = await counts_for(sessionmaker, "lou", "yesterday")
    assert yesterday["counts"]["new"] == 1 and yesterday["counts"]["lost"] == 0


async def test_average_days_in_stage_and_the_diagnosis_come_with_the_summary(
    sessionmaker: Sessionmaker,
) -> None:
    await build_month(sessionmaker)
    month = await counts_for(sessionmaker, "sue", "month")
    days = {row["stage"]: row["days"] for row in month["stages"] if row["has_days"]}
    assert days["visited"] == "0.3"  # 01:00 to 09:00
    assert month["drop"] == {"source": "new", "target": "valid", "loss": 21, "loss_rate": "95.5%"}
    assert month["diagnosis"]["subject"] == "wechat_rate"  # 1 of 22 is 85.5 points short
    text = Renderer().render("zh-Hans", "summary", **month)
    assert "转微信率 4.5%（目标 90%，差 85.5 个点）" in text
    assert "首次回复太慢" in text and "最大流失" in text
    english = Renderer().render("en", "summary", **month)
    assert "WeChat rate 4.5% (target 90%, 85.5 points short)" in english


async def test_numbers_are_recorded_corrected_and_summed_into_the_summary(
    sessionmaker: Sessionmaker,
) -> None:
    await build_month(sessionmaker)
    async with transaction(sessionmaker) as session:
        sue = await data.find_person(session, 501)
        first = await analytics.record_numbers(
            session,
            await data.actor_of(session, sue),
            text="展现 12000 点击 360 访问 270 咨询 27 订单 3",
            now=NOW,
        )
        fixed = await analytics.record_numbers(
            session,
            await data.actor_of(session, sue),
            text="昨天 clicks 100 visits 60 cost 300",
            now=NOW,
        )
        again = await analytics.record_numbers(
            session, await data.actor_of(session, sue), text="访问 280", now=NOW
        )
    assert (first["day"], first["corrected"]) == ("2026-11-25", False)
    assert fixed["day"] == "2026-11-24" and fixed["marketing"]["flagged"]
    assert again["corrected"] and again["changed"] == [{"key": "visits", "old": "270"}]
    assert again["marketing"]["layers"][0]["count"] == "12000"  # untouched figures stay
    month = await counts_for(sessionmaker, "sue", "month")
    layers = {layer["key"]: layer["count"] for layer in month["marketing"]["layers"]}
    assert layers == {
        "impressions": "12000",
        "clicks": "460",
        "visits": "340",
        "consultations": "27",
        "orders": "3",
    }
    assert month["marketing"]["cost"] == "300"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hello", "bad_numbers"),
        ("点击 abc", "bad_numbers"),
        ("2026-12-25 点击 3", "numbers_future"),
    ],
)
async def test_bad_numbers_are_refused_and_nothing_is_stored(
    sessionmaker: Sessionmaker, text: str, key: str
) -> None:
    async with transaction(sessionmaker) as session:
        sue = await data.person(session, 501, "Sue")
        with pytest.raises(UserError) as error:
            await analytics.record_numbers(
                session, await data.actor_of(session, sue), text=text, now=NOW
            )
        shown = await analytics.numbers_today(session, await data.actor_of(session, sue), now=NOW)
    assert error.value.key == key
    assert shown["marketing"] is None


async def test_a_goal_uses_team_targets_without_enough_history_and_shows_pace(
    sessionmaker: Sessionmaker,
) -> None:
    await build_month(sessionmaker)
    async with transaction(sessionmaker) as session:
        sue = await data.find_person(session, 501)
        view = await analytics.set_goal(
            session, await data.actor_of(session, sue), text="20", now=NOW
        )
    assert view["month"] == "2026-11" and not view["any_own"]
    assert [(f["key"], f["total"]) for f in view["figures"]] == [
        ("orders", 20),
        ("visits", 40),
        ("valid", 67),
        ("raw", 96),
    ]
    assert view["pace"]["done"] == 1 and view["pace"]["remaining_days"] == 4
    summary = await counts_for(sessionmaker, "sue", "today")
    assert summary["pace"]["target"] == 20 and summary["pace"]["per_day"] == "4.8"


async def test_a_goal_uses_the_reps_own_rates_with_twenty_leads_per_stage(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        rep = await data.person(session, 601, "Rep")
        team, _ = await teams.active_team(session, rep)
        for index in range(40):
            lead = await data.add_lead(
                session, team, rep, data.local(SHANGHAI, 2026, 10, 1 + index % 28)
            )
            if index < 32:  # 80% valid
                await data.move(session, lead, "valid", data.local(SHANGHAI, 2026, 10, 29))
            if index < 24:  # 75% of valid visit
                await data.move(session, lead, "visited", data.local(SHANGHAI, 2026, 11, 2))
            if index < 6:  # 25% of visits buy
                await data.move(
                    session, lead, "won", data.local(SHANGHAI, 2026, 11, 3), amount=1000
                )
        view = await analytics.set_goal(
            session, await data.actor_of(session, rep), text="10 下月", now=NOW
        )
    assert view["month"] == "2026-12" and view["all_own"] and view["pace"] is None
    rates = {rate["key"]: (rate["value"], rate["own"]) for rate in view["rates"]}
    assert rates == {
        "visit_deal": ("25.0%", True),
        "valid_to_visit": ("75.0%", True),
        "valid_rate": ("80.0%", True),
    }
    # 10 / 25% = 40 visits; / 75% = 53.3 -> 54 valid; / 80% = 66.7 -> 67 raw
    assert [f["total"] for f in view["figures"]] == [10, 40, 54, 67]
    assert view["remaining_days"] == 23  # every working day of December is still ahead
    assert view["figures"][3]["per_day"] == "2.9"  # 67 raw leads over 23 days


async def test_goal_input_mistakes_get_a_friendly_error(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        rep = await data.person(session, 601, "Rep")
        for text, key in (("lots", "bad_goal"), ("0", "bad_goal"), ("20 2025-01", "goal_past")):
            with pytest.raises(UserError) as error:
                await analytics.set_goal(
                    session, await data.actor_of(session, rep), text=text, now=NOW
                )
            assert error.value.key == key


async def test_the_evening_review_compares_the_effort_mix_and_gives_one_tip(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        rep = await data.person(session, 601, "Rep")
        team, _ = await teams.active_team(session, rep)
        evening = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
        for grade, count in (("A", 1), ("B", 1), ("D", 3)):
            for _ in range(count):
                lead = await data.add_lead(
                    session, team, rep, data.local(SHANGHAI, 2026, 11, 25, 9), grade=grade
                )
                await data.contact(session, lead, data.local(SHANGHAI, 2026, 11, 25, 10))
                await data.got_wechat(session, lead, data.local(SHANGHAI, 2026, 11, 25, 10))
        yesterday = await data.add_lead(
            session, team, rep, data.local(SHANGHAI, 2026, 11, 24, 9), grade="D"
        )
        await data.contact(session, yesterday, data.local(SHANGHAI, 2026, 11, 24, 22))
        review = await analytics.evening_review(
            session, await data.actor_of(session, rep), now=evening
        )
    mix = {row["grade"]: (row["count"], row["share"]) for row in review["mix"]}
    assert mix == {"A": (1, "20%"), "B": (1, "20%"), "C": (0, "0%"), "D": (3, "60%")}
    assert review["off_mix"] == {"kind": "over", "grade": "D", "share": "60%", "target": 5}
    assert review["tip"]["key"] == "phone_rate"  # WeChat 100%, phone 0%: 80 points short
    text = Renderer().render("zh-Hans", "evening_review", **review)
    assert "你把 60% 的联系花在了 D 类客户上，目标是 5%" in text
    assert "1 小时内回复" in text
    english = Renderer().render("en", "evening_review", **review)
    assert "You spent 60% of your contacts on D leads; the plan is 5%" in english


async def test_an_empty_evening_still_reads_well(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        rep = await data.person(session, 601, "Rep")
        review = await analytics.evening_review(session, await data.actor_of(session, rep), now=NOW)
    assert review["checks"] == [] and not review["has_contacts"] and review["tip"] is None
    text = Renderer().render("en", "evening_review", **review)
    assert "No contacts logged today" in text and "answer new leads within an hour" in text


async def test_too_few_contacts_on_a_leads_is_named_in_the_evening_review(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        rep = await data.person(session, 601, "Rep")
        team, _ = await teams.active_team(session, rep)
        for grade in ("A", "B", "B", "B"):
            lead = await data.add_lead(
                session, team, rep, data.local(SHANGHAI, 2026, 11, 25, 9), grade=grade
            )
            await data.contact(session, lead, data.local(SHANGHAI, 2026, 11, 25, 10))
        review = await analytics.evening_review(session, await data.actor_of(session, rep), now=NOW)
    assert review["off_mix"] == {"kind": "under", "grade": "A", "share": "25%", "target": 60}
    text = Renderer().render("zh-Hans", "evening_review", **review)
    assert "只有 25% 的联系给了 A 类客户，目标是 60%" in text


async def test_a_b2b_team_sees_its_own_stages_and_dashes_for_rates_it_cannot_measure(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        rep = await data.person(session, 701, "Rep")
        team, _ = await teams.active_team(session, rep)
        team.pipeline = "b2b"
        await session.flush()
        deal = await data.add_lead(session, team, rep, data.local(SHANGHAI, 2026, 11, 20))
        await data.move(session, deal, "proposal", data.local(SHANGHAI, 2026, 11, 21))
        await data.move(session, deal, "won", data.local(SHANGHAI, 2026, 11, 23), amount=120000)
        today = NOW.astimezone(ZoneInfo(SHANGHAI)).date()
        view = await analytics.summary(
            session, await data.actor_of(session, rep), period=parse_period("month", today), now=NOW
        )
    assert [row["stage"] for row in view["stages"]] == [
        "lead",
        "qualified",
        "needs",
        "proposal",
        "negotiation",
        "won",
    ]
    assert view["counts"]["negotiation"] == 1 and view["revenue"] == "120,000"
    text = Renderer().render("zh-Hans", "summary", **view)
    assert "潜在" in text and "谈判 1" in text and "转微信" not in text
    assert "▫️ A类转化率 —（目标 70%）" in text
    english = Renderer().render("en", "summary", **view)
    assert "Negotiation 1" in english and "▫️ A-lead conversion — (target 70%)" in english
