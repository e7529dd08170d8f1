"""/newteam and /invite."""

from __future__ import annotations

from datetime import datetime

from assistant.services import teams
from assistant.tg.common import Reply, Request
from assistant.tg.registry import CommandSpec, Feature


def invite_link(request: Request, code: str) -> str:
    username = request.context.bot.username
    return f"https://t.me/{username}?start=join_{code}"


def _expiry(request: Request, moment: datetime | None) -> str:
    return request.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


async def newteam(request: Request) -> Reply:
    team, invite = await teams.create_team(
        request.session, person=request.person, name=request.text, now=request.now
    )
    return Reply(
        "team_created",
        {
            "team": team.name,
            "link": invite_link(request, invite.code),
            "expires": _expiry(request, invite.expires_at),
        },
    )


async def invite(request: Request) -> Reply:
    single_use = bool(request.args) and request.args[0].lower() in {"once", "一次", "单次"}
    team, new_invite = await teams.create_invite(
        request.session, person=request.person, single_use=single_use, now=request.now
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


FEATURE = Feature(
    commands=[
        CommandSpec("newteam", "teams", newteam),
        CommandSpec("invite", "teams", invite),
    ]
)
