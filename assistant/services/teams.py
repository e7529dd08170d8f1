"""Teams, memberships and invite codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Invite, Membership, Person, Team
from assistant.services.errors import UserError

TEAM_NAME_LIMIT = 64
INVITE_DAYS = 7
MANAGING_ROLES = {"owner", "manager"}


@dataclass(frozen=True)
class JoinResult:
    status: str  # joined | already | unknown | expired | revoked | used
    team: Team | None = None


async def membership(session: AsyncSession, *, team_id: int, person_id: int) -> Membership | None:
    result = await session.exec(
        select(Membership).where(Membership.team_id == team_id, Membership.person_id == person_id)
    )
    return result.first()


async def active_team(session: AsyncSession, person: Person) -> tuple[Team, Membership]:
    """The team the person is working in now, with their role in it."""
    if person.active_team_id is not None:
        team = await session.get(Team, person.active_team_id)
        member = await membership(session, team_id=person.active_team_id, person_id=person.id or 0)
        if team is not None and member is not None and member.active:
            return team, member
    result = await session.exec(
        select(Team, Membership)
        .join(Membership, Membership.team_id == Team.id)  # type: ignore[arg-type]
        .where(Membership.person_id == person.id, Membership.active)
        .order_by(Team.personal, Membership.joined_at.desc())  # type: ignore[arg-type,attr-defined]
    )
    row = result.first()
    if row is None:
        raise UserError("no_team")
    person.active_team_id = row[0].id
    return row[0], row[1]


def _new_code() -> str:
    return secrets.token_urlsafe(9)


async def create_invite(
    session: AsyncSession, *, person: Person, single_use: bool, now: datetime
) -> tuple[Team, Invite]:
    team, member = await active_team(session, person)
    if team.personal:
        raise UserError("invite_needs_team")
    if member.role not in MANAGING_ROLES:
        raise UserError("not_manager")
    assert team.id is not None and person.id is not None
    invite = Invite(
        team_id=team.id,
        code=_new_code(),
        created_by=person.id,
        single_use=single_use,
        expires_at=now + timedelta(days=INVITE_DAYS),
        created_at=now,
    )
    session.add(invite)
    await session.flush()
    return team, invite


async def create_team(
    session: AsyncSession, *, person: Person, name: str, now: datetime
) -> tuple[Team, Invite]:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("team_name_missing")
    if len(cleaned) > TEAM_NAME_LIMIT:
        raise UserError("team_name_too_long", limit=TEAM_NAME_LIMIT)
    assert person.id is not None
    team = Team(name=cleaned, owner_id=person.id, created_at=now)
    session.add(team)
    await session.flush()
    assert team.id is not None
    session.add(Membership(team_id=team.id, person_id=person.id, role="owner", joined_at=now))
    person.active_team_id = team.id
    await session.flush()
    return await create_invite(session, person=person, single_use=False, now=now)


async def join_team(
    session: AsyncSession, *, person: Person, code: str, now: datetime
) -> JoinResult:
    result = await session.exec(select(Invite).where(Invite.code == code))
    invite = result.first()
    if invite is None:
        return JoinResult("unknown")
    team = await session.get(Team, invite.team_id)
    assert team is not None and person.id is not None
    existing = await membership(session, team_id=team.id or 0, person_id=person.id)
    if existing is not None and existing.active:
        person.active_team_id = team.id
        return JoinResult("already", team)
    if invite.revoked_at is not None:
        return JoinResult("revoked", team)
    if invite.expires_at is not None and invite.expires_at <= now:
        return JoinResult("expired", team)
    if invite.single_use and invite.uses > 0:
        return JoinResult("used", team)
    if existing is not None:
        existing.active = True
        existing.role = "rep"
        existing.joined_at = now
    else:
        session.add(
            Membership(team_id=team.id or 0, person_id=person.id, role="rep", joined_at=now)
        )
    invite.uses += 1
    person.active_team_id = team.id
    return JoinResult("joined", team)
