"""Figures read from LeadRollup equal the same figures counted from the events alone (both
databases): the funnel counts behind /summary, /team, the digest and the evening review, and
the leaderboard's tallies, over periods of one day to a month, in two zones, with soft-deleted
leads, repeat contacts, won amounts with cents and events of the day still running."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.db.models import Person, Team
from assistant.db.session import Sessionmaker, transaction
from assistant.domain import events
from assistant.domain.periods import Period
from assistant.services import groups
from assistant.services.analytics import counts_by_owner, utc_bounds
from tests.helpers import add_event, add_lead, add_member, make_person

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday, 17:30 in Shanghai
STAGES = ("valid", "invited", "visited", "won", "lost")


async def _store(sessionmaker: Sessionmaker) -> tuple[Team, list[Person]]:
    rng = random.Random(20)
    owner, team = await make_person(sessionmaker, 1, name="Sh")
    second, _ = await make_person(sessionmaker, 2, name="Sh2")
    york, _ = await make_person(sessionmaker, 3, name="Ny", timezone="America/New_York")
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        stored.personal = False
    for person in (second, york):
        await add_member(sessionmaker, team, person, "rep")
    people = [owner, second, york]
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for index in range(60):
            person = people[index % 3]
            created = NOW - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1400))
            lead = await add_lead(session, stored, person, created, grade=rng.choice("ABCD"))
            at = created
            for _ in range(rng.randint(0, 6)):
                at = min(at + timedelta(hours=rng.randint(1, 60)), NOW + timedelta(hours=3))
                kind = rng.choice((events.CONTACT, events.CONTACT, events.STAGE, events.PHONE))
                if kind == events.STAGE:
                    stage = rng.choice(STAGES)
                    payload = (
                        {"amount": rng.choice((8800.5, 1200.25, 0.1))} if stage == "won" else {}
                    )
                    if stage == "lost":
                        payload = {"reason": rng.choice(("price", "far"))}
                    add_event(session, lead, kind, at, from_value=lead.stage, to_value=stage,
                              payload=payload)  # fmt: skip
                    lead.stage = stage
                elif kind == events.PHONE:  # once per lead, as the bot writes it
                    if not lead.phone_obtained:
                        add_event(session, lead, kind, at, to_value="1")
                        lead.phone_obtained = True
                else:
                    value = rng.choice((None, events.CONTACT_AGAIN))
                    add_event(session, lead, kind, at, to_value=value,
                              payload={"grade": lead.grade})  # fmt: skip
            if index % 17 == 5:
                lead.deleted_at = at
    return team, people


def _periods() -> list[Period]:
    today = date(2026, 11, 25)
    return [
        Period("today", today, today),
        Period("yesterday", today - timedelta(days=1), today - timedelta(days=1)),
        Period("week", today - timedelta(days=2), today),
        Period("month", today.replace(day=1), today),
        Period("range", date(2026, 10, 14), date(2026, 11, 30)),
    ]


@pytest.mark.parametrize(("grades", "contacted"), [(True, True), (False, False)])
async def test_funnel_counts_from_the_rollup_equal_those_from_the_events(
    sessionmaker: Sessionmaker, grades: bool, contacted: bool
) -> None:
    """With contacted=False (the team table) leads contacted is left out: 0, all else equal."""
    team, people = await _store(sessionmaker)
    seen = Counter[str]()
    async with transaction(sessionmaker) as session:
        stored = await session.get(Team, team.id)
        assert stored is not None
        for period in _periods():
            for person in people:
                assert person.id is not None
                start, end = utc_bounds(period, person.timezone)
                common = {"team": stored, "person_ids": [person.id], "start": start,
                          "end": end, "grades": grades}  # fmt: skip
                days = (period.start, period.end)
                found = await counts_by_owner(session, **common, days=days, contacted=contacted)
                rolled = found[person.id]
                counted = (await counts_by_owner(session, **common))[person.id]
                assert round(rolled.revenue, 2) == round(counted.revenue, 2)
                same = {"revenue": 0} if contacted else {"revenue": 0, "contacted": 0}
                assert rolled.__dict__ | same == counted.__dict__ | same
                assert rolled.contacted == (counted.contacted if contacted else 0)
                seen.update(k for k in ("created", "contacts", "phone") if getattr(rolled, k))
                seen.update("revenue" for _ in [1] if rolled.revenue)
    assert set(seen) == {"created", "contacts", "phone", "revenue"}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
async def test_leaderboard_tallies_from_the_rollup_equal_those_from_the_events(
    sessionmaker: Sessionmaker, zone: str
) -> None:
    team, people = await _store(sessionmaker)
    members = {person.id or 0: person.timezone for person in people}
    async with transaction(sessionmaker) as session:
        for period in ("day", "week", "month", "last_week"):
            start, end = groups.leaderboard.period_bounds(period, NOW, zone)
            bounds = {"team_id": team.id or 0, "start": start, "end": end, "now": NOW,
                      "zone": zone}  # fmt: skip
            rolled = await groups._tallies(session, **bounds, zones=members)
            counted = await groups._tallies(session, **bounds, zones={})  # events only

            def summed(tallies: list[groups.leaderboard.Tally]) -> Counter[tuple[object, ...]]:
                total = Counter[tuple[object, ...]]()
                for tally in tallies:
                    if tally.owner_id in members and tally.count:
                        value = tally.to_value or ""
                        total[(tally.owner_id, tally.kind, value)] += tally.count
                return total

            assert summed(rolled) == summed(counted), period
            assert summed(counted), period
