"""Looking leads up: who is asking (Actor), a lead by number or button, lists, search, history
and duplicates. A lead the person may not see is "not found", like one that does not exist."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Integer, bindparam, func, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import sqlite_thread
from assistant.db.models import Lead, LeadEvent, Person, Team
from assistant.domain import pipeline
from assistant.domain.capture import (
    NAME_LIMIT,
    normalize_phone,
)
from assistant.domain.localtime import local_day_bounds
from assistant.i18n.hant import typed_variants
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.leads.words import (
    FIND_LIMIT,
    GRADES,
    HISTORY_SIZE,
    PAGE_SIZE,
    _like,
    parse_number,
)
from assistant.services.teams import active_team, membership


async def actor_of(session: AsyncSession, person: Person) -> Actor:
    """The person in their active team, outside a unit of work (which resolves it itself)."""
    team, member = await active_team(session, person)
    return Actor(person, team, member)


async def actor_for_lead(session: AsyncSession, person: Person, lead: Lead) -> Actor:
    """The person in the lead's own team (a reminder may come from another team)."""
    team = await session.get(Team, lead.team_id)
    member = await membership(session, team_id=lead.team_id, person_id=person.id or 0)
    if team is None or member is None or not member.active:
        raise UserError("lead_not_found", number=lead.number)
    return Actor(person, team, member)


# The statements of every simple command, built once: a reused statement keeps its cache key.
_TEAM_LEAD = select(Lead).where(
    Lead.team_id == bindparam("team"), Lead.number == bindparam("number")
)
_OWN_LEAD = _TEAM_LEAD.where(Lead.owner_id == bindparam("owner"))
_EVENTS = LeadEvent.__table__.c  # type: ignore[attr-defined]
_LEAD_ID = sa_select(col(Lead.id)).where(
    col(Lead.team_id) == bindparam("team"), col(Lead.number) == bindparam("number")
)


def _history_of(lead_id: Any) -> Any:
    return (
        sa_select(_EVENTS.at, _EVENTS.kind, _EVENTS.from_value, _EVENTS.to_value, _EVENTS.payload)
        .where(_EVENTS.lead_id == lead_id)
        .order_by(_EVENTS.at.desc(), _EVENTS.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


_HISTORY = _history_of(bindparam("lead"))
# By team and number, as a command names the lead: it can go in the lead look-up's trip.
_HISTORY_BY_NUMBER = _history_of(_LEAD_ID.scalar_subquery())
CARD_HISTORY = 30  # the latest events a card reads to find the ones it shows
_READ_WITH_LEAD = "card history read with the lead"  # session.info key: lead id -> CardHistory


@dataclass
class CardHistory:
    """A lead's history read with the lead, before this update changed it, and the events the
    update has written for it since (record_event adds them): the card needs no read after
    the writes."""

    earlier: list[ShownEvent]
    written: list[LeadEvent] = field(default_factory=list)

    def newest_first(self) -> list[ShownEvent]:
        """What the history statement would return now: by time, newest first, and at the same
        time the last written first (a stable sort of the newest written first)."""
        rows = [*reversed(self.written), *self.earlier]
        return sorted(rows, key=lambda row: row.at, reverse=True)[:CARD_HISTORY]


def card_history(session: AsyncSession, lead_id: int | None) -> CardHistory | None:
    """The history read with this lead in this session (`with_history=True`), if any."""
    read: dict[int | None, CardHistory] = session.info.get(_READ_WITH_LEAD, {})
    return read.get(lead_id)


async def _prefetch_history(session: AsyncSession, statement: Any, params: dict[str, Any]) -> None:
    """SQLite: the card's history read goes in the trip of the lead's look-up, which comes next."""
    sqlite_thread.prefetch(await session.connection(), statement, params)


async def _read_history(
    session: AsyncSession, lead: Lead, statement: Any, params: dict[str, Any]
) -> None:
    rows = await (await session.connection()).execute(statement, params)
    session.info.setdefault(_READ_WITH_LEAD, {})[lead.id] = CardHistory(list(rows.all()))


async def get_lead(
    session: AsyncSession,
    scope: Actor,
    number: str | int,
    *,
    deleted: bool = False,
    with_history: bool = False,
) -> Lead:
    """A lead by its short per-team number; not visible or deleted reads as not found.

    `with_history`: its card's history is read too, in the same trip on SQLite; the card takes
    it from `card_history`.
    """
    value = number if isinstance(number, int) else parse_number(number)
    history_params = {"team": scope.team_id, "number": value, "limit": CARD_HISTORY}
    if with_history:
        await _prefetch_history(session, _HISTORY_BY_NUMBER, history_params)
    params: dict[str, Any] = {"team": scope.team_id, "number": value}
    sees_all = permissions.sees_all(scope.member)
    if not sees_all:  # as `permissions.lead_scope`
        params["owner"] = scope.person_id
    query = _TEAM_LEAD if sees_all else _OWN_LEAD
    lead = (await session.exec(query, params=params)).first()
    if lead is None or (lead.deleted_at is not None) != deleted:
        raise UserError("lead_not_found", number=value)
    if with_history:
        await _read_history(session, lead, _HISTORY_BY_NUMBER, history_params)
    return lead


async def get_lead_by_id(
    session: AsyncSession,
    scope: Actor,
    lead_id: str | int,
    *,
    deleted: bool = False,
    with_history: bool = False,
) -> Lead:
    """A lead by database id (from a signed button), with permissions re-checked;
    `with_history` as for `get_lead`."""
    try:
        value = int(lead_id)
    except ValueError:
        raise UserError("bad_button") from None
    history_params = {"lead": value, "limit": CARD_HISTORY}
    if with_history:
        await _prefetch_history(session, _HISTORY, history_params)
    lead = await session.get(Lead, value)
    if (
        lead is None
        or not permissions.can_view_lead(scope.member, lead)
        or (lead.deleted_at is not None) != deleted
    ):
        raise UserError("lead_not_found", number="")
    if with_history:
        await _read_history(session, lead, _HISTORY, history_params)
    return lead


class ShownEvent(Protocol):
    """What a lead's history shows of an event: a LeadEvent, or a row of `history`."""

    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def from_value(self) -> str | None: ...
    @property
    def to_value(self) -> str | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...


async def history(session: AsyncSession, lead: Lead, limit: int = HISTORY_SIZE) -> list[ShownEvent]:
    """The lead's latest events, newest first: plain rows of the shown columns."""
    await session.flush()  # as the ORM's autoflush would: events written so far are included
    connection = await session.connection()
    rows = await connection.execute(_HISTORY, {"lead": lead.id, "limit": limit})
    return list(rows.all())


async def owner_name(session: AsyncSession, lead: Lead) -> str:
    if lead.owner_id is None:
        return ""
    person = await session.get(Person, lead.owner_id)
    return person.name if person else ""


@dataclass
class Page:
    leads: list[Lead]
    page: int
    pages: int
    total: int
    filter: str


async def list_leads(
    session: AsyncSession, scope: Actor, *, filter_key: str, page: int, now: datetime
) -> Page:
    conditions = [*permissions.lead_scope(scope.member), col(Lead.deleted_at).is_(None)]
    open_stage = col(Lead.stage).not_in([pipeline.WON, pipeline.LOST])
    if filter_key in GRADES:
        conditions += [Lead.grade == filter_key, open_stage]
    elif filter_key == "overdue":
        conditions += [col(Lead.next_followup_at) < now, open_stage]
    elif filter_key == "today":
        start, end = local_day_bounds(scope.today(now), scope.person.timezone)
        conditions += [col(Lead.next_followup_at) >= start, col(Lead.next_followup_at) < end]
    elif filter_key:
        conditions.append(Lead.stage == filter_key)
    else:
        conditions.append(open_stage)
    total = (await session.exec(select(func.count()).select_from(Lead).where(*conditions))).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    order = (col(Lead.next_followup_at).is_(None), col(Lead.next_followup_at), col(Lead.number))
    # The page's ids come from the index alone; only those rows are read from the table.
    ids = (
        select(Lead.id)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    query = select(Lead).where(col(Lead.id).in_(ids)).order_by(*order)
    leads = list((await session.exec(query)).all())
    return Page(leads, page, pages, total, filter_key)


async def find_leads(session: AsyncSession, scope: Actor, query_text: str) -> list[Lead]:
    text = " ".join(query_text.split())
    if not text:
        raise UserError("find_needs_text")
    if len(text) > NAME_LIMIT:
        raise UserError("text_too_long", limit=NAME_LIMIT)
    # Names are stored as typed: 陈 finds 陈小姐, and 陳 (read as 陈) finds 陳小姐 too.
    matches: list[Any] = [
        func.lower(Lead.name).like(_like(variant.lower()), escape="\\")
        for variant in typed_variants(text)
    ]
    matches.append(func.lower(Lead.wechat).like(_like(text.lower()), escape="\\"))
    phone = normalize_phone(text, scope.team.phone_region)
    if phone is not None:
        matches.append(Lead.phone == phone)
        matches.append(Lead.wechat == phone)  # a WhatsApp id is a number
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4:
        matches.append(col(Lead.phone).like(_like(digits), escape="\\"))
    query = (
        select(Lead)
        .where(*permissions.lead_scope(scope.member), col(Lead.deleted_at).is_(None), or_(*matches))
        .order_by(col(Lead.number).desc())
        .limit(FIND_LIMIT)
    )
    return list((await session.exec(query)).all())


def _duplicates_query(by_phone: bool, by_wechat: bool) -> Any:
    # One look-up per key, each on its (team, phone) / (team, wechat) index. As one
    # `team AND (phone OR wechat) ORDER BY number` SQLite without statistics walks the team.
    team = Lead.team_id == bindparam("team")
    keys = [
        *([select(Lead.id).where(team, Lead.phone == bindparam("phone"))] if by_phone else []),
        *([select(Lead.id).where(team, Lead.wechat == bindparam("wechat"))] if by_wechat else []),
    ]
    return (
        select(Lead)
        .where(
            col(Lead.id).in_(union_all(*keys)),
            col(Lead.deleted_at).is_(None),
            col(Lead.id) != bindparam("lead"),
        )
        .order_by(col(Lead.number))
    )


_DUPLICATES = {
    (p, w): _duplicates_query(p, w) for p in (True, False) for w in (True, False) if p or w
}


async def duplicates_of(session: AsyncSession, scope: Actor, lead: Lead) -> tuple[list[Lead], bool]:
    if not lead.phone and not lead.wechat:
        return [], False
    query = _DUPLICATES[bool(lead.phone), bool(lead.wechat)]
    params = {"team": scope.team_id, "lead": lead.id, "phone": lead.phone, "wechat": lead.wechat}
    found = list((await session.exec(query, params=params)).all())
    visible = [d for d in found if permissions.sees_lead_of(scope.member, d.owner_id)]
    return visible, len(visible) < len(found)
