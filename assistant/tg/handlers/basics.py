"""/start, /help, /name, /lang, /tz and /settings."""

from __future__ import annotations

from assistant.i18n import zone_label
from assistant.services import people, teams
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.handlers.spaces import bring_question
from assistant.tg.registry import CommandSpec, Feature

JOIN_PREFIX = "join_"


async def start(request: Request) -> Reply | list[Reply]:
    payload = request.args[0] if request.args else ""
    if payload.startswith(JOIN_PREFIX):
        result = await teams.join_team(
            request.session,
            person=request.person,
            code=payload[len(JOIN_PREFIX) :],
            now=request.now,
        )
        joined = Reply(
            "join", {"status": result.status, "team": result.team.name if result.team else ""}
        )
        if result.status != "joined" or result.team is None:
            return joined
        question = await bring_question(request, result.team)
        return [joined, question] if question else joined
    # Telegram has no menu language for traditional Chinese: this chat gets its own menu.
    menu = request.locale if request.locale == "zh-Hant" else None
    return Reply("start", {"name": request.person.name}, menu_locale=menu)


async def help_command(request: Request) -> Reply:
    from assistant.tg.app import help_sections

    return Reply("help", {"sections": help_sections()})


async def name(request: Request) -> Reply:
    """/name alone says the name clients see in scripts; /name 小陈 changes it."""
    if not request.text:
        return Reply("name_current", {"name": request.person.rep_name})
    return Reply("name_changed", {"name": people.set_rep_name(request.person, request.text)})


async def lang(request: Request) -> Reply:
    if not request.text:
        raise UserError("bad_language", given="")
    locale = people.set_locale(request.person, request.text)
    return Reply("lang_changed", menu_locale=locale)


def _zone(request: Request) -> str:
    return zone_label(request.person.timezone, request.locale, request.now)


async def tz(request: Request) -> Reply:
    if not request.text:
        return Reply("tz_current", {"zone": _zone(request)})
    people.set_timezone(request.person, request.text)
    return Reply("tz_changed", {"zone": _zone(request)})


async def settings(request: Request) -> Reply:
    if request.args:
        if len(request.args) < 2:
            raise UserError("bad_setting_name", given=request.args[0])
        people.change_setting(request.person, request.args[0], " ".join(request.args[1:]))
    changed = bool(request.args)
    return Reply("settings", {"person": request.person, "changed": changed, "zone": _zone(request)})


FEATURE = Feature(
    commands=[
        CommandSpec("start", "basics", start),
        CommandSpec("help", "basics", help_command, group=True),
        CommandSpec("name", "basics", name),
        CommandSpec("lang", "basics", lang),
        CommandSpec("tz", "basics", tz),
        CommandSpec("settings", "basics", settings),
    ]
)
