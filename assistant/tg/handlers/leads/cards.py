"""A lead's card and list rows: the views the lead handlers present."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from assistant.domain import pipeline
from assistant.domain.capture import (
    format_phone,
)
from assistant.domain.messengers import WHATSAPP
from assistant.i18n import t
from assistant.render import formats
from assistant.render.formats import money
from assistant.services import leads as svc
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.leads.card import card_facts
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.spaces import team_label
from assistant.tg.keyboards import button, keyboard

if TYPE_CHECKING:
    from assistant.db.models import Lead, LeadEvent

ADD_FLOW: Final = "lead_add"
FIX_FLOW: Final = "lead_fix"
FIX_FIELDS: Final = ("name", "phone", "wechat", "date", "source")
CHAT_FIELDS: Final = tuple(svc.CHAT_FIELDS)  # the chat id is fixed as an id on its own app
SKIP_WORDS: Final = {"skip", "跳过", "-", "无", "没有", "none", "no"}


# ---------------------------------------------------------------- views


def _chat_id(request: Request) -> int:
    chat = request.update.effective_chat
    return chat.id if chat else 0


def _when(request: Request, moment: datetime | None) -> str:
    return formats.date_time(request.local(moment)) if moment else ""


def lead_view(request: Request, scope: Actor, lead: Lead) -> dict[str, Any]:
    today = scope.today(request.now)
    return {
        "id": lead.id,
        "number": lead.number,
        "name": lead.name,
        "phone": format_phone(lead.phone),
        "wechat": (format_phone(lead.wechat) if lead.messenger == WHATSAPP else lead.wechat) or "",
        "messenger": lead.messenger,
        "source": lead.source or "",
        "event_date": formats.day(lead.event_date) if lead.event_date else "",
        "days_left": (lead.event_date - today).days if lead.event_date else None,
        "stage": lead.stage,
        "grade": lead.grade,
        "grade_manual": lead.grade_manual,
        "date_passed": lead.date_passed,
        "strong_intent": lead.strong_intent,
        "next_followup": _when(request, lead.next_followup_at),
        "overdue": bool(lead.next_followup_at and lead.next_followup_at < request.now),
        "notes": lead.intent or "",
        "tags": lead.tags or "",
        "amount": _money(lead.amount),
        "lost_reason": lead.lost_reason or "",
        "closed": pipeline.is_closed(lead.stage),
    }


def _money(value: object) -> str:
    if not isinstance(value, int | float) or not value:
        return ""
    return money(value)


def event_view(request: Request, row: svc.ShownEvent, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "at": _when(request, row.at),
        "kind": row.kind,
        "from": row.from_value or "",
        "to": row.to_value or "",
        "note": str(row.payload.get("note", "")),
        "reason": str(row.payload.get("reason", "")),
        "amount": _money(row.payload.get("amount")),
        "field": str(row.payload.get("field", "")),
        "new": "" if row.payload.get("new") is None else str(row.payload.get("new")),
        "manual": bool(row.payload.get("manual")),
        "script": titles.get(row.to_value or "", ""),  # the title of a script sent
        "when": _when(request, datetime.fromisoformat(row.to_value))
        if row.kind == "followup" and row.to_value
        else "",
    }


def card_keyboard(request: Request, lead: Lead, *, fix: bool = False) -> InlineKeyboardMarkup:
    locale = request.locale
    sign = request.sign
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(t(locale, "lead_buttons.log"), sign("lg", lead.id)),
            button(t(locale, "lead_buttons.move"), sign("lmv", lead.id)),
        ],
        [
            button(t(locale, "lead_buttons.followup"), sign("lfu", lead.id)),
            button(t(locale, "lead_buttons.script"), sign("scr", lead.id)),
        ],
    ]
    if fix:
        names = [lead.messenger if name == "wechat" else name for name in FIX_FIELDS]
        labels = [
            button(
                t(locale, "lead_buttons.fix", field=t(locale, f"lead_fields.{name}")),
                sign("lfx", lead.id, name),
            )
            for name in names
        ]
        rows += [labels[:3], labels[3:]]
    return keyboard(*rows)


async def card(
    request: Request,
    scope: Actor,
    lead: Lead,
    *,
    notice: str = "",
    fix: bool = False,
    duplicates: list[Lead] | None = None,
    hidden_duplicate: bool = False,
    created: list[LeadEvent] | None = None,  # a lead new in this update: its events, oldest first
    unread_date: str | None = None,  # words after a date keyword that were no date
    **extra: Any,
) -> Reply:
    facts = await card_facts(request.session, scope, lead, locale=request.locale, created=created)
    markup = card_keyboard(request, lead, fix=fix)
    if unread_date:  # the date we could not read: setting it is one tap away
        set_date = button(
            t(request.locale, "lead_buttons.set_date"), request.sign("lfx", lead.id, "date")
        )
        markup = InlineKeyboardMarkup([[set_date], *markup.inline_keyboard])
    dupes = [lead_view(request, scope, d) for d in duplicates or []]
    if duplicates:
        extra_rows = [
            [
                button(
                    t(request.locale, "lead_buttons.merge", number=d.number),
                    request.sign("lmg", lead.id, d.id),
                )
            ]
            for d in duplicates[:3]
        ]
        extra_rows.append([button(t(request.locale, "lead_buttons.keep"), request.sign("lkb"))])
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, *extra_rows])
    return Reply(
        "leads/card",
        {
            "lead": lead_view(request, scope, lead),
            "history": [event_view(request, row, facts.titles) for row in facts.history],
            "owner": facts.owner,
            "notice": notice,
            "duplicates": dupes,
            "hidden_duplicate": hidden_duplicate,
            "unread_date": unread_date,
            "space": await team_label(request, scope.team),
            **extra,
        },
        keyboard=markup,
    )


def _number_and_rest(request: Request, usage: str) -> tuple[str, str]:
    parts = request.text.split(maxsplit=1)
    if not parts:
        raise UserError("lead_id_needed", given="", usage=usage)
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


async def _lead_from_text(
    request: Request, usage: str, *, card_next: bool = False
) -> tuple[Actor, Lead, str]:
    scope = await request.actor()
    number, rest = _number_and_rest(request, usage)
    if not number.lstrip("#").isascii() or not number.lstrip("#").isdigit():
        raise UserError("lead_id_needed", given=number[:40], usage=usage)
    lead = await svc.get_lead(request.session, scope, number, with_history=card_next)
    return scope, lead, rest


async def _lead_from_button(
    request: Request, *, deleted: bool = False, card_next: bool = False
) -> tuple[Actor, Lead]:
    if not request.args:
        raise UserError("bad_button")
    scope = await request.actor()
    lead = await svc.get_lead_by_id(
        request.session, scope, request.args[0], deleted=deleted, with_history=card_next
    )
    return scope, lead
