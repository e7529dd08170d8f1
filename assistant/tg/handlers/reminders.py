"""The buttons on follow-up reminders and escalations: Done ✓, Snooze 1h, Tomorrow, Reassign.

Show script ("scr") and Open lead ("lead") are answered by the scripts and leads features.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from assistant.services import followups
from assistant.services import pushes as pushes  # registers the push kinds
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.keyboards import button, keyboard, markup
from assistant.tg.registry import Feature

if TYPE_CHECKING:
    from assistant.db.models import Lead, Person


def _arg(request: Request, index: int = 0) -> str:
    if len(request.args) <= index:
        raise UserError("bad_button")
    return request.args[index]


def _state(request: Request, lead: Lead, state: str) -> Reply:
    due = lead.next_followup_at
    next_local = due.astimezone(ZoneInfo(request.person.timezone)) if due else None
    days = round((due - request.now) / timedelta(days=1)) if due else 0
    return Reply(
        "pushes/followup_state",
        {"lead": lead, "state": state, "next": next_local, "days": days},
        keyboard=markup([pushes.lead_actions(lead)], request.locale, request.sign),
        edit=True,
    )


def _stale(request: Request, lead: Lead) -> bool:
    """The button belongs to a follow-up that was already handled (pressed twice, or done
    from another reminder): it must not log or move anything again. Buttons sent before
    they carried a stamp have none and still work."""
    return len(request.args) > 1 and request.args[1] != pushes.followup_stamp(lead)


async def done(request: Request) -> Reply:
    lead = await followups.lead_for(request.session, person=request.person, lead_id=_arg(request))
    if _stale(request, lead) or lead.next_followup_at is None:
        return _state(request, lead, "handled")
    if not await followups.take(request.session, lead):
        return _state(request, lead, "handled")
    await followups.mark_done(request.session, person=request.person, lead=lead, now=request.now)
    return _state(request, lead, "done")


async def postpone(
    request: Request, *, until: Callable[[Person, datetime], datetime], state: str
) -> Reply:
    """Snooze 1h and Tomorrow: they differ only in the new time and what the reminder says."""
    lead = await followups.lead_for(request.session, person=request.person, lead_id=_arg(request))
    if _stale(request, lead) or not await followups.take(request.session, lead):
        return _state(request, lead, "handled")
    followups.postpone(
        request.session, person=request.person, lead=lead,
        until=until(request.person, request.now), now=request.now,
    )  # fmt: skip
    return _state(request, lead, state)


async def reassign_choose(request: Request) -> Reply:
    lead = await followups.lead_for(request.session, person=request.person, lead_id=_arg(request))
    choices = await followups.reassign_choices(request.session, person=request.person, lead=lead)
    rows = [[button(choice.name or "?", request.sign("fu_to", lead.id, choice.person_id))]
            for choice in choices[:20]]  # fmt: skip
    return Reply(
        "pushes/reassign_choose",
        {"lead": lead, "choices": bool(choices)},
        keyboard=keyboard(*rows) if rows else None,
        edit=True,
    )


async def reassign_to(request: Request) -> list[Reply]:
    lead = await followups.lead_for(request.session, person=request.person, lead_id=_arg(request))
    target = await followups.reassign(
        request.session, person=request.person, lead=lead, to_person_id=_arg(request, 1),
        now=request.now,
    )  # fmt: skip
    replies = [
        Reply("pushes/reassigned", {"lead": lead, "to_me": False, "target": target.name}, edit=True)
    ]
    if target.id != request.person.id and target.chat_id is not None:
        replies.append(
            Reply(
                "pushes/reassigned",
                {"lead": lead, "to_me": True, "by": request.person.name},
                keyboard=markup(pushes.reminder_actions(lead), target.locale, request.sign),
                chat_id=target.chat_id,
                locale=target.locale,
            )
        )
    return replies


FEATURE = Feature(
    callbacks={
        "fu_done": done,
        "fu_snz": partial(postpone, until=followups.in_an_hour, state="snoozed"),
        "fu_tmr": partial(postpone, until=followups.tomorrow_morning, state="tomorrow"),
        "fu_re": reassign_choose,
        "fu_to": reassign_to,
    }
)
