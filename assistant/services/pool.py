"""The team's lead pool: leads nobody owns yet (owner_id None), given out by managers or claimed.

- `/add … pool`, `/import pool` (or a caption with the word pool/线索池) put new leads there;
  `/remove` sends a removed member's leads there (services/handover.py).
- `/assign <numbers|all|前N> <member|auto>`: auto follows the team's "pool.mode" setting
  (assistant/domain/assignment.py) and skips members away (`/away <date>`).
- `/claim <n>`: a member takes one pool lead when the team allows it ("pool.claim").
- Stale leads come back to the pool (push kinds `pool_warn` and `pool_back`, see the bottom).
Every move writes one "assigned" event per lead (services/handover.reassign).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import and_, func, or_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import rollups
from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.domain import assignment, cadence, events, pipeline
from assistant.domain.capture import LeadDraft
from assistant.domain.dates import DateParseError, parse_date
from assistant.services import cadence_times, permissions
from assistant.services import leads as svc
from assistant.services.actor import Actor
from assistant.services.concurrency import hold, lock
from assistant.services.errors import UserError
from assistant.services.handover import ALL_WORDS, POOL_WORDS, parse_lead_numbers, reassign
from assistant.services.leads.events import record_event
from assistant.services.teams import Member, find_member, roster

PAGE_SIZE: Final = 10
CONVERSION_DAYS: Final = 90
AUTO_WORDS: Final = {"auto", "自动"}
OFF_WORDS: Final = {"off", "back", "关闭", "取消", "回来", "结束"}
ON_WORDS: Final = {"on", "yes", "开", "开启", "允许", "是"}
NO_WORDS: Final = {"off", "no", "关", "关闭", "禁止", "否"}
MAX_STALE_DAYS: Final = 365
_COUNT: Final = re.compile(r"^(?:前|first|n=?)(\d{1,4})(?:条|个)?$|^(\d{1,4})(?:条|个)$", re.I)
MODE_WORDS: Final = {
    "round_robin": assignment.ROUND_ROBIN, "round": assignment.ROUND_ROBIN,
    "rr": assignment.ROUND_ROBIN, "轮流": assignment.ROUND_ROBIN, "轮询": assignment.ROUND_ROBIN,
    "weighted": assignment.WEIGHTED, "weight": assignment.WEIGHTED,
    "加权": assignment.WEIGHTED, "按能力": assignment.WEIGHTED,
}  # fmt: skip
SETTING_WORDS: Final = {
    "mode": "mode", "方式": "mode", "分配": "mode",
    "claim": "claim", "认领": "claim", "抢": "claim",
    "stale": "stale_days", "stale_days": "stale_days", "回收": "stale_days",
    "stale_a": "stale_days_a", "stale_days_a": "stale_days_a", "a回收": "stale_days_a",
}  # fmt: skip

ROLLUP_CHUNK: Final = 5000  # leads per rollup statement: PostgreSQL takes 32,767 parameters


def is_pool_word(word: str) -> bool:
    return word.strip().casefold() in POOL_WORDS


def config(team: Team) -> dict[str, Any]:
    return assignment.pool_settings(team.settings)


def _put_settings(team: Team, key: str, value: Any) -> None:
    """A new dict, so the JSON column is written."""
    team.settings = {**(team.settings or {}), key: value}


def away_map(team: Team) -> dict[int, date]:
    stored = (team.settings or {}).get("away") or {}
    result: dict[int, date] = {}
    for key, value in stored.items():
        try:
            result[int(key)] = date.fromisoformat(str(value))
        except ValueError:
            continue
    return result


# ------------------------------------------------------------------ new leads into the pool


async def to_pool_on_create(session: AsyncSession, lead: Lead) -> None:
    """A lead just created by `create_lead` belongs to the pool instead of its creator.

    Its events say so too (owner none), and nobody is reminded until someone owns it.
    """
    lead.owner_id = None
    lead.next_followup_at = None
    await session.flush()
    await rollups.moving(session, [rollups.EVENT.c.lead_id == lead.id], owner=None)
    await session.exec(
        update(LeadEvent)
        .where(col(LeadEvent.lead_id) == lead.id)
        .values(owner_id=None)
        .execution_options(synchronize_session=False)
    )


async def add_to_pool(
    session: AsyncSession, scope: Actor, draft: LeadDraft, now: datetime
) -> svc.Saved:
    permissions.require_manager(scope.member)
    saved = await svc.create_lead(session, scope, draft, now)
    await to_pool_on_create(session, saved.lead)
    return saved


# ------------------------------------------------------------------ looking at the pool


def _open_pool(team_id: int) -> list[Any]:
    return [
        Lead.team_id == team_id,
        col(Lead.owner_id).is_(None),
        col(Lead.deleted_at).is_(None),
        col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
    ]


@dataclass
class PoolPage:
    leads: list[Lead]
    page: int
    pages: int
    total: int
    settings: dict[str, Any]
    away: list[tuple[str, date]] = field(default_factory=list)


async def pool_page(session: AsyncSession, scope: Actor, page: int, now: datetime) -> PoolPage:
    permissions.require_manager(scope.member)
    conditions = _open_pool(scope.team_id)
    total = (await session.exec(select(func.count()).select_from(Lead).where(*conditions))).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = (
        select(Lead)
        .where(*conditions)
        .order_by(col(Lead.grade), col(Lead.number))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    leads = list((await session.exec(query)).all())
    today = scope.today(now)
    members = {m.person.id: m.person.name for m in await roster(session, scope.team_id)}
    away = [
        (members[pid], until)
        for pid, until in sorted(away_map(scope.team).items())
        if pid in members and until >= today
    ]
    return PoolPage(leads, page, pages, total, config(scope.team), away)


# ------------------------------------------------------------------ giving leads out


async def candidates(
    session: AsyncSession, team: Team, members: list[Member], now: datetime
) -> list[assignment.Candidate]:
    """The people auto-assignment may pick: the reps (everyone, in a team with no reps)."""
    chosen = [m for m in members if m.role == "rep"] or members
    ids = [m.person.id for m in chosen if m.person.id is not None]
    load = dict(
        (
            await session.exec(
                select(Lead.owner_id, func.count())
                .where(
                    Lead.team_id == team.id,
                    col(Lead.owner_id).in_(ids),
                    col(Lead.deleted_at).is_(None),
                    col(Lead.grade).in_(["A", "B"]),
                    col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
                )
                .group_by(col(Lead.owner_id))
            )
        ).all()
    )
    closed: dict[tuple[int, str], int] = {}
    rows = await session.exec(
        select(LeadEvent.owner_id, LeadEvent.to_value, func.count())
        .where(
            LeadEvent.team_id == team.id,
            LeadEvent.kind == events.STAGE,
            col(LeadEvent.to_value).in_([pipeline.WON, pipeline.LOST]),
            col(LeadEvent.owner_id).in_(ids),
            col(LeadEvent.at) >= now - timedelta(days=CONVERSION_DAYS),
        )
        .group_by(col(LeadEvent.owner_id), col(LeadEvent.to_value))
    )
    for owner_id, stage, count in rows.all():
        if owner_id is None:
            continue
        closed[(int(owner_id), str(stage))] = int(count)
    away = away_map(team)
    return [
        assignment.Candidate(
            person_id=pid,
            away_until=away.get(pid),
            open_ab=int(load.get(pid, 0)),
            won=closed.get((pid, pipeline.WON), 0),
            lost=closed.get((pid, pipeline.LOST), 0),
        )
        for pid in ids
    ]


async def give(
    session: AsyncSession,
    *,
    leads: list[Lead],
    to_id: int,
    actor_id: int,
    now: datetime,
    changed: str = "leads_changed",
) -> int:
    """Hand leads to a person: assigned events, and a first follow-up within the hour.

    A lead created straight into the pool has its creation events (created, phone, WeChat)
    without an owner; its first owner takes them, so their new-lead count and rates include it.
    """
    moved = await reassign(
        session, leads=leads, to_id=to_id, actor_id=actor_id, now=now, changed=changed
    )
    taken, ids = rollups.EVENT.c, [lead.id for lead in leads]
    for first in range(0, len(ids), ROLLUP_CHUNK):  # the statement names the ids twice
        await rollups.moving(
            session,
            [
                taken.lead_id.in_(ids[first : first + ROLLUP_CHUNK]),
                taken.owner_id.is_(None),
                taken.kind.in_([events.CREATED, events.PHONE, events.WECHAT]),
            ],
            owner=to_id,
        )
    await session.exec(
        update(LeadEvent)
        .where(
            col(LeadEvent.lead_id).in_([lead.id for lead in leads]),
            col(LeadEvent.owner_id).is_(None),
            col(LeadEvent.kind).in_([events.CREATED, events.PHONE, events.WECHAT]),
        )
        .values(owner_id=to_id)
        .execution_options(synchronize_session=False)
    )
    for lead in leads:
        if lead.id is None or pipeline.is_closed(lead.stage):
            continue
        when = await cadence_times.land_for_lead(
            session, lead, cadence.first_followup(now), now, first_contact=True
        )
        lead.next_followup_at, lead.followup_manual = when, False
        record_event(
            session, lead_id=lead.id, team_id=lead.team_id, owner_id=to_id, actor_id=actor_id,
            kind=events.FOLLOWUP, to_value=when.isoformat(timespec="minutes"),
            payload={"reason": "cadence"}, at=now,
        )  # fmt: skip
    await session.flush()
    return moved


@dataclass
class Assignment:
    team: Team
    given: dict[int, list[Lead]]  # person id -> leads
    people: dict[int, Person]
    mode: str | None  # None: a named member


def _pick_count(words: list[str]) -> int | None:
    if len(words) == 2 and words[0].casefold() in {"first", "前"}:
        count = words[1]
        return int(count) if count.isdecimal() and len(count) <= 4 else None
    if len(words) == 1:
        match = _COUNT.match(words[0])
        if match:
            return int(match.group(1) or match.group(2))
    return None


async def assign_from_pool(
    session: AsyncSession, scope: Actor, args: list[str], now: datetime
) -> Assignment:
    """`/assign 12 13 bob`, `/assign all auto`, `/assign 前20 auto`."""
    permissions.require_manager(scope.member)
    if len(args) < 2:
        raise UserError("assign_usage")
    *picks, target = args
    members = await roster(session, scope.team_id)
    named: Member | None = None
    if target.casefold() not in AUTO_WORDS:
        named = find_member(members, target, me=scope.person)
    conditions = _open_pool(scope.team_id)
    count = _pick_count(picks)
    order = (col(Lead.grade), col(Lead.number))
    if count is not None:
        query = select(Lead).where(*conditions).order_by(*order).limit(count)
        leads = list((await session.exec(query)).all())
    else:
        if len(picks) == 1 and picks[0].casefold() in ALL_WORDS:
            wanted = None
        else:
            wanted = parse_lead_numbers(picks)
        query = select(Lead).where(*conditions)
        if wanted is not None:
            query = query.where(col(Lead.number).in_(wanted))
        leads = list((await session.exec(query.order_by(*order))).all())
        if wanted is not None:
            missing = sorted(set(wanted) - {lead.number for lead in leads})
            if missing:
                raise UserError("assign_not_in_pool", numbers=missing[:20])
    if not leads:
        raise UserError("pool_empty")
    people: dict[int, Person] = {m.person.id: m.person for m in members if m.person.id}
    if named is not None:
        assert named.person.id is not None
        plan = [named.person.id] * len(leads)
        mode = None
    else:
        settings = config(scope.team)
        mode = str(settings["mode"])
        last = (scope.team.settings or {}).get("pool_last")
        try:
            plan = assignment.assign(
                mode,
                await candidates(session, scope.team, members, now),
                len(leads),
                scope.today(now),
                int(last) if isinstance(last, int) else None,
            )
        except assignment.NobodyAvailable:
            raise UserError("assign_nobody") from None
        _put_settings(scope.team, "pool_last", plan[-1])
    given: dict[int, list[Lead]] = {}
    for lead, person_id in zip(leads, plan, strict=True):
        given.setdefault(person_id, []).append(lead)
    for person_id, batch in given.items():
        await give(session, leads=batch, to_id=person_id, actor_id=scope.person_id, now=now)
    return Assignment(scope.team, given, people, mode)


async def claim(session: AsyncSession, scope: Actor, text: str, now: datetime) -> Lead:
    if not permissions.may_claim_from_pool(
        scope.member, members_may_claim=config(scope.team)["claim"]
    ):
        raise UserError("claim_off")
    number = svc.parse_number(text) if text.strip() else None
    if number is None:
        raise UserError("claim_usage")
    lead = (
        await session.exec(select(Lead).where(*_open_pool(scope.team_id), Lead.number == number))
    ).first()
    if lead is None:
        raise UserError("assign_not_in_pool", numbers=[number])
    await give(
        session, leads=[lead], to_id=scope.person_id, actor_id=scope.person_id, now=now,
        changed="claim_taken",
    )  # fmt: skip
    return lead


# ------------------------------------------------------------------ away and settings


async def set_away(
    session: AsyncSession, scope: Actor, text: str, now: datetime
) -> tuple[date | None, Person]:
    """`/away 12月5日` (away up to and including that day) or `/away off`; a manager may name a
    member first (`/away carol 12月5日`). Returns the day (None: back) and who it is about."""
    words = text.split()
    target = scope.person
    if len(words) >= 2 and permissions.may_mark_others_away(scope.member):
        members = await roster(session, scope.team_id)
        try:
            target = find_member(members, words[0], me=scope.person).person
            text = " ".join(words[1:])
        except UserError:  # not a member: the whole text is the date (`/away next Sunday`)
            target = scope.person
    cleaned = text.strip()
    if not cleaned:
        raise UserError("away_usage")
    await lock(session, scope.team, "created_at")  # two people marking themselves away at once
    stored = dict((scope.team.settings or {}).get("away") or {})
    key = str(target.id)
    if cleaned.casefold() in OFF_WORDS:
        stored.pop(key, None)
        _put_settings(scope.team, "away", stored)
        return None, target
    try:
        until = parse_date(cleaned, scope.today(now))
    except DateParseError:
        raise UserError("away_usage", given=cleaned[:40]) from None
    stored[key] = until.isoformat()
    _put_settings(scope.team, "away", stored)
    return until, target


async def change_setting(
    session: AsyncSession, scope: Actor, key_text: str, value_text: str
) -> tuple[str, Any]:
    permissions.require_manager(scope.member)
    key = SETTING_WORDS.get(key_text.strip().casefold())
    value = value_text.strip().casefold()
    result: Any
    if key == "mode" and value in MODE_WORDS:
        result = MODE_WORDS[value]
    elif key == "claim" and value in ON_WORDS | NO_WORDS:
        result = value in ON_WORDS
    elif key in {"stale_days", "stale_days_a"} and value.isdecimal():
        result = int(value)
        if not 1 <= result <= MAX_STALE_DAYS:
            raise UserError("pool_setting_usage", given=value_text[:40])
    else:
        raise UserError("pool_setting_usage", given=f"{key_text} {value_text}".strip()[:40])
    await lock(session, scope.team, "created_at")  # another manager's change is kept too
    stored = dict((scope.team.settings or {}).get("pool") or {})
    stored[key] = result
    _put_settings(scope.team, "pool", stored)
    return key, result


# ------------------------------------------------------------------ stale leads


@dataclass(frozen=True)
class StaleLead:
    lead: Lead
    touch: datetime


async def stale_candidates(session: AsyncSession, now: datetime) -> list[tuple[Team, StaleLead]]:
    """Given-out open leads untouched long enough to be warned about, with their last touch.

    Only leads that were assigned (from the pool, by /handover or a reassign button) go back:
    a lead a rep captured themselves stays theirs, and overdue ones follow the escalation ladder.
    """
    teams = {
        team.id: team
        for team in (await session.exec(select(Team).where(col(Team.personal).is_(False)))).all()
    }
    by_offset: dict[timedelta, list[int]] = {}
    for team_id, team in teams.items():
        settings = config(team)
        shortest = min(int(settings["stale_days"]), int(settings["stale_days_a"]))
        offset = timedelta(days=shortest) - assignment.WARNING_BEFORE
        by_offset.setdefault(offset, []).append(int(team_id or 0))
    touch = func.coalesce(col(Lead.last_contact_at), col(Lead.created_at))
    windows = [
        and_(col(Lead.team_id).in_(ids), touch <= now - offset) for offset, ids in by_offset.items()
    ]
    if not windows:
        return []
    leads = list(
        (
            await session.exec(
                select(Lead).where(
                    col(Lead.owner_id).is_not(None),
                    col(Lead.deleted_at).is_(None),
                    col(Lead.stage).not_in([pipeline.WON, pipeline.LOST]),
                    or_(*windows),
                    col(Lead.id).in_(
                        select(LeadEvent.lead_id).where(LeadEvent.kind == events.ASSIGNED)
                    ),
                )
            )
        ).all()
    )
    if not leads:
        return []
    assigned = dict(
        (
            await session.exec(
                select(LeadEvent.lead_id, func.max(LeadEvent.at))
                .where(
                    LeadEvent.kind == events.ASSIGNED,
                    col(LeadEvent.lead_id).in_([lead.id for lead in leads]),
                )
                .group_by(col(LeadEvent.lead_id))
            )
        ).all()
    )
    result: list[tuple[Team, StaleLead]] = []
    for lead in leads:
        moments = [lead.last_contact_at or lead.created_at]
        if lead.id in assigned and assigned[lead.id] is not None:
            moments.append(assigned[lead.id])
        result.append((teams[lead.team_id], StaleLead(lead, max(moments))))
    return result


async def return_to_pool(session: AsyncSession, lead: Lead, now: datetime) -> int | None:
    """The system takes a stale lead back; returns the old owner's id, or None when the owner
    touched it (or it moved) while the planner was deciding: then it stays where it is."""
    assert lead.id is not None
    if not await hold(session, lead, "owner_id", "stage", "last_contact_at", "deleted_at"):
        return None
    old = lead.owner_id
    record_event(
        session, lead_id=lead.id, team_id=lead.team_id, owner_id=None, actor_id=None,
        kind=events.ASSIGNED, from_value=None if old is None else str(old), to_value=None,
        payload={"by": None, "reason": "stale"}, at=now,
    )  # fmt: skip
    lead.owner_id = None
    lead.next_followup_at = None
    lead.updated_at = now
    return old


async def managers_of(session: AsyncSession, team_id: int) -> list[Person]:
    rows = await session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            Membership.team_id == team_id,
            Membership.active,
            col(Membership.role).in_(list(permissions.MANAGING)),
        )
    )
    return list(rows.all())
