"""Stale leads go back to the pool (push kinds `pool_warn` and `pool_back`).

Personal teams (one person using the bot alone) have no pool to return to and are left out.
On every planner tick: an owned open lead untouched for its limit minus a day gets a warning
to its owner; once the limit has passed and the warning went out at least 12 hours before,
the lead returns to the pool (an "assigned" event to nobody) and the owner and the team's
managers are told. The rules are in assistant/domain/assignment.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlmodel import col, select

from assistant.db.models import Lead, Outbox, Person
from assistant.domain import assignment
from assistant.domain.quiet_hours import next_allowed
from assistant.domain.team_settings import effective
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.services import permissions, pool
from assistant.services.actions import Action
from assistant.services.pushes import quiet_of

WARN: Final = "pool_warn"
BACK: Final = "pool_back"


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def warn_key(lead_id: int, touch: datetime) -> str:
    return f"{WARN}:{lead_id}:{_stamp(touch)}"


async def plan_stale(ctx: PlanContext) -> list[PushDraft]:
    found = await pool.stale_candidates(ctx.session, ctx.now)
    if not found:
        return []
    keys = [warn_key(item.lead.id or 0, item.touch) for _, item in found]
    sent = {
        row.dedupe_key: row
        for row in (
            await ctx.session.exec(select(Outbox).where(col(Outbox.dedupe_key).in_(keys)))
        ).all()
    }
    owner_ids = {item.lead.owner_id for _, item in found}
    people = {
        person.id: person
        for person in (
            await ctx.session.exec(select(Person).where(col(Person.id).in_(owner_ids)))
        ).all()
    }
    drafts: list[PushDraft] = []
    for team, item in found:
        lead = item.lead
        assert lead.id is not None
        settings = pool.config(team)
        cadence = effective(team.settings)["cadence"]
        key = warn_key(lead.id, item.touch)
        row = sent.get(key)
        warned = row.sent_at if row is not None and row.status == "sent" else None
        state = assignment.stale_state(
            last_touch=item.touch, grade=lead.grade, now=ctx.now, settings=settings,
            warned_at=warned, cadence=cadence,
        )  # fmt: skip
        owner = people.get(lead.owner_id)
        if state is assignment.Stale.WARN and row is None:
            if owner is None or owner.chat_id is None or not owner.reachable:
                continue
            due = next_allowed(ctx.now, owner.timezone, quiet_of(owner), owner.work_days)
            limit = assignment.stale_limit(lead.grade, settings, cadence)
            drafts.append(
                PushDraft(
                    kind=WARN, dedupe_key=key, chat_id=owner.chat_id, due_at=due,
                    person_id=owner.id, team_id=lead.team_id,
                    payload={"lead": lead.id, "touch": item.touch.isoformat(),
                             "days": limit.days},
                )
            )  # fmt: skip
        elif state is assignment.Stale.RETURN:
            limit = assignment.stale_limit(lead.grade, settings, cadence)
            old = await pool.return_to_pool(ctx.session, lead, ctx.now)
            if old is None:
                continue
            recipients = await pool.managers_of(ctx.session, lead.team_id)
            if owner is not None and all(p.id != owner.id for p in recipients):
                recipients.append(owner)
            for person in recipients:
                if person.chat_id is None or not person.reachable:
                    continue
                drafts.append(
                    PushDraft(
                        kind=BACK,
                        dedupe_key=f"{BACK}:{lead.id}:{_stamp(item.touch)}:{person.id}",
                        chat_id=person.chat_id,
                        due_at=next_allowed(
                            ctx.now, person.timezone, quiet_of(person), person.work_days
                        ),
                        person_id=person.id, team_id=lead.team_id,
                        payload={"lead": lead.id, "owner": old,
                                 "days": limit.days},
                    )
                )  # fmt: skip
    await ctx.session.flush()
    return drafts


async def render_warn(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    lead = await ctx.session.get(Lead, int(row.payload.get("lead", 0)))
    person = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if lead is None or person is None or lead.owner_id != person.id or lead.deleted_at:
        return None
    if not await permissions.may_receive_push(
        ctx.session, person=person, team_id=lead.team_id, owner_id=lead.owner_id
    ):
        return None
    touch = lead.last_contact_at or lead.created_at
    if touch > datetime.fromisoformat(str(row.payload.get("touch"))):
        return None  # contacted since
    keys = [
        [
            Action("lead_buttons.log", "lg", (lead.id,)),
            Action("work_buttons.fu_open", "lead", (lead.id,)),
        ]
    ]
    context = {"lead": lead, "days": row.payload.get("days")}
    return PushMessage("pool/stale_warn", context, person.locale, keys)


async def render_back(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    lead = await ctx.session.get(Lead, int(row.payload.get("lead", 0)))
    person = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if lead is None or person is None or lead.deleted_at:
        return None
    owner_id = row.payload.get("owner")
    if not await permissions.may_receive_push(
        ctx.session, person=person, team_id=lead.team_id,
        owner_id=int(owner_id) if owner_id else None,
    ):  # fmt: skip
        return None
    owner = await ctx.session.get(Person, int(owner_id)) if owner_id else None
    context = {
        "lead": lead,
        "days": row.payload.get("days"),
        "owner": owner.name if owner else "",
        "mine": owner is not None and owner.id == person.id,
        "still_pool": lead.owner_id is None,
    }
    return PushMessage("pool/stale_back", context, person.locale)


async def _planned_with_warnings(ctx: PlanContext) -> list[PushDraft]:
    return []


register_push_kind(WARN, plan=plan_stale, render=render_warn)
register_push_kind(BACK, plan=_planned_with_warnings, render=render_back)
