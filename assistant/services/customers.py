"""Customers (won leads): after-sale check-ins, satisfaction, referrals and their revenue.

- The after-sale visit at +30 days is the follow-up cadence (reminder from Lead.next_followup_at).
- Push kind `aftersale`: check-ins before and after the event date (domain/retention.py); the
  one after the event carries a referral ask from the scripts library.
- `/customer 12 5 很满意`: a satisfaction note; a happy customer gets a referral ask at once.
- `/add … 介绍人:12` links the new lead to customer #12 (table Referral); `/customers` lists
  customers with referrals made and the revenue they brought.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Final, Protocol

from sqlalchemy import bindparam, func, literal, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import CustomerNote, Lead, LeadEvent, Outbox, Person, Referral, Team
from assistant.domain import events, pipeline, retention
from assistant.domain.capture import LeadDraft
from assistant.domain.localtime import local_today
from assistant.domain.periods import Period
from assistant.domain.quiet_hours import next_allowed
from assistant.domain.sources import REFERRAL
from assistant.i18n.hant import as_typed
from assistant.render.formats import money
from assistant.scheduling.outbox import existing_keys
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.services import analytics, permissions, scripts
from assistant.services import leads as svc
from assistant.services.actions import Action
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.leads.events import record_event
from assistant.services.pushes import quiet_of

AFTERSALE: Final = "aftersale"
PAGE_SIZE: Final = 10
NOTE_LIMIT: Final = 500
PLAN_GRACE: Final = timedelta(days=2)


# ------------------------------------------------------------------ referrals


async def _won_leads(session: AsyncSession, team_id: int) -> list[Lead]:
    """The team's won (customer) leads that are not deleted."""
    rows = await session.exec(
        select(Lead).where(
            Lead.team_id == team_id,
            col(Lead.deleted_at).is_(None),
            Lead.stage == pipeline.WON,
        )
    )
    return list(rows.all())


async def _won_at(session: AsyncSession, lead_ids: list[Any]) -> dict[Any, Any]:
    """When each lead was (last) won, by lead id."""
    rows = await session.exec(
        select(LeadEvent.lead_id, func.max(LeadEvent.at))
        .where(
            col(LeadEvent.lead_id).in_(lead_ids),
            LeadEvent.kind == events.STAGE,
            LeadEvent.to_value == pipeline.WON,
        )
        .group_by(col(LeadEvent.lead_id))
    )
    return dict(rows.all())


async def find_customer(session: AsyncSession, scope: Actor, number: int) -> Lead:
    lead = await svc.get_lead(session, scope, number)
    if lead.stage != pipeline.WON:
        raise UserError("referrer_not_customer", number=number)
    return lead


def referred_draft(draft: LeadDraft) -> LeadDraft:
    """A referred lead's source is a referral unless given, and its intent is strong."""
    if not draft.source:
        draft.source = REFERRAL
    draft.strong_intent = True
    return draft


async def link_referral(
    session: AsyncSession, scope: Actor, lead: Lead, customer: Lead, now: datetime
) -> None:
    assert lead.id is not None and customer.id is not None
    session.add(Referral(team_id=scope.team_id, lead_id=lead.id, customer_id=customer.id,
                         created_by=scope.person_id, at=now))  # fmt: skip
    record_event(
        session, lead_id=lead.id, team_id=lead.team_id, owner_id=lead.owner_id,
        actor_id=scope.person_id, kind=events.NOTE,
        payload={"note": f"#{customer.number} {customer.name}", "referred_by": customer.number},
        at=now,
    )  # fmt: skip
    await session.flush()


# ------------------------------------------------------------------ /customers


@dataclass
class CustomerRow:
    lead: Lead
    won_at: datetime | None
    referrals: int = 0
    referral_revenue: float = 0.0
    satisfaction: int | None = None


@dataclass
class CustomerPage:
    rows: list[CustomerRow]
    page: int
    pages: int
    total: int
    revenue: float
    referral_revenue: float
    repeat_revenue: float


async def customers_page(session: AsyncSession, scope: Actor, page: int) -> CustomerPage:
    conditions: list[Any] = [
        *permissions.lead_scope(scope.member),
        col(Lead.deleted_at).is_(None),
        Lead.stage == pipeline.WON,
    ]
    won = list((await session.exec(select(Lead).where(*conditions).order_by(col(Lead.id)))).all())
    won_ids = [lead.id for lead in won]
    referred = dict(
        (
            await session.exec(
                select(Referral.lead_id, Referral.customer_id).where(
                    Referral.team_id == scope.team_id
                )
            )
        ).all()
    )
    team_won = {lead.id: lead for lead in await _won_leads(session, scope.team_id)}
    won_at = await _won_at(session, won_ids)
    notes: dict[int, int | None] = {}
    for lead_id, score in (
        await session.exec(
            select(CustomerNote.lead_id, CustomerNote.satisfaction)
            .where(col(CustomerNote.lead_id).in_(won_ids))
            .order_by(col(CustomerNote.at), col(CustomerNote.id))
        )
    ).all():
        if score is not None:
            notes[lead_id] = score
    rows: dict[int, CustomerRow] = {
        lead.id or 0: CustomerRow(
            lead, won_at.get(lead.id or 0), satisfaction=notes.get(lead.id or 0)
        )
        for lead in won
    }
    made: dict[int, int] = {}
    for lead_id, customer_id in referred.items():
        made[customer_id] = made.get(customer_id, 0) + 1
        row = rows.get(customer_id)
        if row is not None and lead_id in team_won:
            row.referral_revenue += team_won[lead_id].amount or 0.0
    for customer_id, count in made.items():
        if customer_id in rows:
            rows[customer_id].referrals = count
    ordered = sorted(
        rows.values(), key=lambda r: (-r.referrals, -(r.lead.amount or 0), r.lead.number)
    )
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    revenue = sum(lead.amount or 0.0 for lead in won)
    referral_revenue = sum(lead.amount or 0.0 for lead in won if lead.id in referred)
    return CustomerPage(
        ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, pages, len(ordered),
        revenue, referral_revenue, _repeat_revenue(won, won_at),
    )  # fmt: skip


class _Deal(Protocol):
    """What the repeat rule reads of a won lead: a Lead, or a row of just these columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def wechat(self) -> str | None: ...
    @property
    def amount(self) -> float | None: ...
    @property
    def created_at(self) -> datetime: ...


def _repeat_ids(won: Sequence[_Deal], won_at: dict[Any, Any]) -> set[int]:
    """Deals with a phone or WeChat that had already bought before (a returning customer)."""
    seen: set[str] = set()
    repeats: set[int] = set()
    ordered = sorted(won, key=lambda lead: (won_at.get(lead.id) or lead.created_at, lead.id or 0))
    for lead in ordered:
        keys = {f"p:{lead.phone}" if lead.phone else "", f"w:{lead.wechat}" if lead.wechat else ""}
        keys.discard("")
        if keys & seen and lead.id is not None:
            repeats.add(lead.id)
        seen |= keys
    return repeats


def _repeat_revenue(won: Sequence[_Deal], won_at: dict[Any, Any]) -> float:
    repeats = _repeat_ids(won, won_at)
    return sum(lead.amount or 0.0 for lead in won if lead.id in repeats)


# Only the columns the split reads: loading whole Lead objects cost more than the queries.
_DEAL_COLUMNS = (
    col(Lead.id),
    col(Lead.phone),
    col(Lead.wechat),
    col(Lead.amount),
    col(Lead.created_at),
)


async def own_summary(
    session: AsyncSession, actor: Actor, *, period: Period, now: datetime
) -> dict[str, Any]:
    """The /summary of the actor's own numbers (analytics.summary) with where the revenue of
    their deals came from: referrals and repeat customers (`retention`)."""
    view = await analytics.summary(session, actor, period=period, now=now)
    return {**view, "retention": await revenue_split(session, actor, period=period)}


async def revenue_split(session: AsyncSession, scope: Actor, *, period: Period) -> dict[str, str]:
    """Of the actor's deals won in a local period: revenue from referrals and from repeats.

    One statement: the deals (won in the period, still won, not deleted) and the team's won
    leads sharing a phone or WeChat with one of them, each with when it was last won and
    whether it came by referral. A deal is a repeat when an earlier won deal shares its phone
    or WeChat, so only those leads can matter: no need to load every customer of the team.
    One branch per key rather than `phone IN … OR wechat IN …`: each then uses its own index.
    """
    start, end = analytics.utc_bounds(period, scope.person.timezone)
    connection = await session.connection()
    found_rows = await connection.execute(
        _split_statement(),
        {"team_id": scope.team_id, "person_id": scope.person_id, "start": start, "end": end},
    )
    rows: list[Any] = list(found_rows.all())
    if not rows:
        return {"referral": "", "repeat": ""}
    found: dict[int, Any] = {}
    won_when: dict[Any, Any] = {}
    mine: dict[int, bool] = {}  # the actor's deals: id -> came by referral
    for lead_id, phone, wechat, amount, created_at, last_won, own, referral_of in rows:
        found[lead_id] = _DealRow(lead_id, phone, wechat, amount, created_at)
        if last_won is not None:
            won_when[lead_id] = last_won
        if own:
            mine[lead_id] = bool(referral_of)
    # Leads with neither key cannot be repeats nor make one: the candidates are all the rows.
    repeats = _repeat_ids(list(found.values()), won_when)
    referral = sum(found[i].amount or 0.0 for i, referred_lead in mine.items() if referred_lead)
    repeat = sum(found[i].amount or 0.0 for i in mine if i in repeats)
    return {"referral": _money(referral), "repeat": _money(repeat)}


@dataclass(frozen=True)
class _DealRow:
    """A won lead as the repeat rule reads it (_Deal), from revenue_split's one statement."""

    id: int
    phone: str | None
    wechat: str | None
    amount: float | None
    created_at: datetime


@cache
def _split_statement() -> Any:
    """revenue_split's one statement, built once: bound team_id, person_id, start and end."""
    won_ids = sa_select(col(LeadEvent.lead_id)).where(
        col(LeadEvent.team_id) == bindparam("team_id"),
        col(LeadEvent.owner_id) == bindparam("person_id"),
        col(LeadEvent.kind) == events.STAGE,
        col(LeadEvent.to_value) == pipeline.WON,
        col(LeadEvent.at) >= bindparam("start"),
        col(LeadEvent.at) < bindparam("end"),
    )
    still_won = (col(Lead.deleted_at).is_(None), col(Lead.stage) == pipeline.WON)
    won_at = (
        sa_select(func.max(col(LeadEvent.at)))
        .where(
            col(LeadEvent.lead_id) == col(Lead.id),
            col(LeadEvent.kind) == events.STAGE,
            col(LeadEvent.to_value) == pipeline.WON,
        )
        .scalar_subquery()
    )
    referred = sa_select(col(Referral.lead_id)).where(col(Referral.lead_id) == col(Lead.id))
    branches = [
        sa_select(*_DEAL_COLUMNS, won_at, literal(1), referred.exists()).where(
            col(Lead.id).in_(won_ids), *still_won
        )
    ]
    deal = aliased(Lead)  # the deals' own keys, not correlated with the branch's lead
    for column, key in ((col(Lead.phone), col(deal.phone)), (col(Lead.wechat), col(deal.wechat))):
        keys = sa_select(key).where(
            col(deal.id).in_(won_ids),
            col(deal.deleted_at).is_(None),
            col(deal.stage) == pipeline.WON,
            key.is_not(None),
            key != "",
        )
        branches.append(
            sa_select(*_DEAL_COLUMNS, won_at, literal(0), literal(False)).where(
                col(Lead.team_id) == bindparam("team_id"), column.in_(keys), *still_won
            )
        )
    return union_all(*branches)


def _money(value: float) -> str:
    return money(value) if value else ""


# ------------------------------------------------------------------ satisfaction


@dataclass
class Satisfaction:
    lead: Lead
    score: int
    note: str
    ask: scripts.RenderedScript | None


async def record_satisfaction(
    session: AsyncSession, scope: Actor, text: str, now: datetime
) -> Satisfaction:
    words = text.split(maxsplit=2)
    if len(words) < 2 or not words[1].isdecimal() or not 1 <= int(words[1]) <= 5:
        raise UserError("customer_usage")
    lead = await find_customer(session, scope, svc.parse_number(words[0]))
    note = as_typed(" ".join(words[2].split())) if len(words) > 2 else ""
    if len(note) > NOTE_LIMIT:
        raise UserError("text_too_long", limit=NOTE_LIMIT)
    score = int(words[1])
    assert lead.id is not None
    session.add(CustomerNote(team_id=scope.team_id, lead_id=lead.id, satisfaction=score,
                             note=note, created_by=scope.person_id, at=now))  # fmt: skip
    record_event(
        session, lead_id=lead.id, team_id=lead.team_id, owner_id=lead.owner_id,
        actor_id=scope.person_id, kind=events.NOTE,
        payload={"note": f"★{score} {note}".strip(), "satisfaction": score}, at=now,
    )  # fmt: skip
    ask = None
    if retention.asks_referral(score):
        ask = referral_ask(lead, scope.person, scope.team, now)
    return Satisfaction(lead, score, note, ask)


def referral_ask(
    lead: Lead, person: Person, team: Team, now: datetime
) -> scripts.RenderedScript | None:
    return scripts.suggest_for_lead(
        lead, locale=person.locale, rep_name=person.rep_name, team_settings=team.settings,
        pipeline=team.pipeline, team_name=None if team.personal else team.name, now=now,
        situation="referral",
    )  # fmt: skip


# ------------------------------------------------------------------ after-sale check-ins


async def plan_aftersale(ctx: PlanContext) -> list[PushDraft]:
    """Check-ins before and after the event date for every customer with an owner."""
    today = ctx.now.date()
    leads = list(
        (
            await ctx.session.exec(
                select(Lead).where(
                    Lead.stage == pipeline.WON,
                    col(Lead.owner_id).is_not(None),
                    col(Lead.deleted_at).is_(None),
                    col(Lead.event_date).is_not(None),
                    col(Lead.event_date) <= today + timedelta(days=retention.CHECK_BEFORE + 1),
                    col(Lead.event_date) >= today - timedelta(days=retention.CHECK_AFTER + 3),
                )
            )
        ).all()
    )
    if not leads:
        return []
    owners = {
        p.id: p
        for p in (
            await ctx.session.exec(
                select(Person).where(col(Person.id).in_({lead.owner_id for lead in leads}))
            )
        ).all()
    }
    wanted: list[tuple[str, Lead, Person, str, datetime]] = []
    for lead in leads:
        owner = owners.get(lead.owner_id)
        if owner is None or owner.chat_id is None or not owner.reachable:
            continue
        won_on = local_today(lead.updated_at, owner.timezone)
        for step, day in retention.checkins(lead.event_date, won_on).items():
            due = retention.due_at(day, owner.timezone)
            if due <= ctx.now < due + PLAN_GRACE:
                wanted.append((f"{AFTERSALE}:{lead.id}:{step}", lead, owner, step, due))
    existing = await existing_keys(ctx.session, [key for key, *_ in wanted])
    return [
        PushDraft(
            kind=AFTERSALE,
            dedupe_key=key,
            chat_id=owner.chat_id or 0,
            due_at=next_allowed(max(due, ctx.now), owner.timezone, quiet_of(owner)),
            person_id=owner.id,
            team_id=lead.team_id,
            payload={"lead": lead.id, "step": step},
        )
        for key, lead, owner, step, due in wanted
        if key not in existing
    ]


async def render_aftersale(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    lead = await ctx.session.get(Lead, int(row.payload.get("lead", 0)))
    person = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if lead is None or person is None or lead.owner_id != person.id or lead.deleted_at:
        return None
    if lead.stage != pipeline.WON:
        return None
    if not await permissions.may_receive_push(
        ctx.session, person=person, team_id=lead.team_id, owner_id=lead.owner_id
    ):
        return None
    team = await ctx.session.get(Team, lead.team_id)
    assert team is not None
    step = str(row.payload.get("step"))
    ask = referral_ask(lead, person, team, ctx.now) if step == "after" else None
    context = {"lead": lead, "step": step, "ask": ask.text if ask else ""}
    keys = [
        [
            Action("lead_buttons.log", "lg", (lead.id,)),
            Action("work_buttons.fu_open", "lead", (lead.id,)),
        ]
    ]
    return PushMessage("customers/checkin", context, person.locale, keys)


register_push_kind(AFTERSALE, plan=plan_aftersale, render=render_aftersale)
