"""How a script is named to a person: its title in their language, never its internal id.

A library script carries a title per locale (scripts_library/<locale>/*.yaml); a team script
is named by its first words. Events and use rows keep the id, so names are looked up here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, Final

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import TeamScript
from assistant.domain import scripts as domain
from assistant.domain.events import SCRIPT
from assistant.domain.scripts import Script
from assistant.i18n import LOCALES, t
from assistant.services.scripts import as_script, library_scripts

FIRST_CHARACTERS: Final = 14  # of a Chinese text
FIRST_WORDS: Final = 6  # of a text with spaces between words
_PLACEHOLDER: Final = re.compile(r"\{\{.*?\}\}")
_EDGES: Final = " \t\n,，.。!！?？~～:：;；、"
_PAUSE: Final = re.compile(r"[,，.。!！?？;；:：~～]")


@cache
def _library_by_id() -> dict[str, Script]:
    return {script.id: script for locale in LOCALES for script in library_scripts(locale)}


def first_words(text: str) -> str:
    """The opening of a script's text without its placeholders, to its first pause when that
    comes soon: '{{ lead.name }}，预算方面我们一起想办法，您…' -> '预算方面我们一起想办法…'."""
    plain = " ".join(_PLACEHOLDER.sub(" ", text).split())
    plain = re.sub(r"\s+(?=[,.!?;:])", "", plain).strip(_EDGES)
    pause = _PAUSE.search(plain)
    clause = plain[: pause.start()] if pause else plain
    spaced = plain.isascii()
    limit = FIRST_WORDS if spaced else FIRST_CHARACTERS
    words = clause.split() if spaced else list(clause)
    if not 4 <= len(words) <= limit:
        words = (plain.split() if spaced else list(plain))[:limit]
    opening = (" " if spaced else "").join(words)
    return opening if opening == plain else opening.rstrip(_EDGES) + "…"


def title_of(script: Script, locale: str) -> str:
    if script.team:
        return t(locale, "scripts.team_title", words=first_words(script.text))
    return script.title(locale) or t(locale, f"scripts.situations.{script.situation}")


async def titles_by_id(
    session: AsyncSession, *, team_id: int, ids: Iterable[str], locale: str
) -> dict[str, str]:
    """Script id -> its title for this person; a script gone from the library or the team
    (retired team scripts keep their name) still gets a readable name."""
    wanted = set(ids)
    numbers = {
        number
        for script_id in wanted
        if script_id.startswith(domain.TEAM_PREFIX)
        and (number := domain.parse_team_script_id(script_id)) is not None
    }
    team: dict[str, Script] = {}
    if numbers:
        rows = await session.exec(
            select(TeamScript).where(TeamScript.team_id == team_id, col(TeamScript.id).in_(numbers))
        )
        team = {domain.team_script_id(row.id or 0): as_script(row) for row in rows.all()}
    titles: dict[str, str] = {}
    for script_id in wanted:
        script = team.get(script_id) or _library_by_id().get(script_id)
        titles[script_id] = title_of(script, locale) if script else t(locale, "scripts.gone_title")
    return titles


async def event_titles(
    session: AsyncSession, team_id: int, events: Iterable[Any], locale: str
) -> dict[str, str]:
    """Titles of the scripts named by a lead's "script" history events (id -> title)."""
    ids = [event.to_value for event in events if event.kind == SCRIPT and event.to_value]
    if not ids:
        return {}
    return await titles_by_id(session, team_id=team_id, ids=ids, locale=locale)
