"""/add and its guided flow, and fixing what /add could not read."""

from __future__ import annotations

from datetime import date

from assistant.domain.capture import (
    NAME_LIMIT,
    LeadDraft,
    clean_chat_id,
    marked_chat_id,
    normalize_phone,
)
from assistant.domain.dates import DateParseError, parse_date
from assistant.domain.invisible import visible_words
from assistant.domain.sources import is_referral
from assistant.i18n.hant import as_typed
from assistant.services import leads as svc
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.leads.adding import capture_lead
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.leads.cards import (
    ADD_FLOW,
    CHAT_FIELDS,
    FIX_FIELDS,
    FIX_FLOW,
    SKIP_WORDS,
    _chat_id,
    _lead_from_button,
    card,
    lead_view,
)

# ---------------------------------------------------------------- /add and its guided flow


async def add(request: Request) -> Reply:
    if not request.text:
        scope = await request.actor()
        await svc.set_state(
            request.session, scope.person_id, _chat_id(request),
            flow=ADD_FLOW, step="name", data={}, now=request.now,
        )  # fmt: skip
        return Reply("leads/add_ask", {"step": "name"})
    result = await capture_lead(request.uow, request.text, now=request.now)
    scope, saved = await request.actor(), result.saved
    if result.to_pool:
        return Reply("pool/added", {"lead": lead_view(request, scope, saved.lead),
                                    "duplicates": len(saved.duplicates)})  # fmt: skip
    if result.referred:  # its history holds the referral too: read back, not taken from memory
        return await card(
            request, scope, saved.lead, notice="created", fix=True,
            duplicates=saved.duplicates, hidden_duplicate=saved.hidden_duplicate,
        )  # fmt: skip
    return await _created_card(request, scope, saved, result.draft)


async def save_draft(request: Request, scope: Actor, draft: LeadDraft) -> Reply:
    """Store a draft as /add does (duplicates found and shown) and show its card."""
    saved = await svc.create_lead(request.session, scope, draft, request.now)
    return await _created_card(request, scope, saved, draft)


async def _created_card(
    request: Request, scope: Actor, saved: svc.Saved, draft: LeadDraft
) -> Reply:
    return await card(
        request, scope, saved.lead, notice="created", fix=True,
        duplicates=saved.duplicates, hidden_duplicate=saved.hidden_duplicate,
        created=saved.events, unread_date=draft.unread_date,
    )  # fmt: skip


def _skip(text: str) -> bool:
    return text.strip().lower() in SKIP_WORDS


def _contact_from(text: str, scope: Actor) -> tuple[str | None, str | None, str | None]:
    """A phone, or a chat id typed alone (with or without a wx: / line: / whatsapp: marker):
    (phone, chat id, the id's app). Numbers are read in the team's region; an unmarked id is
    an id on the team's app."""
    cleaned = text.strip()
    region, messenger = scope.team.phone_region, scope.team.messenger
    marked, chat_id, given = marked_chat_id(cleaned, region)
    if marked is not None:
        if chat_id is None:
            raise UserError("bad_wechat", given=given[:40], messenger=marked)
        return None, chat_id, marked
    phone = normalize_phone(cleaned, region)
    if phone is not None:
        return phone, None, None
    digits = sum(ch.isdigit() for ch in cleaned)
    if digits >= 5 and digits >= len(cleaned.replace(" ", "").replace("-", "")) - 1:
        raise UserError("bad_phone", given=cleaned[:40])
    chat_id = clean_chat_id(cleaned, messenger, region)
    if chat_id is None:
        raise UserError("bad_contact", given=cleaned[:40], messenger=messenger)
    return None, chat_id, messenger


async def add_flow(request: Request) -> Reply:
    scope = await request.actor()
    state = await svc.get_state(request.session, scope.person_id, _chat_id(request))
    assert state is not None
    data = dict(state.data)
    text = visible_words(request.text)
    step = state.step
    if step == "name":
        if not text:
            raise UserError("name_missing")
        if len(text) > NAME_LIMIT:
            raise UserError("name_too_long", limit=NAME_LIMIT)
        data["name"], step = as_typed(text), "contact"
    elif step == "contact":
        if not _skip(text):
            data["phone"], data["wechat"], data["messenger"] = _contact_from(text, scope)
        step = "date"
    elif step == "date":
        if not _skip(text):
            try:
                data["event_date"] = parse_date(text, scope.today(request.now)).isoformat()
            except DateParseError:
                raise UserError("bad_date", given=text[:40]) from None
        step = "source"
    else:
        if not _skip(text):
            if len(text) > svc.SOURCE_LIMIT:
                raise UserError("text_too_long", limit=svc.SOURCE_LIMIT)
            data["source"] = svc.typed_source(text)
        await svc.clear_state(request.session, scope.person_id, _chat_id(request))
        draft = LeadDraft(
            name=data["name"],
            phone=data.get("phone"),
            wechat=data.get("wechat"),
            messenger=data.get("messenger"),
            event_date=date.fromisoformat(data["event_date"]) if data.get("event_date") else None,
            source=data.get("source"),
            strong_intent=is_referral(data.get("source")),
        )
        return await save_draft(request, scope, draft)
    await svc.set_state(
        request.session, scope.person_id, _chat_id(request),
        flow=ADD_FLOW, step=step, data=data, now=request.now,
    )  # fmt: skip
    return Reply(
        "leads/add_ask",
        {"step": step, "name": data.get("name", ""), "messenger": scope.team.messenger},
    )


async def cancel(request: Request) -> Reply:
    assert request.person.id is not None
    cleared = await svc.clear_state(request.session, request.person.id, _chat_id(request))
    return Reply("leads/cancelled", {"cleared": cleared})


async def fix_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
    field = request.args[1] if len(request.args) > 1 else ""
    if field not in FIX_FIELDS + CHAT_FIELDS:
        raise UserError("bad_button")
    await svc.set_state(
        request.session, scope.person_id, _chat_id(request),
        flow=FIX_FLOW, step=field, data={"lead_id": lead.id}, now=request.now,
    )  # fmt: skip
    return Reply("leads/fix_ask", {"field": field, "number": lead.number, "name": lead.name})


async def fix_flow(request: Request) -> Reply:
    scope = await request.actor()
    state = await svc.get_state(request.session, scope.person_id, _chat_id(request))
    assert state is not None
    field, lead_id = state.step, state.data.get("lead_id", 0)
    lead = await svc.get_lead_by_id(request.session, scope, lead_id)
    duplicates, hidden = await svc.edit_field(
        request.session, scope, lead, field, request.text, request.now
    )
    await svc.clear_state(request.session, scope.person_id, _chat_id(request))
    return await card(
        request, scope, lead, notice="edited", duplicates=duplicates, hidden_duplicate=hidden
    )
