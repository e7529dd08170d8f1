"""Two people doing the same thing at the same moment: exactly one of them wins, the other is told.

Each test is a `race` (tests/integration/racing.py): the second reads the state the first has
not committed yet and then tries its own change. Without a conditional update both would be
told "done".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import (
    ActivationBatch,
    Invite,
    Lead,
    LeadEvent,
    MarketingDay,
    Membership,
    MonthlyGoal,
    Person,
    SourceCost,
    Team,
)
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.services import (
    activation,
    analytics,
    followups,
    forecast,
    handover,
    merge,
    pool,
    sources,
    targets,
    teams,
)
from assistant.services import leads as svc
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from tests.helpers import add_member, make_lead, make_person
from tests.integration.racing import Outcome, race

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def refused(outcome: Outcome, key: str) -> bool:
    return isinstance(outcome, UserError) and outcome.key == key


@dataclass
class Shop:
    team: Team
    owner: Person
    manager: Person
    rita: Person
    ray: Person


@pytest.fixture
async def shop(makers: tuple[Sessionmaker, Sessionmaker]) -> Shop:
    maker = makers[0]
    owner, _ = await make_person(maker, 11, name="Olive")
    manager, _ = await make_person(maker, 12, name="Max")
    rita, _ = await make_person(maker, 13, name="Rita")
    ray, _ = await make_person(maker, 14, name="Ray")
    async with transaction(maker) as session:
        team = Team(name="Shop", owner_id=owner.id or 0, settings={"pool": {"claim": True}})
        session.add(team)
    await add_member(maker, team, owner, "owner")
    await add_member(maker, team, manager, "manager")
    await add_member(maker, team, rita, "rep")
    await add_member(maker, team, ray, "rep")
    return Shop(team, owner, manager, rita, ray)


async def scope(session: AsyncSession, person: Person) -> Actor:
    stored = await session.get(Person, person.id)
    assert stored is not None
    return await svc.actor_of(session, stored)


async def stored_lead(maker: Sessionmaker, lead_id: int | None) -> Lead:
    async with maker() as session:
        lead = await session.get(Lead, lead_id)
    assert lead is not None
    return lead


async def count_events(maker: Sessionmaker, lead_id: int | None, kind: str) -> int:
    async with maker() as session:
        query = select(func.count()).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == kind)
        return (await session.exec(query)).one()


async def test_two_reps_claiming_one_pool_lead_one_gets_it_and_the_other_is_told(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, None, name="王女士")

    def claim_by(person: Person) -> Callable[[AsyncSession], Awaitable[Lead]]:
        async def run(session: AsyncSession) -> Lead:
            return await pool.claim(session, await scope(session, person), str(lead.number), NOW)

        return run

    first, second = await race(makers, claim_by(shop.rita), claim_by(shop.ray))
    assert isinstance(first, Lead)
    assert refused(second, "claim_taken")
    assert (await stored_lead(makers[0], lead.id)).owner_id == shop.rita.id
    assert await count_events(makers[0], lead.id, events.ASSIGNED) == 1


async def test_won_and_lost_of_one_lead_at_once_leave_one_consistent_outcome(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="李先生", stage="visited")

    async def won(session: AsyncSession) -> str:
        who = await scope(session, shop.rita)
        found = await svc.get_lead(session, who, lead.number)
        return await svc.move_stage(session, who, found, "won", NOW, amount=8800.0)

    async def lost(session: AsyncSession) -> str:
        who = await scope(session, shop.manager)
        found = await svc.get_lead(session, who, lead.number)
        return await svc.move_stage(session, who, found, "lost", NOW, reason="价格太高")

    first, second = await race(makers, won, lost)
    assert first == "won"
    assert refused(second, "lead_changed")
    stored = await stored_lead(makers[0], lead.id)
    assert (stored.stage, stored.amount, stored.lost_reason) == ("won", 8800.0, None)
    assert await count_events(makers[0], lead.id, events.STAGE) == 1


async def test_two_people_on_one_single_use_invite_only_one_joins(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    alice, _ = await make_person(makers[0], 21, name="Alice")
    bob, _ = await make_person(makers[0], 22, name="Bob")
    async with transaction(makers[0]) as session:
        invite = Invite(team_id=shop.team.id or 0, code="once-only", created_by=shop.owner.id or 0,
                        single_use=True, expires_at=NOW + timedelta(days=7))  # fmt: skip
        session.add(invite)

    def join(person: Person) -> Callable[[AsyncSession], Awaitable[str]]:
        async def run(session: AsyncSession) -> str:
            stored = await session.get(Person, person.id)
            assert stored is not None
            result = await teams.join_team(session, person=stored, code="once-only", now=NOW)
            return result.status

        return run

    assert await race(makers, join(alice), join(bob)) == ("joined", "used")
    async with makers[0]() as session:
        stored = await session.get(Invite, invite.id)
        joined = (
            await session.exec(
                select(Membership.person_id).where(
                    col(Membership.person_id).in_([alice.id, bob.id]),
                    Membership.team_id == shop.team.id,
                )
            )
        ).all()
    assert stored is not None and stored.uses == 1
    assert joined == [alice.id]


async def test_the_same_person_joining_from_two_devices_joins_once(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    alice, _ = await make_person(makers[0], 21, name="Alice")
    async with transaction(makers[0]) as session:
        session.add(Invite(team_id=shop.team.id or 0, code="many", created_by=shop.owner.id or 0,
                           expires_at=NOW + timedelta(days=7)))  # fmt: skip

    async def join(session: AsyncSession) -> str:
        stored = await session.get(Person, alice.id)
        assert stored is not None
        return (await teams.join_team(session, person=stored, code="many", now=NOW)).status

    assert await race(makers, join, join) == ("joined", "already")


async def test_two_managers_assigning_one_pool_lead_to_different_reps_give_it_once(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, None, name="赵女士")

    def assign(manager: Person, rep: str) -> Callable[[AsyncSession], Awaitable[Any]]:
        async def run(session: AsyncSession) -> Any:
            who = await scope(session, manager)
            return await pool.assign_from_pool(session, who, [str(lead.number), rep], NOW)

        return run

    first, second = await race(makers, assign(shop.owner, "Rita"), assign(shop.manager, "Ray"))
    assert isinstance(first, pool.Assignment)
    assert refused(second, "leads_changed") and second.context["numbers"] == [lead.number]
    assert (await stored_lead(makers[0], lead.id)).owner_id == shop.rita.id
    assert await count_events(makers[0], lead.id, events.ASSIGNED) == 1


async def test_two_handovers_of_the_same_leads_move_them_once(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    first_lead = await make_lead(makers[0], shop.team, shop.rita, name="甲")
    second_lead = await make_lead(makers[0], shop.team, shop.rita, name="乙")

    def hand(manager: Person, to: str) -> Callable[[AsyncSession], Awaitable[Any]]:
        async def run(session: AsyncSession) -> Any:
            return await handover.hand_over(
                session, await scope(session, manager), args=["Rita", to], now=NOW
            )

        return run

    first, second = await race(makers, hand(shop.owner, "Ray"), hand(shop.manager, "Max"))
    assert isinstance(first, handover.Handover) and first.moved == 2
    assert refused(second, "handover_nothing") or refused(second, "leads_changed")
    for lead in (first_lead, second_lead):
        assert (await stored_lead(makers[0], lead.id)).owner_id == shop.ray.id
        assert await count_events(makers[0], lead.id, events.ASSIGNED) == 1


async def test_two_grades_set_at_once_keep_one_and_record_one(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="钱女士", grade="C")

    def grade(person: Person, letter: str) -> Callable[[AsyncSession], Awaitable[None]]:
        async def run(session: AsyncSession) -> None:
            who = await scope(session, person)
            await svc.set_grade(session, who, await svc.get_lead(session, who, lead.number),
                                letter, NOW)  # fmt: skip

        return run

    first, second = await race(makers, grade(shop.rita, "A"), grade(shop.manager, "D"))
    assert first is None and refused(second, "lead_changed")
    assert (await stored_lead(makers[0], lead.id)).grade == "A"
    assert await count_events(makers[0], lead.id, events.GRADE) == 1


async def test_done_pressed_on_two_devices_logs_one_contact(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="孙先生",
                           next_followup_at=NOW - timedelta(hours=1))  # fmt: skip

    async def done(session: AsyncSession) -> bool:
        person = await session.get(Person, shop.rita.id)
        assert person is not None
        _, state = await followups.done(session, person, lead_id=str(lead.id), stamp=None, now=NOW)
        return state == "done"

    assert await race(makers, done, done) == (True, False)
    assert await count_events(makers[0], lead.id, events.CONTACT) == 1


async def test_two_managers_reassigning_an_overdue_lead_at_once_give_it_to_one(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="周女士")

    def reassign(manager: Person, to: Person) -> Callable[[AsyncSession], Awaitable[Any]]:
        async def run(session: AsyncSession) -> Any:
            person = await session.get(Person, manager.id)
            assert person is not None
            _, target = await followups.reassign(
                session, person, lead_id=str(lead.id), to_person_id=str(to.id), now=NOW
            )
            return target

        return run

    first, second = await race(
        makers, reassign(shop.owner, shop.ray), reassign(shop.manager, shop.manager)
    )
    assert isinstance(first, Person) and refused(second, "lead_changed")
    assert (await stored_lead(makers[0], lead.id)).owner_id == shop.ray.id
    assert await count_events(makers[0], lead.id, events.ASSIGNED) == 1


async def test_two_owners_demoting_each_other_at_once_leave_the_team_an_owner(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    async with transaction(makers[0]) as session:
        member = (
            await session.exec(
                select(Membership).where(
                    Membership.team_id == shop.team.id, Membership.person_id == shop.manager.id
                )
            )
        ).one()
        member.role = "owner"

    def demote(person: Person, other: str) -> Callable[[AsyncSession], Awaitable[Any]]:
        async def run(session: AsyncSession) -> Any:
            return await teams.change_role(
                session, await scope(session, person), ref=other, role_text="rep"
            )

        return run

    first, second = await race(makers, demote(shop.owner, "Max"), demote(shop.manager, "Olive"))
    assert isinstance(first, teams.RoleChange)
    assert refused(second, "not_owner")
    async with makers[0]() as session:
        owners = (
            await session.exec(
                select(Membership.person_id).where(
                    Membership.team_id == shop.team.id, Membership.role == "owner"
                )
            )
        ).all()
    assert owners == [shop.owner.id]


async def test_merging_the_same_duplicate_twice_at_once_merges_it_once(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    kept = await make_lead(makers[0], shop.team, shop.rita, name="吴女士")
    duplicate = await make_lead(makers[0], shop.team, shop.rita, name="吴女士")

    def merge_by(person: Person) -> Callable[[AsyncSession], Awaitable[None]]:
        async def run(session: AsyncSession) -> None:
            who = await scope(session, person)
            source = await svc.get_lead(session, who, duplicate.number)
            target = await svc.get_lead(session, who, kept.number)
            await merge.merge_leads(session, who, source, target, NOW)

        return run

    first, second = await race(makers, merge_by(shop.rita), merge_by(shop.manager))
    assert first is None and refused(second, "lead_changed")
    async with makers[0]() as session:
        assert await session.get(Lead, duplicate.id) is None
    notes = await count_events(makers[0], kept.id, events.NOTE)
    assert notes == 1


async def test_replied_tapped_on_two_devices_counts_one_contact_and_one_grade_step(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="郑先生", grade="C")
    other = await make_lead(makers[0], shop.team, shop.rita, name="王先生", grade="D")
    async with transaction(makers[0]) as session:
        batch = ActivationBatch(person_id=shop.rita.id or 0, team_id=shop.team.id or 0,
                                lead_ids=[lead.id or 0, other.id or 0], created_at=NOW)  # fmt: skip
        session.add(batch)

    async def tap(session: AsyncSession) -> Any:
        return await activation.record(
            session, await scope(session, shop.rita), batch_id=str(batch.id), lead_id=str(lead.id),
            outcome="replied", now=NOW,
        )  # fmt: skip

    first, second = await race(makers, tap, tap)
    assert isinstance(first, activation.BatchView) and isinstance(second, activation.BatchView)
    assert (await stored_lead(makers[0], lead.id)).grade == "B"
    assert await count_events(makers[0], lead.id, events.CONTACT) == 1


async def test_deleting_one_lead_from_two_devices_records_one_delete(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="冯女士")

    async def delete(session: AsyncSession) -> None:
        who = await scope(session, shop.rita)
        await svc.delete_lead(session, who, await svc.get_lead(session, who, lead.number), NOW)

    first, second = await race(makers, delete, delete)
    assert first is None and refused(second, "lead_changed")
    assert await count_events(makers[0], lead.id, events.DELETED) == 1


async def test_a_stale_lead_the_rep_contacts_while_the_planner_takes_it_stays_with_the_rep(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    lead = await make_lead(makers[0], shop.team, shop.rita, name="陈女士",
                           created_at=NOW - timedelta(days=40))  # fmt: skip

    async def log(session: AsyncSession) -> None:
        who = await scope(session, shop.rita)
        await svc.log_contact(session, who, await svc.get_lead(session, who, lead.number), "", NOW)

    async def take_back(session: AsyncSession) -> int | None:
        found = await session.get(Lead, lead.id)
        assert found is not None
        return await pool.return_to_pool(session, found, NOW)

    assert await race(makers, log, take_back) == (None, None)
    stored = await stored_lead(makers[0], lead.id)
    assert stored.owner_id == shop.rita.id and stored.next_followup_at is not None
    assert await count_events(makers[0], lead.id, events.ASSIGNED) == 0


# ---------------------------------------------------------------- "find, else insert" and settings


def as_person(person: Person, use: Callable[[AsyncSession, Person], Awaitable[Any]]) -> Any:
    async def run(session: AsyncSession) -> Any:
        stored = await session.get(Person, person.id)
        assert stored is not None
        return await use(session, stored)

    return run


def as_actor(person: Person, use: Callable[[AsyncSession, Actor], Awaitable[Any]]) -> Any:
    """`as_person`, for a use case that takes the person in their active team."""
    return as_person(person, lambda session, stored: _with_actor(session, stored, use))


async def _with_actor(
    session: AsyncSession, person: Person, use: Callable[[AsyncSession, Actor], Awaitable[Any]]
) -> Any:
    return await use(session, await svc.actor_of(session, person))


async def test_a_days_figures_sent_from_two_devices_at_once_are_both_kept(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    def numbers(text: str) -> Any:
        return as_actor(shop.rita, lambda s, a: analytics.record_numbers(s, a, text=text,
                                                                         now=NOW))  # fmt: skip

    first, second = await race(makers, numbers("点击 360"), numbers("访问 270"))
    assert isinstance(first, dict) and isinstance(second, dict)
    async with makers[0]() as session:
        [day] = (await session.exec(select(MarketingDay))).all()
    assert (day.clicks, day.visits) == (360, 270)


async def test_a_sources_cost_sent_from_two_devices_at_once_is_one_row(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    def cost(amount: int) -> Any:
        return as_actor(shop.rita, lambda s, a: sources.record_source_cost(
            s, a, text=f"抖音 花费 {amount}", now=NOW))  # fmt: skip

    first, second = await race(makers, cost(500), cost(800))
    assert isinstance(first, dict) and isinstance(second, dict)
    async with makers[0]() as session:
        [row] = (await session.exec(select(SourceCost))).all()
    assert row.cost == 800


async def test_a_goal_set_by_the_member_and_by_a_manager_at_once_is_one_row(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    own = as_actor(shop.rita, lambda s, a: analytics.set_goal(s, a, text="20", now=NOW))
    managed = as_actor(shop.manager, lambda s, a: targets.set_member_goal(
        s, a, words=["Rita", "25"], now=NOW))  # fmt: skip
    first, second = await race(makers, own, managed)
    assert isinstance(first, dict) and isinstance(second, targets.MemberGoal)
    async with makers[0]() as session:
        [goal] = (await session.exec(select(MonthlyGoal))).all()
    assert goal.orders == 25


async def test_two_managers_changing_different_settings_at_once_keep_both(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    async def pool_setting(session: AsyncSession) -> Any:
        return await pool.change_setting(session, await scope(session, shop.owner), "stale", "20")

    async def target(session: AsyncSession) -> Any:
        return await targets.change(
            session, await scope(session, shop.manager), words=["valid_rate", "80"]
        )

    async def forecast_setting(session: AsyncSession) -> Any:
        return await forecast.forecast_view(
            session, await scope(session, shop.manager), text="set 到店 70", now=NOW
        )

    await race(makers, pool_setting, target)
    await race(makers, target, forecast_setting)
    async with makers[0]() as session:
        team = await session.get(Team, shop.team.id)
    assert team is not None
    assert team.settings["pool"]["stale_days"] == 20
    assert team.settings["targets"]["valid_rate"] == 80
    assert team.settings["forecast"]["visited"] == 70


async def test_two_people_marking_themselves_away_at_once_are_both_away(
    makers: tuple[Sessionmaker, Sessionmaker], shop: Shop
) -> None:
    def away(person: Person) -> Callable[[AsyncSession], Awaitable[Any]]:
        async def run(session: AsyncSession) -> Any:
            return await pool.set_away(session, await scope(session, person), "2026-12-05", NOW)

        return run

    await race(makers, away(shop.rita), away(shop.ray))
    async with makers[0]() as session:
        team = await session.get(Team, shop.team.id)
    assert team is not None
    assert set(team.settings["away"]) == {str(shop.rita.id), str(shop.ray.id)}
