"""The lead pool: /pool, /assign, /claim, /away (rules in services/pool.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup

from assistant.i18n import t
from assistant.render import formats
from assistant.render.formats import money
from assistant.services import customers, forecast, permissions, pool, sources
from assistant.services import leads as svc
from assistant.services import stale as _stale  # noqa: F401  (registers the stale-lead pushes)
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.leads import card, lead_view
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

if TYPE_CHECKING:
    from assistant.db.models import Lead

OPEN_BUTTONS = 5
REFER_BUTTONS = 5
REFER_FLOW = "customer_ref"
SHOWN_PER_REP = 20


def _page_keyboard(request: Request, page: pool.PoolPage) -> InlineKeyboardMarkup | None:
    row = []
    locale, sign = request.locale, request.sign
    if page.page > 1:
        row.append(button(t(locale, "lead_buttons.prev"), sign("ppg", page.page - 1)))
    if page.page < page.pages:
        row.append(button(t(locale, "lead_buttons.next"), sign("ppg", page.page + 1)))
    return keyboard(row) if row else None


async def _show(request: Request, number: int, edit: bool) -> Reply:
    scope = await request.actor()
    page = await pool.pool_page(request.session, scope, number, request.now)
    return Reply(
        "pool/list",
        {
            "leads": [lead_view(request, scope, lead) for lead in page.leads],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "settings": page.settings,
            "away": [(name, formats.day(until)) for name, until in page.away],
        },
        keyboard=_page_keyboard(request, page),
        edit=edit,
    )


async def pool_command(request: Request) -> Reply:
    """`/pool [page]`, or `/pool set <mode|claim|stale|stale_a> <value>`."""
    words = request.text.split()
    if words and words[0].casefold() in {"set", "设置"}:
        if len(words) != 3:
            raise UserError("pool_setting_usage", given=" ".join(words[1:])[:40])
        scope = await request.actor()
        key, value = await pool.change_setting(request.session, scope, words[1], words[2])
        return Reply("pool/setting_saved", {"key": key, "value": value})
    number = 1
    if words:
        if not (words[0].isascii() and words[0].isdigit()):
            raise UserError("pool_setting_usage", given=words[0][:40])
        number = int(words[0])
    return await _show(request, number, edit=False)


async def page_button(request: Request) -> Reply:
    if not request.args or not request.args[0].isdigit():
        raise UserError("bad_button")
    return await _show(request, int(request.args[0]), edit=True)


def _told(request: Request, scope: Actor, person: Any, leads: list[Lead]) -> Reply | None:
    """The rep hears at once, in their own language, with the lead card(s)."""
    if person.id == scope.person_id or person.chat_id is None:
        return None
    rows = [
        [button(t(person.locale, "lead_buttons.open") + f" #{lead.number}",
                request.sign("lead", lead.id))]
        for lead in leads[:OPEN_BUTTONS]
    ]  # fmt: skip
    return Reply(
        "pool/assigned_to_you",
        {
            "by": scope.person.name,
            "leads": [lead_view(request, scope, lead) for lead in leads[:SHOWN_PER_REP]],
            "more": max(0, len(leads) - SHOWN_PER_REP),
            "count": len(leads),
        },
        keyboard=keyboard(*rows),
        chat_id=person.chat_id,
        locale=person.locale,
    )


async def assign(request: Request) -> list[Reply]:
    scope = await request.actor()
    result = await pool.assign_from_pool(request.session, scope, request.text.split(), request.now)
    replies: list[Reply] = []
    summary: list[dict[str, Any]] = []
    for person_id, leads in sorted(result.given.items(), key=lambda item: item[0]):
        person = result.people[person_id]
        summary.append({"name": person.name, "count": len(leads),
                        "numbers": [lead.number for lead in leads]})  # fmt: skip
        told = _told(request, scope, person, leads)
        if told is not None:
            replies.append(told)
    total = sum(item["count"] for item in summary)
    replies.insert(0, Reply("pool/assigned", {"people": summary, "total": total,
                                              "mode": result.mode}))  # fmt: skip
    return replies


async def claim(request: Request) -> list[Reply]:
    scope = await request.actor()
    lead = await pool.claim(request.session, scope, request.text, request.now)
    return [Reply("pool/claimed", {"lead": lead_view(request, scope, lead)},
                  keyboard=keyboard([button(t(request.locale, "lead_buttons.open"),
                                            request.sign("lead", lead.id))]))]  # fmt: skip


async def away(request: Request) -> Reply:
    scope = await request.actor()
    until, person = await pool.set_away(request.session, scope, request.text, request.now)
    who = person.name if person.id != scope.person_id else ""
    return Reply("pool/away", {"until": formats.day(until) if until else "", "who": who})


async def forecast_command(request: Request) -> Reply:
    view = await forecast.forecast_view(
        request.session, await request.actor(), text=request.text, now=request.now
    )
    return Reply("forecast/view", view)


async def sources_command(request: Request) -> Reply:
    view = await sources.sources_view(
        request.session, await request.actor(), text=request.text, now=request.now
    )
    return Reply("sources/view", view)


async def customers_command(request: Request) -> Reply:
    scope = await request.actor()
    words = request.text.split()
    number = int(words[0]) if words and words[0].isascii() and words[0].isdigit() else 1
    page = await customers.customers_page(request.session, scope, number)
    return Reply(
        "customers/list",
        {
            "rows": [
                {
                    "number": row.lead.number,
                    "name": row.lead.name,
                    "amount": money(row.lead.amount or 0),
                    "won_on": formats.day(request.local(row.won_at)) if row.won_at else "",
                    "referrals": row.referrals,
                    "referral_revenue": money(row.referral_revenue),
                    "satisfaction": row.satisfaction,
                }
                for row in page.rows
            ],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "revenue": money(page.revenue),
            "referral_revenue": money(page.referral_revenue),
            "repeat_revenue": money(page.repeat_revenue),
            "team": permissions.sees_all(scope.member),
        },
        keyboard=keyboard(
            *[
                [
                    button(
                        t(request.locale, "pool_buttons.refer", number=row.lead.number),
                        request.sign("cref", row.lead.id),
                    )
                ]
                for row in page.rows[:REFER_BUTTONS]
            ]
        ),
    )


async def refer_button(request: Request) -> Reply:
    """ "Add a referral" on /customers: the next line typed is the referred lead."""
    if not request.args:
        raise UserError("bad_button")
    scope = await request.actor()
    lead = await svc.get_lead_by_id(request.session, scope, request.args[0])
    customer = await customers.find_customer(request.session, scope, lead.number)
    await svc.set_state(
        request.session, scope.person_id, _chat_id(request),
        flow=REFER_FLOW, step="line", data={"customer": customer.number}, now=request.now,
    )  # fmt: skip
    return Reply("customers/ref_ask", {"number": customer.number, "name": customer.name})


async def refer_flow(request: Request) -> Reply:
    scope = await request.actor()
    state = await svc.get_state(request.session, scope.person_id, _chat_id(request))
    if state is None:
        raise UserError("bad_button")
    customer = await customers.find_customer(
        request.session, scope, int(state.data.get("customer", 0))
    )
    draft = customers.referred_draft(svc.draft_from_text(request.text, scope, request.now))
    saved = await svc.create_lead(request.session, scope, draft, request.now)
    await customers.link_referral(request.session, scope, saved.lead, customer, request.now)
    await svc.clear_state(request.session, scope.person_id, _chat_id(request))
    return await card(
        request, scope, saved.lead, notice="created", fix=True,
        duplicates=saved.duplicates, hidden_duplicate=saved.hidden_duplicate,
    )  # fmt: skip


def _chat_id(request: Request) -> int:
    chat = request.update.effective_chat
    return chat.id if chat else 0


async def customer_command(request: Request) -> Reply:
    scope = await request.actor()
    result = await customers.record_satisfaction(request.session, scope, request.text, request.now)
    return Reply(
        "customers/noted",
        {
            "number": result.lead.number,
            "name": result.lead.name,
            "score": result.score,
            "ask": result.ask.text if result.ask else "",
        },
    )


FEATURE = Feature(
    commands=[
        CommandSpec("pool", "pool", pool_command),
        CommandSpec("assign", "pool", assign),
        CommandSpec("claim", "pool", claim),
        CommandSpec("away", "pool", away),
        CommandSpec("forecast", "pool", forecast_command),
        CommandSpec("sources", "pool", sources_command),
        CommandSpec("customers", "pool", customers_command),
        CommandSpec("customer", "pool", customer_command),
    ],
    callbacks={"ppg": page_button, "cref": refer_button},
    flows={REFER_FLOW: refer_flow},
)
