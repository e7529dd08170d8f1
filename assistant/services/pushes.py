"""The bot's own kinds of push: morning briefing, evening review, follow-up reminders and
escalations to managers (PRODUCT.md 5.2 and 5.3). Registered with the scheduling registry
at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Outbox, Person, Team
from assistant.domain import escalation, events
from assistant.domain.allocation import GRADES
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.quiet_hours import Quiet, daily_due, end_of_local_day, next_allowed
from assistant.scheduling.outbox import existing_keys
from assistant.scheduling.registry import (
    PlanContext,
    PushDraft,
    PushMessage,
    RenderContext,
    register_push_kind,
)
from assistant.services import analytics, permissions, today
from assistant.services.actions import Action, ActionRows
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.people import signature
from assistant.services.teams import active_team

MORNING = "morning"
EVENING = "evening"
REMIND = "remind"
ESCALATE = "escalate"
# A daily push missed by a stopped bot is still sent this long after its time, not later.
DAILY_GRACE = timedelta(hours=4)
# Follow-ups overdue longer than this are past the escalation ladder; briefings list them.
FOLLOWUP_HORIZON = timedelta(days=14)


def quiet_of(person: Person) -> Quiet:
    return Quiet.parse(person.quiet_start, person.quiet_end)


async def _reachable_people(session: AsyncSession) -> Sequence[Person]:
    result = await session.exec(
        select(Person).where(col(Person.chat_id).is_not(None), col(Person.reachable))
    )
    return result.all()


# --- morning briefing and evening review -------------------------------------------------


def daily_draft(kind: str, person: Person, at: str, now: datetime) -> PushDraft | None:
    """The person's daily push for their current local day, once its local time has come.

    Other daily kinds reuse it, e.g. the manager digest:
    `daily_draft("digest", person, person.digest_at, ctx.now)` when `person.digest_on`.

    It stays plannable for DAILY_GRACE (within the same local day and outside quiet hours),
    so a bot that was down at 09:00 still sends the briefing when it comes back soon after;
    the dedupe key makes it once per local day.
    """
    day = local_today(now, person.timezone)
    quiet = quiet_of(person)
    due = daily_due(day, at, person.timezone, quiet, person.work_days)
    if due is None or not due <= now < min(
        due + DAILY_GRACE, end_of_local_day(day, person.timezone)
    ):
        return None
    if quiet.contains(now.astimezone(ZoneInfo(person.timezone)).time()):
        return None
    if person.created_at > due:  # joined after this push's time: start tomorrow
        return None
    assert person.chat_id is not None and person.id is not None
    return PushDraft(
        kind=kind,
        dedupe_key=f"{kind}:{person.id}:{day.isoformat()}",
        chat_id=person.chat_id,
        due_at=due,
        person_id=person.id,
        payload={"day": day.isoformat()},
    )


async def plan_morning(ctx: PlanContext) -> list[PushDraft]:
    drafts = []
    for person in await _reachable_people(ctx.session):
        if person.morning_on:
            draft = daily_draft(MORNING, person, person.morning_at, ctx.now)
            if draft is not None:
                drafts.append(draft)
    return drafts


async def plan_evening(ctx: PlanContext) -> list[PushDraft]:
    drafts = []
    for person in await _reachable_people(ctx.session):
        if person.evening_on:
            draft = daily_draft(EVENING, person, person.evening_at, ctx.now)
            if draft is not None:
                drafts.append(draft)
    return drafts


async def _recipient(session: AsyncSession, row: Outbox) -> Actor | None:
    """The person a push is for, in their active team, as the use cases take them."""
    person = await session.get(Person, row.person_id) if row.person_id else None
    if person is None or not person.reachable:
        return None
    try:
        team, member = await active_team(session, person)
    except UserError:
        return None
    return Actor(person, team, member)


async def grade_upgrades(
    session: AsyncSession, *, person: Person, team: Team, since: datetime
) -> list[tuple[Lead, str, str]]:
    """The person's leads whose grade went up (e.g. C→B) since `since`."""
    rows = await session.exec(
        select(LeadEvent, Lead)
        .join(Lead, col(Lead.id) == col(LeadEvent.lead_id))
        .where(
            LeadEvent.kind == events.GRADE,
            LeadEvent.team_id == team.id,
            Lead.owner_id == person.id,
            col(Lead.deleted_at).is_(None),
            col(LeadEvent.at) >= since,
        )
        .order_by(col(LeadEvent.at))
    )
    upgrades: dict[int, tuple[Lead, str, str]] = {}
    for event, lead in rows.all():
        old, new = event.from_value or "", event.to_value or ""
        if old in GRADES and new in GRADES and new < old:
            first = upgrades.get(lead.id or 0)
            upgrades[lead.id or 0] = (lead, first[1] if first else old, new)
    return [item for item in upgrades.values() if item[2] < item[1]]


async def render_morning(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    found = await _recipient(ctx.session, row)
    if found is None:
        return None
    person, team = found.person, found.team
    leads = await today.active_leads(ctx.session, found)
    plan = today.build_plan(person, leads, ctx.now)
    await today.attach_scripts(ctx.session, plan, found, now=ctx.now)
    _, day_end = local_day_bounds(plan.day, person.timezone)
    with_followup = sorted(
        (lead for lead in leads if lead.next_followup_at is not None),
        key=lambda lead: lead.next_followup_at or ctx.now,
    )
    overdue = [lead for lead in with_followup if (lead.next_followup_at or ctx.now) <= ctx.now]
    due_today = [
        lead for lead in with_followup if ctx.now < (lead.next_followup_at or ctx.now) < day_end
    ]
    upgrades = await grade_upgrades(
        ctx.session, person=person, team=team, since=ctx.now - timedelta(days=1)
    )
    context: dict[str, Any] = {
        "person": person,
        "rep": signature(person),
        "plan": plan,
        "paged": False,  # a push has no "more" button: the plan says to send /today instead
        "overdue": overdue,
        "due_today": due_today,
        "upgrades": upgrades,
        "tz": ZoneInfo(person.timezone),
    }
    return PushMessage("pushes/morning", context, person.locale)


async def render_evening(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    """The evening review: the day's numbers vs targets, effort mix vs 60/25/10/5, one tip."""
    found = await _recipient(ctx.session, row)
    if found is None:
        return None
    context = await analytics.evening_review(ctx.session, found, now=ctx.now)
    return PushMessage("evening_review", context, found.person.locale)


# --- follow-up reminders and escalations ---------------------------------------------------


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


async def _asked(session: AsyncSession, lead_ids: list[int]) -> set[int]:
    """Leads whose current follow-up time the person set explicitly (/fu): those reminders
    were asked for and are not held back by quiet hours or days off."""
    if not lead_ids:
        return set()
    rows = await session.exec(
        select(LeadEvent.lead_id, LeadEvent.payload)
        .where(LeadEvent.kind == events.FOLLOWUP, col(LeadEvent.lead_id).in_(lead_ids))
        .order_by(col(LeadEvent.id))
    )
    latest: dict[int, Any] = {}
    for lead_id, payload in rows.all():
        latest[lead_id] = payload
    return {
        lead_id
        for lead_id, payload in latest.items()
        if isinstance(payload, dict) and payload.get("reason") == "manual"
    }


class _Recipients:
    """Lead owners and team managers, fetched the first time a batch of leads needs them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.owners: dict[int, Person] = {}
        self.managers: dict[int, list[Person]] = {}

    async def load(self, owner_ids: set[int], team_ids: set[int]) -> None:
        owner_ids -= self.owners.keys()
        if owner_ids:
            people = await self.session.exec(select(Person).where(col(Person.id).in_(owner_ids)))
            self.owners.update((person.id or 0, person) for person in people.all())
        team_ids -= self.managers.keys()
        if not team_ids:
            return
        rows = await self.session.exec(
            select(Membership.team_id, Person)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(
                col(Membership.team_id).in_(team_ids),
                Membership.active,
                col(Membership.role).in_(permissions.MANAGING),
                col(Person.chat_id).is_not(None),
                col(Person.reachable),
            )
        )
        self.managers.update((team_id, []) for team_id in team_ids)
        for team_id, person in rows.all():
            self.managers[team_id].append(person)


# Overdue leads are read this many at a time, only the columns the reminders need.
FOLLOWUP_BATCH = 1000


class _Overdue(NamedTuple):
    id: int
    owner_id: int | None
    team_id: int
    next_followup_at: datetime


async def _overdue_leads(session: AsyncSession, now: datetime) -> AsyncIterator[list[_Overdue]]:
    after = 0
    while True:
        rows = await session.exec(
            select(Lead.id, Lead.owner_id, Lead.team_id, Lead.next_followup_at)
            .where(
                col(Lead.id) > after,
                col(Lead.next_followup_at).is_not(None),
                col(Lead.next_followup_at) <= now,
                col(Lead.next_followup_at) > now - FOLLOWUP_HORIZON,
                col(Lead.deleted_at).is_(None),
            )
            .order_by(col(Lead.id))
            .limit(FOLLOWUP_BATCH)
        )
        batch = [_Overdue(*row) for row in rows.all()]
        if batch:
            yield batch
        if len(batch) < FOLLOWUP_BATCH:
            return
        after = batch[-1].id


async def plan_followups(ctx: PlanContext) -> AsyncIterator[PushDraft]:
    """Reminders to owners and escalations to managers for every overdue follow-up.

    Runs every minute, so it first works out the dedupe keys and only prepares the pushes not
    in the outbox yet. Follow-ups overdue longer than FOLLOWUP_HORIZON are past the ladder's
    last step and are left to the briefings. A store can hold tens of thousands of overdue
    leads: they are read and planned a batch at a time.
    """
    recipients = _Recipients(ctx.session)
    async for leads in _overdue_leads(ctx.session, ctx.now):
        await recipients.load(
            {lead.owner_id for lead in leads if lead.owner_id is not None},
            {lead.team_id for lead in leads},
        )
        for draft in await _followup_drafts(ctx, leads, recipients):
            yield draft


async def _followup_drafts(
    ctx: PlanContext, leads: list[_Overdue], recipients: _Recipients
) -> list[PushDraft]:
    wanted: list[tuple[str, _Overdue, escalation.Step, Person]] = []
    for lead in leads:
        stamp = _stamp(lead.next_followup_at)
        steps = escalation.current(lead.next_followup_at, ctx.now)
        owner = recipients.owners.get(lead.owner_id) if lead.owner_id is not None else None
        step = steps.get("owner")
        if step is not None and owner is not None and owner.chat_id and owner.reachable:
            wanted.append((f"{REMIND}:{lead.id}:{stamp}:{step.name}", lead, step, owner))
        step = steps.get("managers")
        for manager in recipients.managers.get(lead.team_id, []) if step is not None else []:
            if step is not None and manager.id != lead.owner_id:
                key = f"{ESCALATE}:{lead.id}:{stamp}:{step.name}:{manager.id}"
                wanted.append((key, lead, step, manager))
    existing = await existing_keys(ctx.session, [key for key, *_ in wanted])
    fresh = [item for item in wanted if item[0] not in existing]
    asked = await _asked(
        ctx.session, [lead.id for key, lead, _, _ in fresh if key.startswith(REMIND)]
    )
    drafts: list[PushDraft] = []
    for key, lead, step, recipient in fresh:
        assert recipient.chat_id is not None
        at = escalation.step_due_at(lead.next_followup_at, step)
        reminder = key.startswith(REMIND)
        if not (reminder and lead.id in asked):
            at = next_allowed(at, recipient.timezone, quiet_of(recipient), recipient.work_days)
        drafts.append(
            PushDraft(
                kind=REMIND if reminder else ESCALATE,
                dedupe_key=key,
                chat_id=recipient.chat_id,
                due_at=at,
                person_id=recipient.id,
                team_id=lead.team_id,
                payload={
                    "lead": lead.id,
                    "due": lead.next_followup_at.isoformat(),
                    "step": step.name,
                },
            )
        )
    return drafts


async def _current_lead(session: AsyncSession, row: Outbox) -> Lead | None:
    """The lead of a reminder, or None when the reminder went stale (done, moved, deleted)."""
    lead = await session.get(Lead, int(row.payload.get("lead", 0)))
    if lead is None or lead.deleted_at is not None or lead.next_followup_at is None:
        return None
    if lead.next_followup_at != datetime.fromisoformat(str(row.payload.get("due"))):
        return None
    return lead


def followup_stamp(lead: Lead) -> str:
    """Which follow-up a reminder's buttons are about (minutes since the epoch of its due
    time): a button pressed again, or after the follow-up moved, no longer matches."""
    due = lead.next_followup_at
    return str(int(due.timestamp()) // 60) if due is not None else "0"


def reminder_actions(lead: Lead) -> ActionRows:
    """Done, Snooze 1h, Tomorrow (stamped with the follow-up they are about), then the lead's."""
    stamp = followup_stamp(lead)
    return [
        [
            Action("work_buttons.fu_done", "fu_done", (lead.id, stamp)),
            Action("work_buttons.fu_snooze", "fu_snz", (lead.id, stamp)),
            Action("work_buttons.fu_tomorrow", "fu_tmr", (lead.id, stamp)),
        ],
        lead_actions(lead),
    ]


def lead_actions(lead: Lead) -> list[Action]:
    return [
        Action("work_buttons.fu_script", "scr", (lead.id,)),
        Action("work_buttons.fu_open", "lead", (lead.id,)),
    ]


async def render_reminder(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    lead = await _current_lead(ctx.session, row)
    person = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if lead is None or person is None or lead.owner_id != person.id:
        return None
    if not await permissions.may_receive_push(
        ctx.session, person=person, team_id=lead.team_id, owner_id=lead.owner_id
    ):
        return None
    assert lead.next_followup_at is not None
    context = {
        "lead": lead,
        "step": row.payload.get("step"),
        "days": escalation.days_overdue(lead.next_followup_at, ctx.now),
        "due": lead.next_followup_at.astimezone(ZoneInfo(person.timezone)),
    }
    return PushMessage("pushes/reminder", context, person.locale, reminder_actions(lead))


async def render_escalation(ctx: RenderContext, row: Outbox) -> PushMessage | None:
    lead = await _current_lead(ctx.session, row)
    manager = await ctx.session.get(Person, row.person_id) if row.person_id else None
    if lead is None or manager is None:
        return None
    if not await permissions.may_receive_push(ctx.session, person=manager, team_id=lead.team_id):
        return None  # demoted or removed since the escalation was planned
    assert lead.next_followup_at is not None
    owner = await ctx.session.get(Person, lead.owner_id) if lead.owner_id else None
    step = str(row.payload.get("step"))
    context = {
        "lead": lead,
        "rep": owner.name if owner else None,
        "step": step,
        "days": escalation.days_overdue(lead.next_followup_at, ctx.now),
    }
    buttons = [Action("work_buttons.fu_open", "lead", (lead.id,))]
    if step == "reassign":
        buttons.insert(0, Action("work_buttons.fu_reassign", "fu_re", (lead.id,)))
    return PushMessage("pushes/escalation", context, manager.locale, [buttons])


async def _planned_with_reminders(ctx: PlanContext) -> list[PushDraft]:
    """Escalations are planned together with the reminders (one pass over overdue leads)."""
    return []


register_push_kind(MORNING, plan=plan_morning, render=render_morning)
register_push_kind(EVENING, plan=plan_evening, render=render_evening)
register_push_kind(REMIND, plan=plan_followups, render=render_reminder)
register_push_kind(ESCALATE, plan=_planned_with_reminders, render=render_escalation)
