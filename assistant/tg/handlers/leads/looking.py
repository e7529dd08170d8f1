"""Looking at leads: /lead, /leads with its pages, /find."""

from __future__ import annotations

from telegram import (
    InlineKeyboardMarkup,
)

from assistant.i18n import t
from assistant.services import leads as svc
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.leads.cards import _lead_from_button, _lead_from_text, card, lead_view
from assistant.tg.keyboards import button, keyboard

# ---------------------------------------------------------------- looking at leads


async def lead_command(request: Request) -> Reply:
    scope, lead, _ = await _lead_from_text(request, "/lead 12", card_next=True)
    return await card(request, scope, lead)


async def lead_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request, card_next=True)
    return await card(request, scope, lead)


def list_keyboard(request: Request, page: svc.Page) -> InlineKeyboardMarkup:
    rows = [
        [button(f"#{lead.number} {lead.name[:24]} · {lead.grade}", request.sign("lead", lead.id))]
        for lead in page.leads
    ]
    nav = []
    key = page.filter or "-"
    if page.page > 1:
        nav.append(
            button(t(request.locale, "lead_buttons.prev"), request.sign("lpg", key, page.page - 1))
        )
    if page.page < page.pages:
        nav.append(
            button(t(request.locale, "lead_buttons.next"), request.sign("lpg", key, page.page + 1))
        )
    return keyboard(*rows, nav)


async def _list_reply(request: Request, filter_key: str, page_number: int, edit: bool) -> Reply:
    scope = await request.actor()
    page = await svc.list_leads(
        request.session, scope, filter_key=filter_key, page=page_number, now=request.now
    )
    return Reply(
        "leads/list",
        {
            "leads": [lead_view(request, scope, lead) for lead in page.leads],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "filter": page.filter,
            "is_grade": page.filter in svc.GRADES,
        },
        keyboard=list_keyboard(request, page),
        edit=edit,
    )


async def leads_command(request: Request) -> Reply:
    scope = await request.actor()
    filter_key = svc.parse_filter(scope.team.pipeline, request.text)
    return await _list_reply(request, filter_key, 1, edit=False)


async def page_button(request: Request) -> Reply:
    if len(request.args) != 2 or not request.args[1].isascii() or not request.args[1].isdigit():
        raise UserError("bad_button")
    key = "" if request.args[0] == "-" else request.args[0]
    return await _list_reply(request, key, int(request.args[1]), edit=True)


async def find(request: Request) -> Reply:
    scope = await request.actor()
    found = await svc.find_leads(request.session, scope, request.text)
    rows = [
        [button(f"#{lead.number} {lead.name[:24]} · {lead.grade}", request.sign("lead", lead.id))]
        for lead in found
    ]
    return Reply(
        "leads/found",
        {"query": request.typed_text, "leads": [lead_view(request, scope, lead) for lead in found]},
        keyboard=keyboard(*rows),
    )
