"""Leads in a private chat: /add, /lead, /leads, /find, /log, /fu, /move, /won, /lost, /edit,
/del, /grade, /cancel, the guided /add flow and the lead card's buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from assistant.domain import pipeline, retention
from assistant.domain.capture import (
    NAME_LIMIT,
    LeadDraft,
    clean_chat_id,
    format_phone,
    marked_chat_id,
    normalize_phone,
)
from assistant.domain.dates import DateParseError, parse_date
from assistant.domain.invisible import visible_words
from assistant.domain.messengers import WHATSAPP
from assistant.domain.sources import is_referral
from assistant.i18n import t
from assistant.i18n.hant import as_typed
from assistant.services import customers, merge, permissions, pool, script_names
from assistant.services import leads as svc
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.spaces import team_label
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

if TYPE_CHECKING:
    from assistant.db.models import Lead, LeadEvent

ADD_FLOW: Final = "lead_add"
FIX_FLOW: Final = "lead_fix"
FIX_FIELDS: Final = ("name", "phone", "wechat", "date", "source")
CHAT_FIELDS: Final = tuple(svc.CHAT_FIELDS)  # the chat id is fixed as an id on its own app
SKIP_WORDS: Final = {"skip", "跳过", "-", "无", "没有", "none", "no"}
FOLLOWUP_PRESETS: Final = ("hour", "tomorrow", "3days", "week")


# ---------------------------------------------------------------- views


def _chat_id(request: Request) -> int:
    chat = request.update.effective_chat
    return chat.id if chat else 0


def _when(request: Request, moment: datetime | None) -> str:
    return request.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def lead_view(request: Request, scope: svc.Scope, lead: Lead) -> dict[str, Any]:
    today = scope.today(request.now)
    return {
        "id": lead.id,
        "number": lead.number,
        "name": lead.name,
        "phone": format_phone(lead.phone),
        "wechat": (format_phone(lead.wechat) if lead.messenger == WHATSAPP else lead.wechat) or "",
        "messenger": lead.messenger,
        "source": lead.source or "",
        "event_date": lead.event_date.isoformat() if lead.event_date else "",
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
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _shown(row: svc.ShownEvent) -> bool:
    """Cadence re-schedules are bookkeeping; the card shows the next follow-up anyway."""
    return not (row.kind == "followup" and row.payload.get("reason") == "cadence")


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
    scope: svc.Scope,
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
    await request.session.flush()
    newest_first: Sequence[svc.ShownEvent]
    if created is None:
        newest_first = await svc.history(request.session, lead, 30)
    else:  # what the query would return: same time, so the last written first
        newest_first = created[::-1][:30]
    rows = [row for row in newest_first if _shown(row)][:10]
    titles = await script_names.event_titles(request.session, lead.team_id, rows, request.locale)
    owner = ""
    if permissions.sees_all(scope.member) and lead.owner_id != scope.person_id:
        owner = await svc.owner_name(request.session, lead)
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
            "history": [event_view(request, row, titles) for row in rows],
            "owner": owner,
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


async def _lead_from_text(request: Request, usage: str) -> tuple[svc.Scope, Lead, str]:
    scope = await request.actor()
    number, rest = _number_and_rest(request, usage)
    if not number.lstrip("#").isascii() or not number.lstrip("#").isdigit():
        raise UserError("lead_id_needed", given=number[:40], usage=usage)
    lead = await svc.get_lead(request.session, scope, number)
    return scope, lead, rest


async def _lead_from_button(request: Request, *, deleted: bool = False) -> tuple[svc.Scope, Lead]:
    if not request.args:
        raise UserError("bad_button")
    scope = await request.actor()
    lead = await svc.get_lead_by_id(request.session, scope, request.args[0], deleted=deleted)
    return scope, lead


# ---------------------------------------------------------------- /add and its guided flow


async def add(request: Request) -> Reply:
    scope = await request.actor()
    if not request.text:
        await svc.set_state(
            request.session, scope.person_id, _chat_id(request),
            flow=ADD_FLOW, step="name", data={}, now=request.now,
        )  # fmt: skip
        return Reply("leads/add_ask", {"step": "name"})
    text, referrer = retention.split_referrer(request.text)  # `介绍人:12` / `ref:12`
    customer = None
    if referrer is not None:
        customer = await customers.find_customer(request.session, scope, referrer)
    words = text.split()
    to_pool = len(words) > 1 and pool.is_pool_word(words[-1])  # `/add … pool`
    draft = svc.draft_from_text(" ".join(words[:-1]) if to_pool else text, scope, request.now)
    if customer is not None:
        customers.referred_draft(draft)
    if not to_pool and customer is None:
        return await save_draft(request, scope, draft)
    if to_pool:
        saved = await pool.add_to_pool(request.session, scope, draft, request.now)
    else:
        saved = await svc.create_lead(request.session, scope, draft, request.now)
    if customer is not None:
        await customers.link_referral(request.session, scope, saved.lead, customer, request.now)
    if to_pool:
        return Reply("pool/added", {"lead": lead_view(request, scope, saved.lead),
                                    "duplicates": len(saved.duplicates)})  # fmt: skip
    return await card(
        request, scope, saved.lead, notice="created", fix=True,
        duplicates=saved.duplicates, hidden_duplicate=saved.hidden_duplicate,
    )  # fmt: skip


async def save_draft(request: Request, scope: svc.Scope, draft: LeadDraft) -> Reply:
    """Store a draft as /add does (duplicates found and shown) and show its card."""
    saved = await svc.create_lead(request.session, scope, draft, request.now)
    return await card(
        request, scope, saved.lead, notice="created", fix=True,
        duplicates=saved.duplicates, hidden_duplicate=saved.hidden_duplicate,
        created=saved.events, unread_date=draft.unread_date,
    )  # fmt: skip


def _skip(text: str) -> bool:
    return text.strip().lower() in SKIP_WORDS


def _contact_from(text: str, scope: svc.Scope) -> tuple[str | None, str | None, str | None]:
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


# ---------------------------------------------------------------- looking at leads


async def lead_command(request: Request) -> Reply:
    scope, lead, _ = await _lead_from_text(request, "/lead 12")
    return await card(request, scope, lead)


async def lead_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
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


# ---------------------------------------------------------------- changing leads


async def log(request: Request) -> Reply:
    scope, lead, note = await _lead_from_text(request, "/log 12 聊了套餐")
    await svc.log_contact(request.session, scope, lead, note, request.now)
    return await card(request, scope, lead, notice="logged")


async def log_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
    await svc.log_contact(request.session, scope, lead, "", request.now)
    return await card(request, scope, lead, notice="logged")


async def fu(request: Request) -> Reply:
    scope, lead, when_text = await _lead_from_text(request, "/fu 12 周五下午3点")
    if not when_text:
        raise UserError("bad_when", given="", reason="unknown")
    when = svc.parse_followup(when_text, scope, request.now)
    svc.set_followup(request.session, scope, lead, when, request.now, "manual")
    return await card(request, scope, lead, notice="followup")


def _preset(code: str, request: Request) -> datetime:
    zone = ZoneInfo(request.person.timezone)
    local_now = request.now.astimezone(zone)
    if code == "hour":
        return request.now + timedelta(hours=1)
    if code == "3days":
        return request.now + timedelta(days=3)
    days = 1 if code == "tomorrow" else 7 - local_now.weekday()
    return datetime.combine(local_now.date() + timedelta(days=days), time(10), tzinfo=zone)


async def followup_menu(request: Request) -> Reply:
    _, lead = await _lead_from_button(request)
    rows = [
        [button(t(request.locale, f"lead_buttons.fu_{code}"), request.sign("lfs", lead.id, code))]
        for code in FOLLOWUP_PRESETS
    ]
    return Reply("leads/followup_menu", {"number": lead.number, "name": lead.name},
                 keyboard=keyboard(*rows))  # fmt: skip


async def followup_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
    code = request.args[1] if len(request.args) > 1 else ""
    if code not in FOLLOWUP_PRESETS:
        raise UserError("bad_button")
    svc.set_followup(request.session, scope, lead, _preset(code, request), request.now, "manual")
    return await card(request, scope, lead, notice="followup")


async def move(request: Request) -> Reply:
    scope, lead, rest = await _lead_from_text(request, "/move 12 到店")
    stage_text, _, extra = rest.partition(" ")
    if not stage_text:
        raise UserError(
            "bad_stage", given="", stages=[*pipeline.stages(scope.team.pipeline), pipeline.LOST]
        )
    stage = svc.find_stage(scope.team.pipeline, stage_text)
    amount = svc.amount_from(extra) if stage == pipeline.WON else None
    reason = svc.pick_reason(scope, extra) if stage == pipeline.LOST else None
    old = lead.stage
    await svc.move_stage(
        request.session, scope, lead, stage_text, request.now, amount=amount, reason=reason
    )
    return await card(request, scope, lead, notice="moved", old_stage=old)


async def won(request: Request) -> Reply:
    scope, lead, rest = await _lead_from_text(request, "/won 12 8800")
    amount = svc.amount_from(rest)
    old = lead.stage
    await svc.move_stage(request.session, scope, lead, pipeline.WON, request.now, amount=amount)
    return await card(request, scope, lead, notice="moved", old_stage=old)


def _reasons_keyboard(request: Request, scope: svc.Scope, lead: Lead) -> InlineKeyboardMarkup:
    return keyboard(
        *[
            [button(reason[:40], request.sign("llr", lead.id, index))]
            for index, reason in enumerate(svc.lost_reasons(scope), start=1)
        ]
    )


async def lost(request: Request) -> Reply:
    scope, lead, rest = await _lead_from_text(request, "/lost 12 价格太高")
    if not rest:
        return Reply(
            "leads/lost_menu",
            {"number": lead.number, "name": lead.name, "reasons": svc.lost_reasons(scope)},
            keyboard=_reasons_keyboard(request, scope, lead),
        )
    old = lead.stage
    await svc.move_stage(
        request.session, scope, lead, pipeline.LOST, request.now,
        reason=svc.pick_reason(scope, rest),
    )  # fmt: skip
    return await card(request, scope, lead, notice="moved", old_stage=old)


async def stage_menu(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
    stages = [s for s in (*pipeline.stages(scope.team.pipeline), pipeline.LOST) if s != lead.stage]
    rows = [
        [button(t(request.locale, f"stages.{stage}"), request.sign("lst", lead.id, stage))]
        for stage in stages
    ]
    return Reply("leads/stage_menu", {"number": lead.number, "name": lead.name},
                 keyboard=keyboard(*rows))  # fmt: skip


async def stage_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
    stage = request.args[1] if len(request.args) > 1 else ""
    if stage == pipeline.LOST:
        return Reply(
            "leads/lost_menu",
            {"number": lead.number, "name": lead.name, "reasons": svc.lost_reasons(scope)},
            keyboard=_reasons_keyboard(request, scope, lead),
        )
    old = lead.stage
    await svc.move_stage(request.session, scope, lead, stage, request.now)
    return await card(request, scope, lead, notice="moved", old_stage=old)


async def reason_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request)
    index = request.args[1] if len(request.args) > 1 else ""
    reasons = svc.lost_reasons(scope)
    if not (index.isascii() and index.isdigit()) or not 1 <= int(index) <= len(reasons):
        raise UserError("bad_button")
    old = lead.stage
    await svc.move_stage(
        request.session, scope, lead, pipeline.LOST, request.now, reason=reasons[int(index) - 1]
    )
    return await card(request, scope, lead, notice="moved", old_stage=old)


async def edit(request: Request) -> Reply:
    scope, lead, rest = await _lead_from_text(request, "/edit 12 电话 13800138000")
    field, _, value = rest.partition(" ")
    if not field:
        raise UserError("bad_field", given="")
    duplicates, hidden = await svc.edit_field(
        request.session, scope, lead, field, value, request.now
    )
    return await card(
        request, scope, lead, notice="edited", duplicates=duplicates, hidden_duplicate=hidden
    )


async def delete(request: Request) -> Reply:
    scope, lead, _ = await _lead_from_text(request, "/del 12")
    await svc.delete_lead(request.session, scope, lead, request.now)
    return Reply(
        "leads/deleted",
        {"number": lead.number, "name": lead.name},
        keyboard=keyboard(
            [button(t(request.locale, "lead_buttons.undo"), request.sign("lun", lead.id))]
        ),
    )


async def undo_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request, deleted=True)
    await svc.restore_lead(request.session, scope, lead, request.now)
    return await card(request, scope, lead, notice="restored")


async def grade(request: Request) -> Reply:
    scope, lead, choice = await _lead_from_text(request, "/grade 12 B")
    if not choice:
        raise UserError("bad_grade", given="")
    old = lead.grade
    await svc.set_grade(request.session, scope, lead, choice, request.now)
    return await card(request, scope, lead, notice="graded", old_grade=old)


async def merge_button(request: Request) -> Reply:
    scope, source = await _lead_from_button(request)
    if len(request.args) < 2:
        raise UserError("bad_button")
    target = await svc.get_lead_by_id(request.session, scope, request.args[1])
    number = source.number
    await merge.merge_leads(request.session, scope, source, target, request.now)
    return await card(request, scope, target, notice="merged", merged_number=number)


async def keep_button(request: Request) -> Reply:
    return Reply("leads/kept")


FEATURE = Feature(
    commands=[
        CommandSpec("add", "leads", add),
        CommandSpec("lead", "leads", lead_command),
        CommandSpec("leads", "leads", leads_command),
        CommandSpec("find", "leads", find),
        CommandSpec("log", "leads", log),
        CommandSpec("fu", "leads", fu),
        CommandSpec("move", "leads", move),
        CommandSpec("won", "leads", won),
        CommandSpec("lost", "leads", lost),
        CommandSpec("edit", "leads", edit),
        CommandSpec("del", "leads", delete),
        CommandSpec("grade", "leads", grade),
        CommandSpec("cancel", "leads", cancel),
    ],
    callbacks={
        "lead": lead_button,
        "lg": log_button,
        "lmv": stage_menu,
        "lst": stage_button,
        "llr": reason_button,
        "lfu": followup_menu,
        "lfs": followup_button,
        "lfx": fix_button,
        "lpg": page_button,
        "lmg": merge_button,
        "lkb": keep_button,
        "lun": undo_button,
    },
    flows={ADD_FLOW: add_flow, FIX_FLOW: fix_flow},
)
