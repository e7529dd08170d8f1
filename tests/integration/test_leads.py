from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from assistant.db.models import Lead, LeadEvent
from assistant.db.session import Sessionmaker, transaction
from assistant.domain.capture import LeadDraft
from assistant.services import leads
from assistant.services.errors import UserError
from tests.helpers import user_scope

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


async def test_daily_regrade_upgrades_a_lead_as_its_date_comes_closer(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        event = date(2027, 3, 1)  # 96 days ahead: B
        saved = await leads.create_lead(session, scope, LeadDraft(name="甲", event_date=event), NOW)
        manual = await leads.create_lead(
            session, scope, LeadDraft(name="乙", event_date=event), NOW
        )
        await leads.set_grade(session, scope, manual.lead, "C", NOW)
        assert saved.lead.grade == "B"
        team_id = scope.team_id
    later = NOW + timedelta(days=7)
    async with transaction(sessionmaker) as session:
        changes = await leads.regrade_leads(session, team_id=team_id, now=later)
    assert [(c.number, c.old, c.new, c.upgrade) for c in changes] == [(1, "B", "A", True)]
    async with transaction(sessionmaker) as session:
        assert await leads.regrade_leads(session, team_id=team_id, now=later) == []
        rows = (await session.exec(select(LeadEvent).where(LeadEvent.kind == "grade"))).all()
        auto = [r for r in rows if not r.payload["manual"]]
        assert [(r.from_value, r.to_value, r.actor_id) for r in auto] == [("B", "A", None)]
        manual_lead = await session.get(Lead, manual.lead.id)
        assert manual_lead is not None and manual_lead.grade == "C"


async def test_regrading_all_teams_covers_every_team_once(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        for user_id in (1, 2):
            scope = await user_scope(session, user_id)
            draft = LeadDraft(name="x", event_date=date(2027, 3, 1))
            await leads.create_lead(session, scope, draft, NOW)
    async with transaction(sessionmaker) as session:
        changes = await leads.regrade_all_teams(session, now=NOW + timedelta(days=7))
        again = await leads.regrade_all_teams(session, now=NOW + timedelta(days=7))
    assert [(c.old, c.new) for c in changes] == [("B", "A"), ("B", "A")]
    assert again == []


async def test_a_date_that_passes_overnight_is_flagged_and_graded_d(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        saved = await leads.create_lead(
            session, scope, LeadDraft(name="丙", event_date=date(2026, 11, 26)), NOW
        )
        team_id, lead_id = scope.team_id, saved.lead.id
    async with transaction(sessionmaker) as session:
        changes = await leads.regrade_leads(session, team_id=team_id, now=NOW + timedelta(days=2))
        lead = await session.get(Lead, lead_id)
    assert [(c.old, c.new, c.upgrade) for c in changes] == [("A", "D", False)]
    assert lead is not None and lead.date_passed


async def test_lead_numbers_count_up_per_team(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        first = await user_scope(session, 1)
        second = await user_scope(session, 2)
        numbers = [
            (await leads.create_lead(session, scope, LeadDraft(name="x"), NOW)).lead.number
            for scope in (first, first, second, first)
        ]
    assert numbers == [1, 2, 1, 3]


async def test_a_rep_cannot_open_another_persons_lead_by_database_id(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        owner = await user_scope(session, 1)
        other = await user_scope(session, 2)
        saved = await leads.create_lead(session, owner, LeadDraft(name="x"), NOW)
        with pytest.raises(UserError) as error:
            await leads.get_lead_by_id(session, other, saved.lead.id or 0)
    assert error.value.key == "lead_not_found"
