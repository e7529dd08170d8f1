"""Pages for everyone who works leads: the board, a lead's card, moving it, today's plan.

A move goes through `leads.move_stage`, the function /move and the card's stage buttons call,
so the web writes the same events and /summary counts them the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from assistant.db.models import Lead
from assistant.domain import pipeline
from assistant.render import formats
from assistant.services import board, customers, permissions, today
from assistant.services import leads as svc
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.web.app import Page, PageFn, View

CARDS_PER_COLUMN: Final = 50
HISTORY_SHOWN: Final = 15


def lead_view(page: Page, scope: Actor, lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "number": lead.number,
        "name": lead.name,
        "grade": lead.grade,
        "stage": lead.stage,
        "event_date": formats.day(lead.event_date) if lead.event_date else "",
        "next_followup": page.when(lead.next_followup_at),
        "overdue": bool(lead.next_followup_at and lead.next_followup_at < page.now),
        "phone": lead.phone or "",
        "wechat": lead.wechat or "",
        "messenger": lead.messenger,
        "source": lead.source or "",
        "notes": lead.intent or "",
        "lost_reason": lead.lost_reason or "",
        "closed": pipeline.is_closed(lead.stage),
    }


def event_view(page: Page, row: svc.ShownEvent) -> dict[str, Any]:
    """The keys leads/_event.html.j2 reads, as the chat's card fills them."""
    to_value = row.to_value or ""
    when = ""
    if row.kind == "followup" and to_value:
        try:
            when = page.when(datetime.fromisoformat(to_value))
        except ValueError:
            when = to_value
    amount = row.payload.get("amount")
    return {
        "at": page.when(row.at),
        "kind": row.kind,
        "from": row.from_value or "",
        "to": to_value,
        "note": str(row.payload.get("note", "")),
        "reason": str(row.payload.get("reason", "")),
        "amount": f"{amount:,.0f}" if isinstance(amount, int | float) and amount else "",
        "field": str(row.payload.get("field", "")),
        "new": "" if row.payload.get("new") is None else str(row.payload.get("new")),
        "manual": bool(row.payload.get("manual")),
        "script": "",
        "when": when,
    }


async def home(page: Page) -> View:
    scope = await page.actor()
    if permissions.is_manager(scope.member) and not scope.team.personal:
        from assistant.web.manager_pages import team

        return await team(page)
    return await board_page(page)


def _next_stage(stages: list[str], stage: str) -> str:
    """The stage one tap on a board card moves to; none into won (a deal takes its amount on
    the card) and none out of it."""
    if stage not in stages or stages.index(stage) + 1 >= len(stages):
        return ""
    following = stages[stages.index(stage) + 1]
    return "" if following == pipeline.WON else following


async def board_page(page: Page, moved: dict[str, Any] | None = None) -> View:
    scope = await page.actor()
    stages = list(pipeline.stages(scope.team.pipeline))
    found = await board.board_leads(page.session, scope, page.now)
    columns: dict[str, list[dict[str, Any]]] = {stage: [] for stage in stages}
    counts = dict.fromkeys(stages, 0)
    for lead in found:
        if lead.stage not in columns:
            continue
        counts[lead.stage] += 1
        if len(columns[lead.stage]) < CARDS_PER_COLUMN:
            columns[lead.stage].append(lead_view(page, scope, lead))
    return View(
        "board",
        {
            "columns": [
                {
                    "stage": stage,
                    "leads": columns[stage],
                    "count": counts[stage],
                    "next": _next_stage(stages, stage),
                }
                for stage in stages
            ],
            "moved": moved,
        },
    )


async def _lead_of(page: Page, scope: Actor) -> Lead:
    wanted = page.field("lead")
    if not (wanted.isascii() and wanted.isdigit()):
        raise UserError("lead_not_found", number="")
    return await svc.get_lead_by_id(page.session, scope, wanted)


async def _card(page: Page, scope: Actor, lead: Lead, **extra: Any) -> View:
    newest_first = await svc.history(page.session, lead, 40)
    shown = [
        row
        for row in newest_first
        if not (row.kind == "followup" and row.payload.get("reason") == "cadence")
    ][:HISTORY_SHOWN]
    stages = [*pipeline.stages(scope.team.pipeline), pipeline.LOST]
    owner = ""
    if permissions.is_manager(scope.member) and lead.owner_id != scope.person_id:
        owner = await svc.owner_name(page.session, lead)
    return View(
        "lead",
        {
            "lead": lead_view(page, scope, lead),
            "history": [event_view(page, row) for row in shown],
            "stages": [stage for stage in stages if stage != lead.stage],
            "reasons": svc.lost_reasons(scope),
            "owner": owner,
            "moved_from": "",
            "asking_reason": False,
            **extra,
        },
    )


async def lead_card(page: Page) -> View:
    scope = await page.actor()
    lead = await _lead_of(page, scope)
    return await _card(page, scope, lead)


async def move(page: Page) -> View:
    """Tap a stage: the lead moves there. Lost asks for a reason first; won takes an amount."""
    scope = await page.actor()
    lead = await _lead_of(page, scope)
    stage = page.field("stage")
    if stage == pipeline.LOST and not page.field("reason"):
        return await _card(page, scope, lead, asking_reason=True)
    amount = svc.amount_from(page.field("amount")) if stage == pipeline.WON else None
    reason = svc.pick_reason(scope, page.field("reason")) if stage == pipeline.LOST else None
    old = lead.stage
    await svc.move_stage(page.session, scope, lead, stage, page.now, amount=amount, reason=reason)
    if page.field("back") == "board":  # tapped on the board: stay there
        return await board_page(
            page, moved={"number": lead.number, "name": lead.name, "from": old, "to": stage}
        )
    return await _card(page, scope, lead, moved_from=old)


async def today_plan(page: Page) -> View:
    scope = await page.actor()
    plan = await today.plan_for(page.session, scope, now=page.now)
    grades = [
        {
            "grade": grade.grade,
            "weight": grade.weight,
            "minutes": grade.minutes,
            "count": grade.count,
            "more": grade.more,
            "leads": [
                {
                    **lead_view(page, scope, item.lead),
                    "minutes": item.minutes,
                    "due_today": item.due_today,
                    "overdue": item.overdue,
                }
                for item in grade.leads
            ],
        }
        for grade in plan.grades
    ]
    return View(
        "today",
        {
            "day": formats.day(plan.day),
            "total_minutes": plan.total_minutes,
            "grades": grades,
            "overdue": plan.overdue,
            "due_today": plan.due_today,
            "lead_count": plan.lead_count,
        },
    )


async def my_summary(page: Page) -> View:
    """The person's own /summary for a period, rendered by the chat's own template."""
    from assistant.web.manager_pages import chosen_period

    word, period = chosen_period(page)
    view = await customers.own_summary(
        page.session, await page.actor(), period=period, now=page.now
    )
    return View("summary", {**view, "period_word": word})


PAGES: dict[str, PageFn] = {
    "summary": my_summary,
    "home": home,
    "board": board_page,
    "lead": lead_card,
    "move": move,
    "today": today_plan,
}
