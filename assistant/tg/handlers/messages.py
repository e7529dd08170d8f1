"""Leads from plain messages in a private chat: a client's details pasted without /add, a
forwarded message, a shared contact card.

Pasted text that looks like a lead (domain/capture.py `looks_like_lead`) is shown as a parsed
card with "save" / "cancel"; the draft waits in the conversation-state table (flow
`lead_paste`), so a restart loses nothing, and "save" stores it exactly as /add would. Any
other text gets the friendly "I don't understand" hint.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Final

from telegram import (
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
)

from assistant.domain.capture import (
    NAME_LIMIT,
    TEXT_LIMIT,
    LeadDraft,
    format_phone,
    looks_like_lead,
    normalize_phone,
)
from assistant.domain.grading import grade_for
from assistant.domain.messengers import WHATSAPP
from assistant.i18n import t
from assistant.services import conversation
from assistant.services import leads as svc
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers import leads
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import Feature

PASTE_FLOW: Final = "lead_paste"
DRAFT_FIELDS: Final = (
    "name", "phone", "wechat", "messenger", "source", "strong_intent", "notes", "unread_date"
)  # fmt: skip


def _chat_id(request: Request) -> int:
    chat = request.update.effective_chat
    return chat.id if chat else 0


# ---------------------------------------------------------------- pasted text


async def free_text(request: Request) -> Reply:
    """Text with no command and no flow waiting: a parsed card when it looks like a lead."""
    text = " ".join(request.text.split())
    scope = await request.actor()
    if not text or len(text) > TEXT_LIMIT:
        return Reply("hint")
    draft = svc.capture(text, scope, request.now)
    if not looks_like_lead(draft, text):
        return Reply("hint")
    svc.validate_draft(draft)  # a bad phone or a missing name is answered as /add answers it
    token = secrets.token_hex(4)
    data: dict[str, Any] = {name: getattr(draft, name) for name in DRAFT_FIELDS}
    data["event_date"] = draft.event_date.isoformat() if draft.event_date else None
    await svc.set_state(
        request.session, scope.person_id, _chat_id(request),
        flow=PASTE_FLOW, step="confirm", data={**data, "token": token}, now=request.now,
    )  # fmt: skip
    grade = grade_for(
        draft.event_date, scope.today(request.now), draft.strong_intent,
        scope.settings["grading"],
    ).grade  # fmt: skip
    messenger = draft.messenger or scope.team.messenger
    view = {
        **data,
        "phone": format_phone(draft.phone),
        "grade": grade,
        "messenger": messenger,
        "wechat": format_phone(draft.wechat) if messenger == WHATSAPP else draft.wechat,
    }
    buttons = [
        button(t(request.locale, "paste_buttons.save"), request.sign("lps", token)),
        button(t(request.locale, "paste_buttons.cancel"), request.sign("lpc", token)),
    ]
    return Reply("leads/paste_preview", {"draft": view}, keyboard=keyboard(buttons))


async def paste_waiting(request: Request) -> Reply:
    """New text while a pasted lead waits: that one is dropped, the new text read afresh."""
    assert request.person.id is not None
    await svc.clear_state(request.session, request.person.id, _chat_id(request))
    return await free_text(request)


def _draft_from(data: dict[str, Any]) -> LeadDraft:
    return LeadDraft(
        name=str(data.get("name") or ""),
        phone=data.get("phone"),
        wechat=data.get("wechat"),
        messenger=data.get("messenger"),
        event_date=date.fromisoformat(data["event_date"]) if data.get("event_date") else None,
        source=data.get("source"),
        strong_intent=bool(data.get("strong_intent")),
        notes=data.get("notes"),
        unread_date=data.get("unread_date"),
    )


async def save_button(request: Request) -> Reply:
    scope = await request.actor()
    data = await conversation.take_state(
        request.session, scope.person_id, _chat_id(request), flow=PASTE_FLOW,
        token=request.args[0] if request.args else "",
    )  # fmt: skip
    if data is None:
        return Reply("leads/paste_gone")
    return await leads.save_draft(request, scope, _draft_from(data))


async def cancel_button(request: Request) -> Reply:
    assert request.person.id is not None
    data = await conversation.take_state(
        request.session, request.person.id, _chat_id(request), flow=PASTE_FLOW,
        token=request.args[0] if request.args else "",
    )  # fmt: skip
    if data is None:
        return Reply("leads/paste_gone")
    return Reply("leads/paste_cancelled", {"name": data.get("name") or ""})


# ---------------------------------------------------------------- forwarded messages, contacts


async def contact_card(request: Request) -> Reply:
    """A contact shared or forwarded into the chat becomes a lead."""
    message = request.update.effective_message
    contact = message.contact if message else None
    if contact is None:
        raise UserError("bad_button")
    scope = await request.actor()
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    raw = contact.phone_number or ""
    phone = normalize_phone(raw, scope.team.phone_region) or (
        normalize_phone("+" + raw) if raw.isascii() and raw.isdigit() else None
    )
    if raw and phone is None:
        raise UserError("bad_phone", given=raw[:40])
    draft = LeadDraft(name=name, phone=phone)
    return await leads.save_draft(request, scope, draft)


def _origin_name(message: Any) -> str:
    origin = getattr(message, "forward_origin", None)
    if isinstance(origin, MessageOriginUser):
        return str(origin.sender_user.full_name)
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or ""
    if isinstance(origin, MessageOriginChannel):
        return origin.chat.title or ""
    return ""


async def forwarded(request: Request) -> Reply | list[Reply] | None:
    """A client's message forwarded into the chat becomes a lead named after its sender.

    Phone, WeChat, date and source are picked out of the text as /add does; the text itself is
    kept as the lead's notes. During a step-by-step flow the text goes to that flow instead.
    """
    assert request.person.id is not None
    state = await svc.get_state(request.session, request.person.id, _chat_id(request))
    if state is not None and state.flow != PASTE_FLOW:  # a waiting paste yields to the forward
        from assistant.tg.app import ROUTES

        flow = ROUTES.flows.get(state.flow)
        if flow is not None:
            return await flow(request)
    message = request.update.effective_message
    text = " ".join(request.text.split())
    scope = await request.actor()
    found = svc.capture(text[:TEXT_LIMIT], scope, request.now, name_first=False)
    name = " ".join(_origin_name(message).split())[:NAME_LIMIT] or found.name[:NAME_LIMIT]
    draft = LeadDraft(
        name=name,
        phone=found.phone,
        wechat=found.wechat,
        messenger=found.messenger,
        event_date=found.event_date,
        source=found.source,
        strong_intent=found.strong_intent,
        notes=" ".join(request.typed_text.split())[: svc.NOTE_LIMIT] or None,
        unread_date=found.unread_date,
    )
    return await leads.save_draft(request, scope, draft)


FEATURE = Feature(
    callbacks={"lps": save_button, "lpc": cancel_button},
    flows={PASTE_FLOW: paste_waiting},
    messages={"contact": contact_card, "forwarded": forwarded},
)
