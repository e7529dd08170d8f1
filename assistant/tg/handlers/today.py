"""/today (the daily plan) and /activate (activation batches)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from assistant.i18n import t
from assistant.services import activation, today
from assistant.services.errors import UserError
from assistant.services.people import signature
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.spaces import team_label
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

MORE = "tdm"  # the plan's "more" button


async def _plan_reply(request: Request, page: int) -> Reply:
    actor = await request.actor()
    plan = await today.plan_for(request.session, actor, now=request.now, page=page)
    space = await team_label(request, actor.team)
    more = None
    if plan.remaining:
        count = min(plan.remaining, today.PAGE_SIZE)
        label = t(request.locale, "work_buttons.today_more", count=count)
        more = keyboard([button(label, request.sign(MORE, plan.page + 1))])
    context = {"plan": plan, "rep": signature(request.person), "space": space, "paged": True}
    return Reply("work/today", context, keyboard=more)


async def today_command(request: Request) -> Reply:
    return await _plan_reply(request, 1)


async def more_button(request: Request) -> Reply:
    """The plan's next leads, in a message of their own below the ones already shown."""
    if len(request.args) != 1 or not request.args[0].isascii() or not request.args[0].isdigit():
        raise UserError("bad_button")
    return await _plan_reply(request, int(request.args[0]))


def _batch_keyboard(request: Request, view: activation.BatchView) -> InlineKeyboardMarkup | None:
    batch_id = view.batch.id
    rows = [
        [
            button(
                t(request.locale, "work_buttons.act_replied", number=item.lead.number),
                request.sign("act", batch_id, item.lead.id, "r"),
            ),
            button(
                t(request.locale, "work_buttons.act_silent", number=item.lead.number),
                request.sign("act", batch_id, item.lead.id, "n"),
            ),
        ]
        for item in view.items
        if item.outcome is None
    ]
    return keyboard(*rows) if rows else None


async def _batch_reply(request: Request, view: activation.BatchView, *, edit: bool) -> Reply:
    team = (await request.actor()).team
    context = {
        "view": view,
        "rep": signature(request.person),
        "scripts": view.scripts,
        "messenger": team.messenger,
    }
    return Reply("activate/batch", context, keyboard=_batch_keyboard(request, view), edit=edit)


async def activate_command(request: Request) -> Reply:
    actor = await request.actor()
    size = activation.batch_size(request.text, actor.team)
    view = await activation.start_batch(request.session, actor, size=size, now=request.now)
    if view is None:
        return Reply("activate/none")
    return await _batch_reply(request, view, edit=False)


_OUTCOMES = {"r": activation.REPLIED, "n": activation.SILENT}


async def activate_outcome(request: Request) -> Reply:
    if len(request.args) != 3 or request.args[2] not in _OUTCOMES:
        raise UserError("bad_button")
    view = await activation.record(
        request.session,
        await request.actor(),
        batch_id=request.args[0],
        lead_id=request.args[1],
        outcome=_OUTCOMES[request.args[2]],
        now=request.now,
    )
    return await _batch_reply(request, view, edit=True)


FEATURE = Feature(
    commands=[
        CommandSpec("today", "work", today_command),
        CommandSpec("activate", "work", activate_command),
    ],
    callbacks={"act": activate_outcome, MORE: more_button},
)
