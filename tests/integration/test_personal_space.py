"""Bringing the personal space's leads into a team: all or nothing, once, numbers unique."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from assistant.db.models import Lead, LeadEvent, Membership, Outbox, Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain.capture import LeadDraft
from assistant.services import leads, spaces
from assistant.services.errors import UserError
from tests.helpers import add_event, make_lead, make_person

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def a_rep_with_three_leads_and_a_team(sessionmaker: Sessionmaker) -> tuple[Person, Team]:
    """A rep whose personal space holds #1-#3, in a team that already gave out #1-#4."""
    rep, personal = await make_person(sessionmaker, 5001, name="Rep")
    owner, _ = await make_person(sessionmaker, 5002, name="Owner")
    for name in ("A", "B", "C"):
        await make_lead(sessionmaker, personal, rep, name=name, next_followup_at=NOW)
    async with transaction(sessionmaker) as session:
        team = Team(name="Bridal", owner_id=owner.id or 0, next_lead_number=5)
        session.add(team)
        await session.flush()
        session.add(Membership(team_id=team.id or 0, person_id=owner.id or 0, role="owner"))
        session.add(Membership(team_id=team.id or 0, person_id=rep.id or 0, role="rep"))
        session.add(
            Outbox(kind="remind", dedupe_key="r1", chat_id=5001, person_id=rep.id,
                   team_id=personal.id, payload={"lead": 1}, due_at=NOW)
        )  # fmt: skip
    return rep, team


async def bring(sessionmaker: Sessionmaker, rep: Person, team: Team) -> spaces.Brought:
    async with transaction(sessionmaker) as session:
        person = await session.get(Person, rep.id)
        assert person is not None
        return await spaces.bring_personal_leads(
            session, person=person, team_id=team.id or 0, now=NOW
        )


async def leads_by_team(sessionmaker: Sessionmaker) -> dict[int, list[int]]:
    async with sessionmaker() as session:
        found: dict[int, list[int]] = {}
        for lead in (await session.exec(select(Lead).order_by(Lead.number))).all():
            found.setdefault(lead.team_id, []).append(lead.number)
        return found


async def test_leads_move_with_their_events_and_reminders_and_take_fresh_numbers(
    sessionmaker: Sessionmaker,
) -> None:
    rep, team = await a_rep_with_three_leads_and_a_team(sessionmaker)
    brought = await bring(sessionmaker, rep, team)
    assert brought.count == 3
    assert brought.renumbered == [(1, 5), (2, 6), (3, 7)]
    assert await leads_by_team(sessionmaker) == {team.id: [5, 6, 7]}
    async with sessionmaker() as session:
        events = (await session.exec(select(LeadEvent))).all()
        assert {event.team_id for event in events} == {team.id}
        moved = sorted((e.from_value, e.to_value) for e in events if e.kind == "moved")
        assert moved == [("1", "5"), ("2", "6"), ("3", "7")]
        reminder = (await session.exec(select(Outbox))).one()
        assert reminder.team_id == team.id
        stored = await session.get(Team, team.id)
        assert stored is not None and stored.next_lead_number == 8


async def test_a_failure_part_way_leaves_every_lead_where_it_was(
    sessionmaker: Sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, team = await a_rep_with_three_leads_and_a_team(sessionmaker)
    before = await leads_by_team(sessionmaker)

    def broken(*args: object) -> object:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(spaces, "_move_unique", broken)
    with pytest.raises(RuntimeError):
        await bring(sessionmaker, rep, team)
    assert await leads_by_team(sessionmaker) == before
    async with sessionmaker() as session:
        assert not (await session.exec(select(LeadEvent).where(LeadEvent.kind == "moved"))).all()
        stored = await session.get(Team, team.id)
        assert stored is not None and stored.next_lead_number == 5


async def test_two_presses_at_once_bring_the_leads_once(sessionmaker: Sessionmaker) -> None:
    rep, team = await a_rep_with_three_leads_and_a_team(sessionmaker)
    results = await asyncio.gather(
        bring(sessionmaker, rep, team), bring(sessionmaker, rep, team), return_exceptions=True
    )
    done = [r for r in results if isinstance(r, spaces.Brought)]
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].key in {"personal_space_empty", "unexpected"}
    assert await leads_by_team(sessionmaker) == {team.id: [5, 6, 7]}
    async with sessionmaker() as session:
        moved = (await session.exec(select(LeadEvent).where(LeadEvent.kind == "moved"))).all()
        assert len(moved) == 3


async def test_a_colleague_adding_a_lead_meanwhile_never_shares_a_number(
    sessionmaker: Sessionmaker,
) -> None:
    rep, team = await a_rep_with_three_leads_and_a_team(sessionmaker)
    owner = (await make_person(sessionmaker, 5003, name="Other"))[0]
    async with transaction(sessionmaker) as session:
        session.add(Membership(team_id=team.id or 0, person_id=owner.id or 0, role="rep"))

    async def colleague_adds_a_lead() -> None:
        async with transaction(sessionmaker) as session:
            person = await session.get(Person, owner.id)
            assert person is not None
            person.active_team_id = team.id
            scope = await leads.actor_of(session, person)
            await leads.create_lead(session, scope, LeadDraft(name="D"), NOW)

    await asyncio.gather(bring(sessionmaker, rep, team), colleague_adds_a_lead())
    numbers = (await leads_by_team(sessionmaker))[team.id or 0]
    assert len(numbers) == len(set(numbers)) == 4


async def test_a_person_outside_the_team_cannot_bring_leads_into_it(
    sessionmaker: Sessionmaker,
) -> None:
    _, team = await a_rep_with_three_leads_and_a_team(sessionmaker)
    stranger, personal = await make_person(sessionmaker, 5009, name="Stranger")
    await make_lead(sessionmaker, personal, stranger, name="X")
    with pytest.raises(UserError) as raised:
        await bring(sessionmaker, stranger, team)
    assert raised.value.key == "team_not_found"
    assert len((await leads_by_team(sessionmaker))[personal.id or 0]) == 1


async def test_deleted_leads_come_along_so_undo_still_works(sessionmaker: Sessionmaker) -> None:
    rep, team = await a_rep_with_three_leads_and_a_team(sessionmaker)
    async with transaction(sessionmaker) as session:
        lead = (await session.exec(select(Lead).where(Lead.name == "C"))).one()
        lead.deleted_at = NOW
        add_event(session, lead, "deleted", NOW)
    brought = await bring(sessionmaker, rep, team)
    assert brought.count == 2 and brought.renumbered == [(1, 5), (2, 6)]
    assert await leads_by_team(sessionmaker) == {team.id: [5, 6, 7]}
