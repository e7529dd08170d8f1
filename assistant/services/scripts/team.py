"""A team's own scripts: adding, editing, retiring and listing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Team, TeamScript
from assistant.domain import placeholders
from assistant.domain import scripts as domain
from assistant.domain.invisible import visible_words
from assistant.domain.pipeline import stages as pipeline_stages
from assistant.domain.scripts import Script
from assistant.i18n.hant import as_typed
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.scripts.shipped import check_source, library_scripts

# --- team scripts ----------------------------------------------------------------------------


def as_script(row: TeamScript) -> Script:
    assert row.id is not None
    return Script(
        id=domain.team_script_id(row.id),
        situation=row.situation,
        stages=tuple(stage for stage in row.stages.split(",") if stage),
        grades=tuple(grade for grade in row.grades.split(",") if grade),
        text=row.text,
        why=row.why,
        locale=row.locale,
        team=True,
        placeholders=placeholders.used_in(row.text),
    )


_TEAM_SCRIPTS: Final = (
    select(TeamScript)
    .where(
        TeamScript.team_id == bindparam("team"),
        TeamScript.locale == bindparam("locale"),
        col(TeamScript.retired_at).is_(None),
    )
    .order_by(col(TeamScript.id))
)


async def team_scripts(session: AsyncSession, *, team_id: int, locale: str) -> list[Script]:
    rows = await session.exec(_TEAM_SCRIPTS, params={"team": team_id, "locale": locale})
    return [as_script(row) for row in rows.all()]


async def all_scripts(session: AsyncSession, *, team_id: int, locale: str) -> list[Script]:
    return [*await team_scripts(session, team_id=team_id, locale=locale), *library_scripts(locale)]


@dataclass(frozen=True)
class TeamScriptDraft:
    situation: str
    stages: tuple[str, ...]
    grades: tuple[str, ...]
    text: str


def parse_one_line(line: str, *, pipeline: str) -> TeamScriptDraft:
    """'太贵 valid,invited A,B | text' -> a draft; the scope before '|' is a situation word,
    then optional stages and grades. Raises UserError with what to type instead."""
    head, sep, body = line.partition("|")
    words = head.replace(",", " ").replace("，", " ").split()
    if not sep or not body.strip() or not words:
        raise UserError("script_add_format")
    situation = domain.situation_for_word(words[0])
    if situation is None:
        raise UserError("script_unknown_situation", given=words[0])
    default_stages, default_grades = domain.default_scope(situation)
    stages: list[str] = []
    grades: list[str] = []
    for word in words[1:]:
        if word.upper() in domain.GRADES:
            grades.append(word.upper())
            continue
        stage = domain.stage_for_word(word, pipeline)
        if stage is None:
            raise UserError("script_add_scope_word", given=word, stages=list(stage_keys(pipeline)))
        stages.append(stage)
    return TeamScriptDraft(
        situation=situation,
        stages=tuple(dict.fromkeys(stages)) or default_stages,
        grades=tuple(dict.fromkeys(grades)) or default_grades,
        text=body.strip(),
    )


def check_team_text(text: str, locale: str) -> str:
    """The text cleaned, or UserError explaining what to change."""
    cleaned = visible_words(text)
    if not cleaned:
        raise UserError("script_text_missing")
    if len(cleaned) > domain.TEAM_TEXT_LIMIT * 2:
        raise UserError("script_text_too_long", limit=domain.TEAM_TEXT_LIMIT)
    try:
        placeholders.check(cleaned)
    except placeholders.TemplateRefused as error:
        raise UserError(
            "script_text_unsafe", given=error.fragment, placeholders=placeholders.PLACEHOLDERS
        ) from None
    try:
        check_source(cleaned, locale, limit=domain.TEAM_TEXT_LIMIT, library=False)
    except ValueError as error:
        rule, found = (error.rule, error.found) if isinstance(error, domain.RuleBroken) else ("", 0)
        raise UserError(
            "script_text_bad", rule=rule, found=found, limit=domain.TEAM_TEXT_LIMIT
        ) from None
    return cleaned


async def add_team_script(
    session: AsyncSession, actor: Actor, *, draft: TeamScriptDraft, now: datetime
) -> TeamScript:
    team, member, person = actor.team, actor.member, actor.person
    permissions.require_manager(member)
    text = check_team_text(as_typed(draft.text), person.locale)  # the words as typed
    assert team.id is not None and person.id is not None
    row = TeamScript(
        team_id=team.id,
        locale=person.locale,
        situation=draft.situation,
        stages=",".join(draft.stages),
        grades=",".join(draft.grades),
        text=text,
        created_by=person.id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def _own_team_script(session: AsyncSession, *, team: Team, given: str) -> TeamScript:
    row_id = domain.parse_team_script_id(given)
    row = await session.get(TeamScript, row_id) if row_id is not None else None
    if row is None or row.team_id != team.id or row.retired_at is not None:
        raise UserError("script_not_found", given=given)
    return row


async def edit_team_script(
    session: AsyncSession, actor: Actor, *, given: str, text: str, now: datetime
) -> TeamScript:
    team, member = actor.team, actor.member
    permissions.require_manager(member)
    row = await _own_team_script(session, team=team, given=given)
    row.text = check_team_text(as_typed(text), row.locale)
    row.updated_at = now
    return row


async def retire_team_script(
    session: AsyncSession, actor: Actor, *, given: str, now: datetime
) -> TeamScript:
    team, member = actor.team, actor.member
    permissions.require_manager(member)
    row = await _own_team_script(session, team=team, given=given)
    row.retired_at = now
    return row


async def list_team_scripts(session: AsyncSession, actor: Actor) -> list[TeamScript]:
    team = actor.team
    rows = await session.exec(
        select(TeamScript)
        .where(TeamScript.team_id == team.id, col(TeamScript.retired_at).is_(None))
        .order_by(col(TeamScript.id))
    )
    return list(rows.all())


def stage_keys(pipeline: str) -> tuple[str, ...]:
    return (*pipeline_stages(pipeline), "lost")
