"""Team commands: /newteam, /invite, /members, /role, /remove, /targets, /handover.

Handlers parse and render; every permission is checked again in the services on each command
and each button press (assistant/services/permissions.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assistant.i18n import t
from assistant.render import formats
from assistant.services import handover as handover_service
from assistant.services import targets as targets_service
from assistant.services import teams
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.spaces import bring_question
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

if TYPE_CHECKING:
    from assistant.db.models import Person

LIST_WORDS = {"list", "列表", "查看"}
REVOKE_WORDS = {"revoke", "撤销", "作废"}
ONCE_WORDS = {"once", "一次", "单次"}
NOTICE_NUMBERS = 30  # lead numbers listed in a notice before "and N more"


def invite_link(request: Request, code: str) -> str:
    username = request.app.settings.bot_username or request.context.bot.username
    return f"https://t.me/{username}?start=join_{code}"


def _expiry(request: Request, moment: datetime | None) -> str:
    return formats.date_time(request.local(moment)) if moment else ""


def _who(person: Person) -> dict[str, str | None]:
    return {"name": person.name, "username": person.username}


async def newteam(request: Request) -> list[Reply]:
    team, invite = await teams.create_team(
        request.session, person=request.person, name=request.typed_text, now=request.now
    )
    created = Reply(
        "team_created",
        {
            "team": team.name,
            "link": invite_link(request, invite.code),
            "expires": _expiry(request, invite.expires_at),
        },
    )
    question = await bring_question(request, team)
    return [created, question] if question else [created]


async def invite(request: Request) -> Reply:
    words = [word.casefold() for word in request.args]
    if words and words[0] in LIST_WORDS:
        return await _invite_list(request)
    if words and words[0] in REVOKE_WORDS:
        if len(request.args) < 2:
            return await _invite_list(request)
        revoked = await teams.revoke_invite(
            request.session, await request.actor(), now=request.now, code=request.args[1]
        )
        return Reply("invite_revoked", {"code": revoked.code})
    single_use = False
    days = teams.INVITE_DAYS
    for word in request.args:
        if word.casefold() in ONCE_WORDS:
            single_use = True
        else:
            days = teams.parse_invite_days(word)
    team, new_invite = await teams.create_invite(
        request.session, await request.actor(), single_use=single_use, now=request.now, days=days
    )
    return Reply(
        "invite",
        {
            "team": team.name,
            "link": invite_link(request, new_invite.code),
            "single_use": single_use,
            "expires": _expiry(request, new_invite.expires_at),
        },
    )


async def _invite_list(request: Request, *, edit: bool = False) -> Reply:
    team, invites = await teams.open_invites(
        request.session, await request.actor(), now=request.now
    )
    rows = [
        {
            "code": item.code,
            "single_use": item.single_use,
            "uses": item.uses,
            "expires": _expiry(request, item.expires_at),
        }
        for item in invites
    ]
    markup = keyboard(
        *[
            [
                button(
                    t(request.locale, "team_buttons.revoke_invite", code=item.code[:6]),
                    request.sign("ir", item.id),
                )
            ]
            for item in invites
        ]
    )
    return Reply("invite_list", {"team": team.name, "invites": rows}, keyboard=markup, edit=edit)


async def invite_revoke_button(request: Request) -> Reply:
    """Re-authorised on every press: the presser must manage the invite's team right now."""
    if len(request.args) != 1 or not request.args[0].isdigit():
        raise UserError("bad_button")
    revoked = await teams.revoke_invite(
        request.session, await request.actor(), now=request.now, invite_id=int(request.args[0])
    )
    return Reply("invite_revoked", {"code": revoked.code})


async def members(request: Request) -> Reply:
    actor = await request.actor()
    team, roster = actor.team, await teams.roster(request.session, actor.team_id)
    rows = [
        {
            "number": member.number,
            "role": member.role,
            "leads": member.leads,
            "me": member.person.id == request.person.id,
            **_who(member.person),
        }
        for member in roster
    ]
    return Reply("members", {"team": team.name, "personal": team.personal, "members": rows})


async def role(request: Request) -> list[Reply]:
    if len(request.args) < 2:
        raise UserError("role_usage")
    change = await teams.change_role(
        request.session,
        await request.actor(),
        ref=" ".join(request.args[:-1]),
        role_text=request.args[-1],
    )
    target = change.member.person
    replies = [Reply("role_changed", {**_who(target), "old": change.old, "new": change.new})]
    if target.id != request.person.id and target.chat_id:
        replies.append(
            Reply(
                "role_notice",
                {"team": change.team.name, "new": change.new, "by": request.person.name},
                chat_id=target.chat_id,
                locale=target.locale,
            )
        )
    return replies


async def remove(request: Request) -> list[Reply]:
    if not request.args:
        raise UserError("member_missing")
    removal = await teams.remove_member(
        request.session, await request.actor(), ref=request.text, now=request.now
    )
    target = removal.member.person
    replies = [
        Reply(
            "member_removed",
            {**_who(target), "count": len(removal.pooled), **_numbers(removal.pooled)},
        )
    ]
    if target.id != request.person.id and target.chat_id:
        replies.append(
            Reply(
                "removed_notice",
                {"team": removal.team.name},
                chat_id=target.chat_id,
                locale=target.locale,
            )
        )
    return replies


async def targets(request: Request) -> Reply | list[Reply]:
    if request.args and request.args[0].casefold() in targets_service.GOAL_WORDS:
        return await member_goal(request)
    if request.args:
        view = await targets_service.change(
            request.session, await request.actor(), words=request.args
        )
    else:
        view = await targets_service.show(await request.actor())
    return Reply(
        "targets",
        {
            "team": view.team.name,
            "pipeline": view.team.pipeline,
            "messenger": view.team.messenger,
            "region": view.team.phone_region,
            "values": view.values,
            "changed": view.change is not None,
        },
    )


async def member_goal(request: Request) -> list[Reply]:
    goal = await targets_service.set_member_goal(
        request.session, await request.actor(), words=request.args[1:], now=request.now
    )
    context = {
        "team": goal.team.name,
        "name": goal.member.name,
        "orders": goal.orders,
        "month": goal.month,
        "previous": goal.previous,
        "by": request.person.name,
    }
    replies = [Reply("member_goal_set", context)]
    if goal.member.id != request.person.id and goal.member.chat_id and goal.member.reachable:
        replies.append(
            Reply(
                "member_goal_notice",
                context,
                chat_id=goal.member.chat_id,
                locale=goal.member.locale,
            )
        )
    return replies


def _numbers(numbers: list[int]) -> dict[str, object]:
    return {"numbers": numbers[:NOTICE_NUMBERS], "more": max(0, len(numbers) - NOTICE_NUMBERS)}


async def handover(request: Request) -> list[Reply]:
    result = await handover_service.hand_over(
        request.session, await request.actor(), args=request.args, now=request.now
    )
    source = result.source.person if result.source else None
    target = result.target.person
    base = {
        "team": result.team.name,
        "source": source.name if source else None,
        "target": target.name,
        "by": request.person.name,
        "count": len(result.numbers),
        **_numbers(result.numbers),
    }
    replies = [Reply("handover_done", base)]
    told = {request.person.id}
    for person, template in ((target, "handover_received"), (source, "handover_given")):
        if person is None or person.id in told or not person.chat_id:
            continue
        told.add(person.id)
        replies.append(Reply(template, base, chat_id=person.chat_id, locale=person.locale))
    return replies


FEATURE = Feature(
    commands=[
        CommandSpec("newteam", "teams", newteam),
        CommandSpec("invite", "teams", invite),
        CommandSpec("members", "teams", members),
        CommandSpec("role", "teams", role),
        CommandSpec("remove", "teams", remove),
        CommandSpec("targets", "teams", targets),
        CommandSpec("handover", "teams", handover),
    ],
    callbacks={"ir": invite_revoke_button},
)
