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


def _stamp(request: Request) -> str | None:
    """The follow-up a Done / Snooze / Tomorrow button is about (older buttons carry none)."""
    return request.args[1] if len(request.args) > 1 else None


async def done(request: Request) -> Reply:
    lead, state = await followups.done(
        request.session, request.person, lead_id=_arg(request), stamp=_stamp(request),
        now=request.now,
    )  # fmt: skip
    return _state(request, lead, state)


async def postpone(
    request: Request, *, until: Callable[[Person, datetime], datetime], state: str
) -> Reply:
    """Snooze 1h and Tomorrow: they differ only in the new time and what the reminder says."""
    lead, moved = await followups.postpone(
        request.session, request.person, lead_id=_arg(request), stamp=_stamp(request),
        until=until, now=request.now,
    )  # fmt: skip
    return _state(request, lead, state if moved else "handled")


async def reassign_choose(request: Request) -> Reply:
    lead, choices = await followups.reassign_choices(
        request.session, request.person, lead_id=_arg(request)
    )
    rows = [[button(choice.name or "?", request.sign("fu_to", lead.id, choice.person_id))]
            for choice in choices[:20]]  # fmt: skip
    return Reply(
        "pushes/reassign_choose",
        {"lead": lead, "choices": bool(choices)},
        keyboard=keyboard(*rows) if rows else None,
        edit=True,
    )


async def reassign_to(request: Request) -> list[Reply]:
    lead, target = await followups.reassign(
        request.session, request.person, lead_id=_arg(request), to_person_id=_arg(request, 1),
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
