"""A person's teams: their personal space's leads brought into a team, and switching teams.

Creating or joining a team while the personal space holds leads asks once whether to bring them
along. Bringing is one transaction: every lead of the personal space moves with its history,
follow-ups, pending reminders, goal, ad figures and script uses, or nothing does. Each lead
writes one "moved" event (old number -> new number). A lead keeps its number when the team has
never used it (always so in a new team); otherwise the leads get a block of fresh numbers in
the same order. Phone and WeChat duplicates against the team's leads are brought anyway and
reported, so the person decides whether to merge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import rollups
from assistant.db.models import (
    ActivationBatch,
    CustomerNote,
    Lead,
    LeadEvent,
    MarketingDay,
    Membership,
    MonthlyGoal,
    Outbox,
    Person,
    Referral,
    ScriptUse,
    SourceCost,
    Team,
)
from assistant.domain import events
from assistant.services import permissions
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event
from assistant.services.teams import membership

_TEAM: Any = Team.__table__  # type: ignore[attr-defined]
_LEAD: Any = Lead.__table__  # type: ignore[attr-defined]
# Rows that belong to the personal space's leads and go where they go.
_MOVED_WITH_LEADS: tuple[Any, ...] = tuple(
    model.__table__  # type: ignore[union-attr]
    for model in (LeadEvent, ScriptUse, ActivationBatch, Referral, CustomerNote)
)


@dataclass(frozen=True)
class Offer:
    """What the personal space could bring into a team."""

    count: int  # leads, not counting deleted ones
    same_pipeline: bool  # the team's stages mean what the leads' stages mean


@dataclass(frozen=True)
class Duplicate:
    number: int  # the brought lead, by its number in the team
    other: int | None  # the team lead with the same phone or WeChat; None: a colleague's
    lead_id: int
    other_id: int


@dataclass(frozen=True)
class Brought:
    team: Team
    count: int
    renumbered: list[tuple[int, int]]  # (old, new), empty when every lead kept its number
    duplicates: list[Duplicate]
    goal: bool  # a monthly goal came along


@dataclass(frozen=True)
class Space:
    team: Team
    role: str
    leads: int
    active: bool


async def personal_team(session: AsyncSession, person: Person) -> Team | None:
    query = select(Team).where(Team.owner_id == person.id, col(Team.personal).is_(True))
    return (await session.exec(query.order_by(col(Team.id)))).first()


async def _lead_count(session: AsyncSession, team_id: int) -> int:
    query = select(func.count()).where(Lead.team_id == team_id, col(Lead.deleted_at).is_(None))
    return int((await session.exec(query)).one())


async def offer_for(session: AsyncSession, person: Person, team: Team) -> Offer | None:
    """None when there is nothing to ask: the team is personal or the personal space empty."""
    personal = await personal_team(session, person)
    if team.personal or personal is None or personal.id is None:
        return None
    count = await _lead_count(session, personal.id)
    if count == 0:
        return None
    return Offer(count, personal.pipeline == team.pipeline)


async def _target(session: AsyncSession, person: Person, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    member = await membership(session, team_id=team_id, person_id=person.id or 0)
    if team is None or team.personal or member is None or not member.active:
        raise UserError("team_not_found")
    return team


async def _run(session: AsyncSession, statement: Any) -> Any:
    """A Core statement on the session's connection (its result has a reliable rowcount)."""
    return await (await session.connection()).execute(statement)


async def _numbers(session: AsyncSession, team_id: int, low: int, high: int) -> int:
    """What to add to the numbers low..high so they are free in the team (0: keep them)."""
    kept = await _run(
        session,
        update(_TEAM)
        .where(_TEAM.c.id == team_id, _TEAM.c.next_lead_number <= low)
        .values(next_lead_number=high + 1),
    )
    if kept.rowcount == 1:  # the team never gave out these numbers
        return 0
    span = high - low + 1
    after = await _run(
        session,
        update(_TEAM)
        .where(_TEAM.c.id == team_id)
        .values(next_lead_number=_TEAM.c.next_lead_number + span)
        .returning(_TEAM.c.next_lead_number),
    )
    return int(after.scalar_one()) - span - low


def _move_unique(model: Any, key: str, person_id: int, source: int, target: int) -> Any:
    """Rows kept one per team, person and `key`: the team's own row wins, the other stays."""
    table = model.__table__
    other = table.alias()
    taken = exists().where(
        other.c.team_id == target,
        other.c.person_id == person_id,
        other.c[key] == table.c[key],
    )
    return (
        update(table)
        .where(table.c.team_id == source, table.c.person_id == person_id, ~taken)
        .values(team_id=target)
    )


async def bring_personal_leads(
    session: AsyncSession, *, person: Person, team_id: int, now: datetime
) -> Brought:
    assert person.id is not None
    team = await _target(session, person, team_id)
    personal = await personal_team(session, person)
    if personal is None or personal.id is None:
        raise UserError("personal_space_empty")
    # Two presses at once (PostgreSQL): the second waits here, then finds nothing left.
    await _run(session, core_select(_TEAM.c.id).where(_TEAM.c.id == personal.id).with_for_update())
    source = personal.id
    leads = (
        await _run(
            session,
            core_select(_LEAD.c.id, _LEAD.c.number, _LEAD.c.owner_id, _LEAD.c.deleted_at)
            .where(_LEAD.c.team_id == source)
            .order_by(_LEAD.c.number),
        )
    ).all()
    if not any(row.deleted_at is None for row in leads):
        raise UserError("personal_space_empty")
    if personal.pipeline != team.pipeline:
        raise UserError("bring_other_pipeline", team=team.name)
    await session.flush()
    duplicates = await _duplicates(session, person, source, team_id)
    offset = await _numbers(session, team_id, leads[0].number, leads[-1].number)
    moved = await _run(
        session,
        update(_LEAD)
        .where(_LEAD.c.team_id == source)
        .values(team_id=team_id, number=_LEAD.c.number + offset, updated_at=now),
    )
    if moved.rowcount != len(leads):  # a lead came or went meanwhile: all or nothing
        raise UserError("unexpected")
    await rollups.moving(session, [rollups.EVENT.c.team_id == source], team=team_id)
    for table in _MOVED_WITH_LEADS:
        await _run(session, update(table).where(table.c.team_id == source).values(team_id=team_id))
    outbox: Any = Outbox.__table__  # type: ignore[attr-defined]
    await _run(
        session,
        update(outbox)
        .where(outbox.c.team_id == source, outbox.c.status == "pending")
        .values(team_id=team_id),
    )
    goal = await _run(session, _move_unique(MonthlyGoal, "month", person.id, source, team_id))
    await _run(session, _move_unique(MarketingDay, "day", person.id, source, team_id))
    await _run(session, _move_unique(SourceCost, "day", person.id, source, team_id))
    for row in leads:
        record_event(
            session,
            lead_id=row.id,
            team_id=team_id,
            owner_id=row.owner_id,
            actor_id=person.id,
            kind=events.MOVED,
            from_value=str(row.number),
            to_value=str(row.number + offset),
            payload={"from_team": source, "to_team": team_id},
            at=now,
        )
    await session.flush()
    for item in [item for item in session.identity_map.values() if isinstance(item, Lead)]:
        session.expunge(item)  # loaded before the move: their team and number are old
    await session.refresh(team)
    person.active_team_id = team_id
    shown = [row for row in leads if row.deleted_at is None]
    renumbered = [(row.number, row.number + offset) for row in shown] if offset else []
    for index, found in enumerate(duplicates):
        duplicates[index] = replace(found, number=found.number + offset)
    return Brought(team, len(shown), renumbered, duplicates, goal.rowcount > 0)


async def _duplicates(
    session: AsyncSession, person: Person, source: int, target: int
) -> list[Duplicate]:
    """The personal space's leads whose phone or WeChat a lead of the team carries."""
    member = await membership(session, team_id=target, person_id=person.id or 0)
    mine, theirs = _LEAD.alias("mine"), _LEAD.alias("theirs")
    same = or_(
        and_(mine.c.phone.is_not(None), theirs.c.phone == mine.c.phone),
        and_(mine.c.wechat.is_not(None), theirs.c.wechat == mine.c.wechat),
    )
    rows = await _run(
        session,
        core_select(mine.c.id, mine.c.number, theirs.c.id, theirs.c.number, theirs.c.owner_id)
        .join(theirs, and_(theirs.c.team_id == target, same))
        .where(
            mine.c.team_id == source,
            mine.c.deleted_at.is_(None),
            theirs.c.deleted_at.is_(None),
        )
        .order_by(mine.c.number, theirs.c.number),
    )
    found: dict[int, Duplicate] = {}
    for lead_id, number, other_id, other, owner in rows.all():
        if lead_id in found:
            continue
        visible = member is not None and permissions.sees_lead_of(member, owner)
        found[lead_id] = Duplicate(number, other if visible else None, lead_id, other_id)
    return list(found.values())


async def spaces_of(session: AsyncSession, person: Person) -> list[Space]:
    """The person's active memberships, personal space first, then in joining order."""
    rows = (
        await session.exec(
            select(Team, Membership)
            .join(Membership, col(Membership.team_id) == Team.id)
            .where(Membership.person_id == person.id, col(Membership.active).is_(True))
            .order_by(col(Team.personal).desc(), col(Membership.joined_at), col(Team.id))
        )
    ).all()
    counts = dict(
        (
            await session.exec(
                select(Lead.team_id, func.count())
                .where(
                    col(Lead.team_id).in_([team.id for team, _ in rows]),
                    Lead.owner_id == person.id,
                    col(Lead.deleted_at).is_(None),
                )
                .group_by(col(Lead.team_id))
            )
        ).all()
    )
    return [
        Space(team, member.role, int(counts.get(team.id or 0, 0)), team.id == person.active_team_id)
        for team, member in rows
    ]


async def switch_to(session: AsyncSession, person: Person, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    member = await membership(session, team_id=team_id, person_id=person.id or 0)
    if team is None or member is None or not member.active:
        raise UserError("team_not_found")
    person.active_team_id = team_id
    return team
