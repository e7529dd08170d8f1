"""Teams, memberships and invite codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, inspect, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Invite, Lead, Membership, Person, Team
from assistant.domain.invisible import visible_words
from assistant.i18n.hant import to_simplified
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.concurrency import lock
from assistant.services.errors import UserError

TEAM_NAME_LIMIT = 64
INVITE_DAYS = 7


@dataclass(frozen=True)
class JoinResult:
    status: str  # joined | already | unknown | expired | revoked | used
    team: Team | None = None


# session.info: (team_id, person_id) -> (the Team, the Membership), loaded earlier in the session
_LOADED: Final = "memberships"


def remember_membership(session: AsyncSession, team: Team, member: Membership) -> None:
    """Let `membership` answer from rows this session already loaded (the sender's own).

    Holding the team here also keeps it in the identity map (which holds objects weakly), so
    `session.get(Team, …)` finds it without a query.
    """
    session.info.setdefault(_LOADED, {})[member.team_id, member.person_id] = (team, member)


async def membership(session: AsyncSession, *, team_id: int, person_id: int) -> Membership | None:
    known: Membership | None
    _, known = session.info.get(_LOADED, {}).get((team_id, person_id), (None, None))
    # The query would return this same object from the identity map, unless it was deleted.
    if known is not None and inspect(known).persistent and known not in session.deleted:
        return known
    result = await session.exec(
        select(Membership).where(Membership.team_id == team_id, Membership.person_id == person_id)
    )
    return result.first()


_TEAM_COUNT: Final = "team_count"


def remember_team_count(session: AsyncSession, person: Person, count: int) -> None:
    session.info.setdefault(_TEAM_COUNT, {})[person.id] = count


async def shown_team(session: AsyncSession, person: Person, team: Team) -> Team | None:
    """The team to name on cards and reports: only for someone in more than one team."""
    count = session.info.get(_TEAM_COUNT, {}).get(person.id)
    if count is None:
        count = (
            await session.exec(
                select(func.count()).where(
                    Membership.person_id == person.id, col(Membership.active).is_(True)
                )
            )
        ).one()
        remember_team_count(session, person, count)
    return team if count > 1 else None


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
    session: AsyncSession, actor: Actor, *, single_use: bool, now: datetime, days: int = INVITE_DAYS
) -> tuple[Team, Invite]:
    team, member, person = actor.team, actor.member, actor.person
    if team.personal:
        raise UserError("invite_needs_team")
    permissions.require_manager(member)
    assert team.id is not None and person.id is not None
    invite = Invite(
        team_id=team.id,
        code=_new_code(),
        created_by=person.id,
        single_use=single_use,
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    session.add(invite)
    await session.flush()
    return team, invite


async def create_team(
    session: AsyncSession, *, person: Person, name: str, now: datetime
) -> tuple[Team, Invite]:
    cleaned = visible_words(name)
    if not cleaned:
        raise UserError("team_name_missing")
    if len(cleaned) > TEAM_NAME_LIMIT:
        raise UserError("team_name_too_long", limit=TEAM_NAME_LIMIT)
    assert person.id is not None
    team = Team(name=cleaned, owner_id=person.id, created_at=now)
    session.add(team)
    await session.flush()
    assert team.id is not None
    owner = Membership(team_id=team.id, person_id=person.id, role="owner", joined_at=now)
    session.add(owner)
    person.active_team_id = team.id
    session.info.get(_TEAM_COUNT, {}).pop(person.id, None)
    await session.flush()
    return await create_invite(session, Actor(person, team, owner), single_use=False, now=now)


async def join_team(
    session: AsyncSession, *, person: Person, code: str, now: datetime
) -> JoinResult:
    result = await session.exec(select(Invite).where(Invite.code == code))
    invite = result.first()
    if invite is None:
        return JoinResult("unknown")
    team = await session.get(Team, invite.team_id)
    assert team is not None and person.id is not None
    await lock(session, team, "created_at")  # the same person joining from two devices at once
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
    if not await _use_invite(session, invite):
        return JoinResult("used", team)  # someone else took this single-use link just now
    if existing is not None:
        existing.active = True
        existing.role = "rep"
        existing.joined_at = now
    else:
        session.add(
            Membership(team_id=team.id or 0, person_id=person.id, role="rep", joined_at=now)
        )
    person.active_team_id = team.id
    session.info.get(_TEAM_COUNT, {}).pop(person.id, None)
    return JoinResult("joined", team)


async def _use_invite(session: AsyncSession, invite: Invite) -> bool:
    """Count one use, in the database: a single-use link is used once even when two people
    open it at the same moment (the second finds `uses` already 1 and gets no row back)."""
    table = Invite.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == invite.id, or_(~table.c.single_use, table.c.uses == 0))
        .values(uses=table.c.uses + 1)
        .returning(table.c.uses)
    )
    connection = await session.connection()
    uses = (await connection.execute(statement)).scalar()
    if uses is None:
        return False
    set_committed_value(invite, "uses", uses)
    return True


# --- members, roles, removal and invites (PRODUCT.md 1 and 7) -------------------------------

ROLE_WORDS = {
    "owner": "owner", "所有者": "owner", "老板": "owner",
    "manager": "manager", "经理": "manager", "主管": "manager", "管理": "manager",
    "rep": "rep", "销售": "rep", "成员": "rep", "member": "rep",
}  # fmt: skip
SELF_WORDS = {"me", "myself", "我", "自己"}
INVITE_MAX_DAYS = 30


@dataclass(frozen=True)
class Member:
    """An active member as /members shows them: the short number is their place in the list."""

    number: int
    membership: Membership
    person: Person
    leads: int = 0

    @property
    def role(self) -> str:
        return self.membership.role


async def roster(session: AsyncSession, team_id: int, *, fresh: bool = False) -> list[Member]:
    """Active members in joining order, numbered from 1, with how many leads each owns.

    `fresh` re-reads memberships this session already loaded (after `lock`, to see changes
    that another transaction committed while this one waited)."""
    query = (
        select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)  # type: ignore[arg-type]
        .where(Membership.team_id == team_id, Membership.active)
        .order_by(Membership.joined_at, Membership.id)  # type: ignore[arg-type]
    )
    if fresh:
        query = query.execution_options(populate_existing=True)
    rows = (await session.exec(query)).all()
    counts = dict(
        (
            await session.exec(
                select(Lead.owner_id, func.count())
                .where(Lead.team_id == team_id, col(Lead.deleted_at).is_(None))
                .group_by(Lead.owner_id)  # type: ignore[arg-type]
            )
        ).all()
    )
    return [
        Member(index, member, person, int(counts.get(person.id, 0)))
        for index, (member, person) in enumerate(rows, start=1)
    ]


def _matches(person: Person, ref: str) -> int:
    """How well a typed reference names this person: 3 exact, 2 a whole word, 1 a prefix.

    Both are compared as simplified characters: 陳 and 陈 name the same 陳美玲."""
    name = to_simplified(person.name).casefold()
    if name == ref:
        return 3
    if ref in name.split():
        return 2
    return 1 if name.startswith(ref) else 0


def find_member(members: list[Member], ref: str, *, me: Person) -> Member:
    """A member by list number (`2`, `#2`), @username, name, or `me`."""
    cleaned = ref.strip()
    if not cleaned:
        raise UserError("member_missing")
    lowered = cleaned.casefold()
    if lowered in SELF_WORDS:
        found = [m for m in members if m.person.id == me.id]
    elif cleaned.lstrip("#").isdecimal():
        number = int(cleaned.lstrip("#"))
        found = [m for m in members if m.number == number]
    elif cleaned.startswith("@"):
        handle = lowered[1:]
        found = [m for m in members if (m.person.username or "").casefold() == handle]
    else:
        scored = [(_matches(m.person, to_simplified(lowered)), m) for m in members]
        best = max((score for score, _ in scored), default=0)
        found = [m for score, m in scored if score == best and score > 0]
    if not found:
        raise UserError("member_not_found", given=cleaned)
    if len(found) > 1:
        raise UserError(
            "member_ambiguous",
            given=cleaned,
            candidates=[(m.number, m.person.name) for m in found],
        )
    return found[0]


async def _locked_roster(
    session: AsyncSession, actor: Actor
) -> tuple[Team, Membership, list[Member]]:
    """The actor's team, locked, with its members (the actor's own role included) as they are
    now.

    Two owners demoting (or removing) each other at once must not leave the team without an
    owner: the second waits for the first and then counts the owners that are left.
    """
    team = actor.team
    await lock(session, team, "created_at")
    members = await roster(session, actor.team_id, fresh=True)
    me = next((m.membership for m in members if m.person.id == actor.person_id), None)
    return team, permissions.require_member(me), members


def parse_role(text: str) -> str:
    role = ROLE_WORDS.get(text.strip().casefold())
    if role is None:
        raise UserError("bad_role", given=text)
    return role


@dataclass(frozen=True)
class RoleChange:
    team: Team
    member: Member
    old: str
    new: str


async def change_role(session: AsyncSession, who: Actor, *, ref: str, role_text: str) -> RoleChange:
    team, actor, members = await _locked_roster(session, who)
    permissions.require_owner(actor)
    target = find_member(members, ref, me=who.person)
    new = parse_role(role_text)
    old = target.role
    if old == permissions.OWNER and new != permissions.OWNER:
        owners = [m for m in members if m.role == permissions.OWNER]
        if len(owners) <= 1:
            raise UserError("last_owner", name=target.person.name)
    if not permissions.can_change_role(actor, target.membership):
        raise UserError("not_owner")
    target.membership.role = new
    return RoleChange(team, target, old, new)


@dataclass(frozen=True)
class Removal:
    team: Team
    member: Member
    pooled: list[int]  # lead numbers now in the team pool


async def remove_member(session: AsyncSession, who: Actor, *, ref: str, now: datetime) -> Removal:
    """Deactivate a membership; the person's leads go to the team pool with their history."""
    from assistant.services.handover import reassign

    person = who.person
    team, actor, members = await _locked_roster(session, who)
    permissions.require_manager(actor)
    target = find_member(members, ref, me=person)
    if not permissions.can_remove(actor, target.membership):
        raise UserError("not_owner" if target.role in permissions.MANAGING else "not_manager")
    if target.role == permissions.OWNER:
        owners = [m for m in members if m.role == permissions.OWNER]
        if len(owners) <= 1:
            raise UserError("last_owner", name=target.person.name)
    assert team.id is not None and target.person.id is not None and person.id is not None
    leads = (
        await session.exec(
            select(Lead)
            .where(Lead.team_id == team.id, Lead.owner_id == target.person.id)
            .order_by(Lead.number)  # type: ignore[arg-type]
        )
    ).all()
    await reassign(session, leads=list(leads), to_id=None, actor_id=person.id, now=now)
    target.membership.active = False
    if target.person.active_team_id == team.id:
        target.person.active_team_id = None
    return Removal(team, target, [lead.number for lead in leads if lead.deleted_at is None])


def invite_state(invite: Invite, now: datetime) -> str:
    """active | revoked | expired | used"""
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    if invite.single_use and invite.uses > 0:
        return "used"
    return "active"


async def open_invites(
    session: AsyncSession, actor: Actor, *, now: datetime
) -> tuple[Team, list[Invite]]:
    team, member = actor.team, actor.member
    if team.personal:
        raise UserError("invite_needs_team")
    permissions.require_manager(member)
    invites = (
        await session.exec(
            select(Invite)
            .where(Invite.team_id == team.id, col(Invite.revoked_at).is_(None))
            .order_by(Invite.created_at, Invite.id)  # type: ignore[arg-type]
        )
    ).all()
    return team, [invite for invite in invites if invite_state(invite, now) == "active"]


async def revoke_invite(
    session: AsyncSession,
    actor: Actor,
    *,
    now: datetime,
    code: str | None = None,
    invite_id: int | None = None,
) -> Invite:
    """Revoke an invite of the actor's team; other teams' invites are "not found"."""
    team, member = actor.team, actor.member
    permissions.require_manager(member)
    query = select(Invite).where(Invite.team_id == team.id)
    if invite_id is not None:
        query = query.where(Invite.id == invite_id)
    else:
        cleaned = (code or "").strip().removeprefix("join_")
        if "start=join_" in cleaned:
            cleaned = cleaned.split("start=join_", 1)[1]
        query = query.where(Invite.code == cleaned)
    invite = (await session.exec(query)).first()
    if invite is None:
        raise UserError("invite_not_found", given=code or "")
    if invite.revoked_at is None:
        invite.revoked_at = now
    return invite


def parse_invite_days(text: str) -> int:
    """`3`, `3d`, `3天` -> 3; between 1 and INVITE_MAX_DAYS."""
    cleaned = text.strip().casefold().removesuffix("days").removesuffix("d").removesuffix("天")
    if not cleaned.isdecimal() or not 1 <= int(cleaned) <= INVITE_MAX_DAYS:
        raise UserError("bad_invite_days", given=text, limit=INVITE_MAX_DAYS)
    return int(cleaned)
