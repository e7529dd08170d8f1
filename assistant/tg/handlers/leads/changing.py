"""Changing leads: contacts, follow-ups, stages, won and lost, edits, grades, delete and undo,
merging duplicates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardMarkup,
)

from assistant.domain import pipeline
from assistant.i18n import t
from assistant.render import formats
from assistant.services import followups, merge
from assistant.services import leads as svc
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.leads.cards import (
    _lead_from_button,
    _lead_from_text,
    card,
)
from assistant.tg.keyboards import button, keyboard

if TYPE_CHECKING:
    from assistant.db.models import Lead

# ---------------------------------------------------------------- changing leads


async def log(request: Request) -> Reply:
    scope, lead, note = await _lead_from_text(request, "/log 12 聊了套餐", card_next=True)
    await svc.log_contact(request.session, scope, lead, note, request.now)
    return await card(request, scope, lead, notice="logged")


async def log_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request, card_next=True)
    await svc.log_contact(request.session, scope, lead, "", request.now)
    return await card(request, scope, lead, notice="logged")


async def fu(request: Request) -> Reply:
    scope, lead, when_text = await _lead_from_text(request, "/fu 12 周五下午3点", card_next=True)
    if not when_text:
        raise UserError("bad_when", given="", reason="unknown")
    when = svc.parse_followup(when_text, scope, request.now)
    svc.set_followup(request.session, scope, lead, when, request.now, "manual")
    return await card(request, scope, lead, notice="followup")


async def followup_menu(request: Request) -> Reply:
    _, lead = await _lead_from_button(request)
    morning = formats.time(followups.morning_clock(request.person))
    rows = [
        [button(t(request.locale, f"lead_buttons.fu_{code}", time=morning),
                request.sign("lfs", lead.id, code))]
        for code in followups.PRESETS
    ]  # fmt: skip
    return Reply("leads/followup_menu", {"number": lead.number, "name": lead.name},
                 keyboard=keyboard(*rows))  # fmt: skip


async def followup_button(request: Request) -> Reply:
    scope, lead = await _lead_from_button(request, card_next=True)
    code = request.args[1] if len(request.args) > 1 else ""
    when = followups.preset_time(code, request.person, request.now)
    svc.set_followup(request.session, scope, lead, when, request.now, "manual")
    return await card(request, scope, lead, notice="followup")


async def move(request: Request) -> Reply:
    scope, lead, rest = await _lead_from_text(request, "/move 12 到店", card_next=True)
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
    scope, lead, rest = await _lead_from_text(request, "/won 12 8800", card_next=True)
    amount = svc.amount_from(rest)
    old = lead.stage
    await svc.move_stage(request.session, scope, lead, pipeline.WON, request.now, amount=amount)
    return await card(request, scope, lead, notice="moved", old_stage=old)


def _reasons_keyboard(request: Request, scope: Actor, lead: Lead) -> InlineKeyboardMarkup:
    return keyboard(
        *[
            [button(reason[:40], request.sign("llr", lead.id, index))]
            for index, reason in enumerate(svc.lost_reasons(scope), start=1)
        ]
    )


async def lost(request: Request) -> Reply:
    scope, lead, rest = await _lead_from_text(request, "/lost 12 价格太高", card_next=True)
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
    scope, lead = await _lead_from_button(request, card_next=True)
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
    scope, lead = await _lead_from_button(request, card_next=True)
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
    scope, lead, rest = await _lead_from_text(request, "/edit 12 电话 13800138000", card_next=True)
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
    scope, lead = await _lead_from_button(request, deleted=True, card_next=True)
    await svc.restore_lead(request.session, scope, lead, request.now)
    return await card(request, scope, lead, notice="restored")


async def grade(request: Request) -> Reply:
    scope, lead, choice = await _lead_from_text(request, "/grade 12 B", card_next=True)
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
