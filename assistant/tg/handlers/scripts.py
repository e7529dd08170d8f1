"""/script: the right words for a lead, a stage or a situation; team scripts; stats.

Buttons: "scr" (lead DATABASE id) shows the best scripts for a lead, and other features sign it
for their "Show script" buttons; "scu" records that a script was used; "scn" shows another one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup

from assistant.domain import scripts as domain
from assistant.domain.scripts import Script
from assistant.i18n import t
from assistant.i18n.hant import as_typed
from assistant.services import conversation, permissions, script_names
from assistant.services import scripts as service
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

if TYPE_CHECKING:
    from assistant.db.models import ConversationState, Lead, Membership, Team

# Checked at start-up: a broken library file stops the bot with its file and line.
service.library()

ADD_FLOW = "script_add"
USED_FLOW = "script_used"
ADD_WORDS = {"add", "new", "新增", "添加", "新建"}
EDIT_WORDS = {"edit", "修改", "编辑"}
RETIRE_WORDS = {"retire", "delete", "del", "remove", "停用", "删除"}
LIST_WORDS = {"team", "list", "mine", "团队", "列表", "我们的"}
STATS_WORDS = {"stats", "stat", "统计", "数据", "效果"}
PRODUCT_WORDS = {"product", "产品", "产品词"}
CANCEL_WORDS = {"cancel", "/cancel", "取消", "算了", "退出"}
NO_GRADE = "-"


def small_number(text: str) -> int | None:
    """A positive whole number that fits a database integer, or None."""
    cleaned = text.strip().removeprefix("#")
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 9:
        return int(cleaned)
    return None


@dataclass(frozen=True)
class Query:
    """What the scripts were picked for: a lead (l), a stage (s) or a situation (t)."""

    kind: str
    value: str
    grade: str = NO_GRADE


def _chat_id(request: Request) -> int:
    chat = request.update.effective_chat
    return chat.id if chat is not None else 0


def _person_id(request: Request) -> int:
    assert request.person.id is not None
    return request.person.id


async def _state(request: Request) -> ConversationState | None:
    return await conversation.get_state(request.session, _person_id(request), _chat_id(request))


async def _set_state(request: Request, flow: str, step: str, data: dict[str, Any]) -> None:
    await conversation.set_state(
        request.session, _person_id(request), _chat_id(request),
        flow=flow, step=step, data=data, now=request.now,
    )  # fmt: skip


async def _clear_state(request: Request) -> None:
    await conversation.clear_state(request.session, _person_id(request), _chat_id(request))


def _lead_view(request: Request, lead: Lead, team: Team) -> dict[str, Any]:
    return {
        "number": lead.number,
        "name": lead.name,
        "stage": lead.stage,
        "grade": lead.grade,
        "pipeline": team.pipeline,
    }


def _keyboard(
    request: Request, query: Query, script: Script, position: int
) -> InlineKeyboardMarkup:
    lead_id = query.value if query.kind == "l" else "0"
    return keyboard(
        [
            button(
                t(request.locale, "scripts.buttons.used"), request.sign("scu", lead_id, script.id)
            ),
            button(
                t(request.locale, "scripts.buttons.another"),
                request.sign("scn", query.kind, query.value, position, query.grade),
            ),
        ]
    )


def _block(
    request: Request,
    query: Query,
    rendered: service.RenderedScript,
    position: int,
    *,
    header: dict[str, Any] | None = None,
    edit: bool = False,
) -> Reply:
    return Reply(
        "scripts/block",
        {
            "header": header,
            "text": rendered.text,
            "script": rendered.script,
            "position": position + 1,
        },
        keyboard=_keyboard(request, query, rendered.script, position),
        edit=edit,
    )


async def _visible_lead_by_id(request: Request, lead_id: str) -> Lead:
    visible = await service.lead_by_id(
        request.session, await request.actor(), lead_id=small_number(lead_id)
    )
    if visible is None:
        raise UserError("script_lead_not_found", given=lead_id)
    return visible


def _header(**values: Any) -> dict[str, Any]:
    return {"lead": None, "stage": None, "grade": None, "situation": None, **values}


async def _ranked(
    request: Request, team: Team, member: Membership, query: Query
) -> tuple[list[service.RenderedScript], dict[str, Any]]:
    """Every fitting script, best first, filled in; plus what they were picked for."""
    assert team.id is not None
    scripts = await service.all_scripts(request.session, team_id=team.id, locale=request.locale)
    stats = await service.team_stats_map(request.session, team_id=team.id, now=request.now)
    rep = request.person.rep_name
    if query.kind == "l":
        lead = await _visible_lead_by_id(request, query.value)
        facts = await service.lead_facts(
            request.session, lead=lead, pipeline=team.pipeline, now=request.now
        )
        assert lead.id is not None
        recent = await service.recent_script_ids(request.session, lead_id=lead.id, now=request.now)
        ranked = service.rank_for_lead(scripts, facts, stats, recent)
        rendered = [
            service.render_for_lead(
                script,
                lead=lead,
                locale=request.locale,
                rep_name=rep,
                team_name=None if team.personal else team.name,
                team_settings=team.settings,
            )
            for script in ranked
        ]
        return rendered, _header(lead=_lead_view(request, lead, team))
    if query.kind == "s":
        grade = query.grade if query.grade in domain.GRADES else None
        ranked = domain.rank(
            scripts, stage=query.value, grade=grade, has_event_date=False, stats=stats
        )
        header = _header(stage=query.value, grade=grade)
    else:
        ranked = domain.rank(scripts, situations=[query.value], has_event_date=False, stats=stats)
        header = _header(situation=query.value)
    rendered = [
        service.render_plain(script, locale=request.locale, rep_name=rep, team=team)
        for script in ranked
    ]
    return rendered, header


async def _show(request: Request, query: Query) -> list[Reply]:
    actor = await request.actor()
    team, member = actor.team, actor.member
    rendered, header = await _ranked(request, team, member, query)
    if not rendered:
        raise UserError("script_none")
    shown = rendered[: service.SHOWN]
    return [
        _block(request, query, item, index, header=header if index == 0 else None)
        for index, item in enumerate(shown)
    ]


def _query_from_words(words: list[str], pipeline: str) -> Query:
    first = words[0]
    cleaned = first.removeprefix("#")
    if cleaned.isascii() and cleaned.isdigit():
        if small_number(cleaned) is None:
            raise UserError("script_lead_not_found", given=cleaned)
        return Query("l", cleaned)
    stage = domain.stage_for_word(first, pipeline)
    if stage is not None:
        grade = next((w.upper() for w in words[1:] if w.upper() in domain.GRADES), NO_GRADE)
        return Query("s", stage, grade)
    situation = domain.situation_for_word(" ".join(words))
    if situation is not None:
        return Query("t", situation)
    raise UserError("script_unknown_word", given=first)


async def script_command(request: Request) -> Reply | list[Reply]:
    words = request.text.split()
    if not words:
        return Reply("scripts/usage", {"situations": domain.SITUATIONS})
    head = words[0].lower()
    if head in ADD_WORDS:
        return await _add(request, request.text[len(words[0]) :].strip())
    if head in EDIT_WORDS:
        return await _edit(request, words[1:])
    if head in RETIRE_WORDS:
        return await _retire(request, words[1:])
    if head in LIST_WORDS:
        team_rows = await service.list_team_scripts(request.session, await request.actor())
        return Reply("scripts/team_list", {"rows": team_rows})
    if head in STATS_WORDS:
        team, whole_team, rows = await service.stats_for(request.session, await request.actor())
        ids = [row.script_id for row in rows]
        titles = await script_names.titles_by_id(
            request.session, team_id=team.id or 0, ids=ids, locale=request.locale
        )
        return Reply(
            "scripts/stats",
            {
                "rows": rows,
                "titles": titles,
                "whole_team": whole_team,
                "team": team.name,
                "days": service.CREDIT_DAYS,
            },
        )
    if head in PRODUCT_WORDS:
        return await _product(request, " ".join(words[1:]))
    actor = await request.actor()
    team = actor.team
    query = _query_from_words(words, team.pipeline)
    if query.kind == "l":
        lead = await service.lead_by_number(request.session, actor, number=int(query.value))
        if lead is None:
            raise UserError("script_lead_not_found", given=query.value)
        assert lead.id is not None
        query = Query("l", str(lead.id))
    return await _show(request, query)


# --- buttons ---------------------------------------------------------------------------------


async def show_for_lead(request: Request) -> list[Reply]:
    """Callback "scr" with the lead's database id."""
    if len(request.args) != 1:
        raise UserError("bad_button")
    return await _show(request, Query("l", request.args[0]))


async def another(request: Request) -> Reply:
    """Callback "scn": replace this block with the next script not shown yet."""
    if len(request.args) != 4:
        raise UserError("bad_button")
    kind, value, position, grade = request.args
    if kind not in {"l", "s", "t"} or small_number(position) is None:
        raise UserError("bad_button")
    actor = await request.actor()
    team, member = actor.team, actor.member
    query = Query(kind, value, grade)
    rendered, _ = await _ranked(request, team, member, query)
    if len(rendered) <= service.SHOWN:
        return Reply("scripts/no_more", {"add": permissions.is_manager(member)})
    following = (int(position) + service.SHOWN) % len(rendered)
    return _block(request, query, rendered[following], following, edit=True)


async def used(request: Request) -> Reply:
    """Callback "scu": the person sent this script; record it on the lead."""
    if len(request.args) != 2:
        raise UserError("bad_button")
    lead_id, script_id = request.args
    actor = await request.actor()
    team = actor.team
    script = await service.find_script(
        request.session, team=team, script_id=script_id, locale=request.locale
    )
    if lead_id == "0":
        await _set_state(request, USED_FLOW, "lead", {"script": script.id})
        return Reply("scripts/ask_lead", {"script": script})
    lead = await _visible_lead_by_id(request, lead_id)
    return await _record(request, team, lead, script)


async def _record(request: Request, team: Team, lead: Lead, script: Script) -> Reply:
    _, new = await service.record_use(
        request.session, await request.actor(), lead=lead, script=script, now=request.now
    )
    return Reply(
        "scripts/used",
        {
            "script": script,
            "title": script_names.title_of(script, request.locale),
            "lead": _lead_view(request, lead, team),
            "days": service.CREDIT_DAYS,
            "again": not new,
        },
    )


async def used_flow(request: Request) -> Reply:
    """Text after "used it" on a script shown without a lead: the lead's number."""
    state = await _state(request)
    assert state is not None
    text = request.text.strip()
    if text.lower() in CANCEL_WORDS:
        await _clear_state(request)
        return Reply("scripts/cancelled")
    number = text.removeprefix("#")
    if not (number.isascii() and number.isdigit()):
        raise UserError("script_lead_number", given=text)
    if small_number(number) is None:
        raise UserError("script_lead_not_found", given=number)
    actor = await request.actor()
    team = actor.team
    lead = await service.lead_by_number(request.session, actor, number=int(number))
    if lead is None:
        raise UserError("script_lead_not_found", given=number)
    script = await service.find_script(
        request.session, team=team, script_id=str(state.data.get("script")), locale=request.locale
    )
    await _clear_state(request)
    return await _record(request, team, lead, script)


# --- team scripts ----------------------------------------------------------------------------


async def _require_manager(request: Request) -> Team:
    actor = await request.actor()
    permissions.require_manager(actor.member)
    return actor.team


async def _add(request: Request, rest: str) -> Reply:
    team = await _require_manager(request)
    if rest:
        draft = service.parse_one_line(rest, pipeline=team.pipeline)
        row = await service.add_team_script(
            request.session, await request.actor(), draft=draft, now=request.now
        )
        return Reply("scripts/added", {"row": row, "id": domain.team_script_id(row.id or 0)})
    await _set_state(request, ADD_FLOW, "situation", {})
    return Reply("scripts/add_situation", {"situations": domain.SITUATIONS})


async def add_flow(request: Request) -> Reply:
    state = await _state(request)
    assert state is not None
    text = request.text.strip()
    if text.lower() in CANCEL_WORDS:
        await _clear_state(request)
        return Reply("scripts/cancelled")
    team = await _require_manager(request)
    if state.step == "situation":
        situation = domain.situation_for_word(text)
        if situation is None:
            raise UserError("script_unknown_situation", given=text)
        await _set_state(request, ADD_FLOW, "text", {"situation": situation})
        return Reply("scripts/add_text", {"situation": situation})
    situation = str(state.data.get("situation"))
    stages, grades = domain.default_scope(situation)
    draft = service.TeamScriptDraft(situation=situation, stages=stages, grades=grades, text=text)
    row = await service.add_team_script(
        request.session, await request.actor(), draft=draft, now=request.now
    )
    await _clear_state(request)
    assert team.id == row.team_id
    return Reply("scripts/added", {"row": row, "id": domain.team_script_id(row.id or 0)})


async def _edit(request: Request, words: list[str]) -> Reply:
    if len(words) < 2:
        raise UserError("script_edit_format")
    row = await service.edit_team_script(
        request.session,
        await request.actor(),
        given=words[0],
        text=" ".join(words[1:]),
        now=request.now,
    )
    return Reply("scripts/edited", {"row": row, "id": domain.team_script_id(row.id or 0)})


async def _retire(request: Request, words: list[str]) -> Reply:
    if len(words) != 1:
        raise UserError("script_retire_format")
    row = await service.retire_team_script(
        request.session, await request.actor(), given=words[0], now=request.now
    )
    return Reply("scripts/retired", {"id": domain.team_script_id(row.id or 0), "number": row.id})


async def _product(request: Request, text: str) -> Reply:
    team = await _require_manager(request)
    word = as_typed(" ".join(text.split()))
    if not word or len(word) > 30:
        raise UserError("script_product_format")
    settings = dict(team.settings or {})
    settings["scripts"] = {**(settings.get("scripts") or {}), "product": word}
    team.settings = settings
    return Reply("scripts/product_set", {"product": word})


FEATURE = Feature(
    commands=[CommandSpec("script", "scripts", script_command)],
    callbacks={"scr": show_for_lead, "scn": another, "scu": used},
    flows={ADD_FLOW: add_flow, USED_FLOW: used_flow},
)
