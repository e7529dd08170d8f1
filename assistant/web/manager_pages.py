"""Pages for managers: the team table with each member's funnel, a member's summary, overdue
follow-ups and escalations, the pool with assign buttons, and the rate targets.

Every page calls the service the chat command calls (team_view, pool, targets), which asks the
permission module; this module decides nothing about who may see what.
"""

from __future__ import annotations

from typing import Any, Final

from assistant.db.models import Lead
from assistant.domain import escalation, funnel
from assistant.domain.capture import format_phone
from assistant.domain.periods import PeriodError, parse_period
from assistant.domain.pipeline import stages
from assistant.i18n import t
from assistant.render import formats
from assistant.services import board, digest, permissions, pool, targets, team_view
from assistant.services.errors import UserError
from assistant.services.teams import roster
from assistant.web.app import Page, PageFn, Push, View

PERIODS: Final = ("today", "yesterday", "week", "last week", "month", "last month")
OVERDUE_SHOWN: Final = 100


def chosen_period(page: Page) -> tuple[str, Any]:
    word = page.field("period", "month")
    if word not in PERIODS:
        raise UserError("team_usage", given=word[:40])
    try:
        return word, parse_period(word, team_view.today_of(page.person, page.now))
    except PeriodError:
        raise UserError("team_usage", given=word) from None


def _member_funnel(row: team_view.MemberRow) -> dict[str, Any]:
    """Stage bars, each step's conversion, and the step losing the most leads marked."""
    counts = row.counts
    per_stage = counts.stage_counts()
    biggest = max(per_stage.values(), default=0)
    steps = funnel.steps(stages(counts.pipeline), per_stage)
    drop = funnel.biggest_drop(steps)
    rate_of = {step.target: step for step in steps}
    return {
        "stages": [
            {
                "stage": stage,
                "count": count,
                "max": biggest or 1,
                "rate": funnel.format_percent(rate_of[stage].rate, 0) if stage in rate_of else "",
                "drop": drop is not None and drop.target == stage,
            }
            for stage, count in per_stage.items()
        ],
        "checks": [
            {
                "key": check.key,
                "value": funnel.format_percent(check.value, 0),
                "target": funnel.format_number(check.target),
                "status": check.status,
            }
            for check in row.checks
        ],
    }


async def team(page: Page) -> View:
    word, period = chosen_period(page)
    sort = page.field("sort", team_view.DEFAULT_SORT)
    if sort not in team_view.SORTS:
        sort = team_view.DEFAULT_SORT
    table = await team_view.team_table(
        page.session, await page.actor(), period=period, sort=sort, now=page.now
    )
    view = team_view.table_view(table)
    for shown, row in zip(view["rows"], table.rows, strict=True):
        shown["funnel"] = _member_funnel(row)
    return View("team", {**view, "period_word": word, "periods": PERIODS, "sorts": team_view.SORTS})


async def member(page: Page) -> View:
    word, period = chosen_period(page)
    wanted = page.field("member")
    if not (wanted.isascii() and wanted.isdigit()):
        raise UserError("member_not_found", given=wanted[:40])
    view = await team_view.member_summary(
        page.session, await page.actor(), period=period, now=page.now, person_id=int(wanted)
    )
    return View("member", {**view, "period_word": word, "member_id": wanted})


async def overdue(page: Page) -> View:
    """Overdue follow-ups the person may see, and the team's escalations (3+ days) for a
    manager: numbers and grades always, names only where the permission module allows."""
    scope = await page.actor()
    names = {m.person.id: m.person.name for m in await roster(page.session, scope.team_id)}

    def item(lead: Lead) -> dict[str, Any]:
        shown = permissions.can_view_lead(scope.member, lead)
        return {
            "id": lead.id if shown else None,
            "number": lead.number,
            "grade": lead.grade,
            "name": lead.name if shown else "",
            "owner": names.get(lead.owner_id, "") if lead.owner_id is not None else "",
            "days": escalation.days_overdue(lead.next_followup_at or page.now, page.now),
            "when": page.when(lead.next_followup_at),
        }

    found = await board.overdue_leads(page.session, scope, page.now, limit=OVERDUE_SHOWN)
    escalations: list[dict[str, Any]] = []
    more = 0
    if permissions.is_manager(scope.member):
        total, long_overdue = await digest.long_overdue(
            page.session, team_id=scope.team_id, now=page.now
        )
        escalations = [item(lead) for lead in long_overdue]
        more = max(0, total - len(escalations))
    return View(
        "overdue",
        {
            "overdue": [item(lead) for lead in found],
            "escalations": escalations,
            "more": more,
            "manager": permissions.is_manager(scope.member),
        },
    )


async def _pool_view(page: Page, **extra: Any) -> View:
    scope = await page.actor()
    wanted = page.field("page", "1")
    number = int(wanted) if wanted.isascii() and wanted.isdigit() else 1
    found = await pool.pool_page(page.session, scope, number, page.now)
    members = await roster(page.session, scope.team_id)
    return View(
        "pool",
        {
            "leads": [
                {
                    "number": lead.number,
                    "name": lead.name,
                    "grade": lead.grade,
                    "event_date": formats.day(lead.event_date) if lead.event_date else "",
                    "source": lead.source or "",
                }
                for lead in found.leads
            ],
            "page": found.page,
            "pages": found.pages,
            "total": found.total,
            "members": [{"number": m.number, "name": m.person.name} for m in members],
            "assigned": None,
            **extra,
        },
    )


async def pool_list(page: Page) -> View:
    return await _pool_view(page)


async def assign(page: Page) -> View:
    """One pool lead to a member (by their list number) or to whoever auto-assignment picks."""
    scope = await page.actor()
    lead_number = page.field("lead")
    target = page.field("to")
    if not (lead_number.isascii() and lead_number.isdigit()):
        raise UserError("assign_usage")
    if target != "auto" and not (target.isascii() and target.isdigit()):
        raise UserError("assign_usage")
    result = await pool.assign_from_pool(page.session, scope, [lead_number, target], page.now)
    given = [
        {"name": result.people[person_id].name, "numbers": [lead.number for lead in leads]}
        for person_id, leads in result.given.items()
    ]
    shown = await _pool_view(page, assigned=given)
    for person_id, leads in result.given.items():
        person = result.people[person_id]
        if person_id == scope.person_id or person.chat_id is None:
            continue
        shown.pushes.append(
            Push(
                person.chat_id,
                person.locale,
                "pool/assigned_to_you",
                {
                    "by": scope.person.name,
                    "leads": [_pool_card(lead) for lead in leads],
                    "more": 0,
                    "count": len(leads),
                },
                [
                    (
                        t(person.locale, "lead_buttons.open") + f" #{lead.number}",
                        "lead",
                        lead.id or 0,
                    )
                    for lead in leads
                ],
            )
        )
    return shown


def _pool_card(lead: Lead) -> dict[str, Any]:
    """What pool/_card.html.j2 shows of a lead given out, as the chat's /assign tells it."""
    return {
        "number": lead.number,
        "name": lead.name,
        "grade": lead.grade,
        "stage": lead.stage,
        "phone": format_phone(lead.phone),
        "wechat": lead.wechat or "",
        "event_date": formats.day(lead.event_date) if lead.event_date else "",
        "source": lead.source or "",
    }


async def _targets_view(page: Page, *, saved: bool = False) -> View:
    shown = await targets.show(await page.actor())
    return View(
        "targets",
        {
            "targets": [
                {"key": key, "value": value, "default": default}
                for key, value, default in shown.values["targets"]
            ],
            "saved": saved,
            "messenger": shown.team.messenger,
        },
    )


async def targets_page(page: Page) -> View:
    return await _targets_view(page)


async def targets_save(page: Page) -> View:
    """Each rate whose value changed goes through /targets' own parser and writer."""
    current = await targets.show(await page.actor())
    for key, value, _ in current.values["targets"]:
        given = page.field(key).strip()
        if given and given != str(value):
            await targets.change(page.session, await page.actor(), words=[key, given])
            await page.session.flush()  # the next change re-reads the team it locks
    return await _targets_view(page, saved=True)


PAGES: dict[str, PageFn] = {
    "team": team,
    "member": member,
    "overdue": overdue,
    "pool": pool_list,
    "assign": assign,
    "targets": targets_page,
    "targets_save": targets_save,
}
