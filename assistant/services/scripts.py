"""The scripts library: loading and checking the YAML files, team scripts, uses and credit.

The shipped library lives in scripts_library/<locale>/<situation>.yaml next to the package
(a source checkout) or under <prefix>/share/sales-assistant/ (an installed package). Every
file is checked when the bot starts; a bad one stops start-up with its file and line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Membership, Person, ScriptUse, Team, TeamScript
from assistant.domain import events, lead_lines, placeholders
from assistant.domain import scripts as domain
from assistant.domain.invisible import visible_words
from assistant.domain.pipeline import stages as pipeline_stages
from assistant.domain.scripts import LeadFacts, Script, ScriptError, UseStats
from assistant.domain.team_settings import effective
from assistant.i18n import DEFAULT_LOCALE, LOCALES, WRITTEN_LOCALES, catalogue
from assistant.i18n.hant import as_typed
from assistant.services import permissions
from assistant.services.errors import UserError
from assistant.services.teams import active_team

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_SHARE = Path(sys.prefix) / "share" / "sales-assistant" / "scripts_library"
SHOWN = 3
DOUBLE_TAP = timedelta(hours=1)
RANKING_WINDOW = timedelta(days=90)  # uses older than this no longer move the ranking

SAMPLE_DATE = date(2027, 5, 1)
# libyaml when present: same nodes and line marks, several times faster at start-up.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LibraryError(Exception):
    """A problem in a shipped scripts file, with where to find it."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class RenderedScript:
    script: Script
    text: str

    @property
    def id(self) -> str:
        return self.script.id


def library_root() -> Path:
    for candidate in (ROOT / "scripts_library", PACKAGE_SHARE):
        if candidate.is_dir():
            return candidate
    raise LibraryError(ROOT / "scripts_library", 0, "the scripts library folder is missing")


# --- rendering -------------------------------------------------------------------------------

# The shipped library's second wall: its texts pass the same placeholder check as a team's,
# and are then rendered where no attribute, global or callable of Python can be reached.
LIBRARY_ENVIRONMENT = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


def format_date(value: date | None, locale: str) -> str:
    if value is None:
        return ""
    if locale == "en":
        return f"{value:%B} {value.day}, {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def script_words(team_settings: dict[str, Any] | None, locale: str) -> dict[str, str]:
    """The team's product and brand words (Team.settings["scripts"]), or the locale's."""
    words: dict[str, str] = dict(catalogue(locale)["script_words"])
    custom = (team_settings or {}).get("scripts") or {}
    for key in ("product", "brand"):
        value = custom.get(key)
        if isinstance(value, str) and value.strip():
            words[key] = value.strip()
    return words


def fill_context(
    *,
    locale: str,
    lead_name: str | None,
    event_date: date | None,
    rep_name: str | None,
    team_name: str | None,
    team_settings: dict[str, Any] | None,
) -> dict[str, str]:
    """The value of each placeholder, by its name ("lead.name", "brand", ...)."""
    words = script_words(team_settings, locale)
    custom_brand = ((team_settings or {}).get("scripts") or {}).get("brand")
    brand = custom_brand or team_name or words["brand"]
    return {
        "lead.name": (lead_name or "").strip() or words["lead"],
        "rep.name": (rep_name or "").strip() or words["rep"],
        "event_date": format_date(event_date, locale),
        "product": words["product"],
        "brand": str(brand),
    }


@lru_cache(maxsize=1024)
def _library_template(source: str) -> Template:
    placeholders.check(source)
    return LIBRARY_ENVIRONMENT.from_string(source)


_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def _one_line(text: str) -> str:
    """On one line; the folding space YAML puts between Chinese lines is dropped."""
    return _CJK_GAP.sub("", " ".join(text.split()))


def render_text(source: str, values: dict[str, str]) -> str:
    """A text a person wrote, filled in by plain substitution: never evaluated."""
    return _one_line(placeholders.fill(source, values))


def render_library_text(source: str, values: dict[str, str]) -> str:
    """A shipped script, filled in through the sandbox."""
    context = {
        "lead": {"name": values["lead.name"]},
        "rep": {"name": values["rep.name"]},
        "event_date": values["event_date"],
        "product": values["product"],
        "brand": values["brand"],
    }
    return _one_line(_library_template(source).render(context))


def render_script(script: Script, values: dict[str, str]) -> str:
    if script.team:
        return render_text(script.text, values)
    return render_library_text(script.text, values)


def sample_context(locale: str) -> dict[str, str]:
    sample: dict[str, str] = catalogue(locale)["script_sample"]
    return fill_context(
        locale=locale,
        lead_name=sample["lead"],
        event_date=SAMPLE_DATE,
        rep_name=sample["rep"],
        team_name=sample["brand"],
        team_settings=None,
    )


def check_source(
    source: str, locale: str, *, limit: int = domain.FIRST_MESSAGE_LIMIT, library: bool = True
) -> str:
    """Check a script's text; returns it rendered for a sample lead or raises ValueError
    (TemplateRefused, a ValueError, for markup other than the five placeholders)."""
    placeholders.check(source)
    values = sample_context(locale)
    try:
        rendered = render_library_text(source, values) if library else render_text(source, values)
    except TemplateError as error:
        raise ValueError(f"does not render: {error}") from None
    domain.check_rendered(rendered, limit=limit)
    return rendered


# --- loading ---------------------------------------------------------------------------------


def _line_of(document: yaml.Node | None, index: int | None, field: str | None) -> int:
    """1-based line of scripts[index].field (or the closest thing we can find)."""
    if not isinstance(document, yaml.MappingNode):
        return document.start_mark.line + 1 if document is not None else 1
    top: dict[str, yaml.Node] = {key.value: value for key, value in document.value}
    if index is None:
        node = top.get(field or "", document)
        return node.start_mark.line + 1
    items = top.get("scripts")
    if not isinstance(items, yaml.SequenceNode) or index >= len(items.value):
        return document.start_mark.line + 1
    item = items.value[index]
    if field and isinstance(item, yaml.MappingNode):
        for key, value in item.value:
            if key.value == field:
                return int(value.start_mark.line) + 1
    return int(item.start_mark.line) + 1


def load_file(path: Path, locale: str) -> list[tuple[Script, int]]:
    """The file's scripts, each with the line of its id."""
    text = path.read_text(encoding="utf-8")
    try:
        loader = _LOADER(text)
        try:
            document = loader.get_single_node()
            data = loader.construct_document(document) if document is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise LibraryError(path, line, f"not valid YAML: {error.problem}") from None
    situation = path.stem
    if situation not in domain.SITUATIONS:
        raise LibraryError(
            path, 1, f"unknown situation file name (use one of {', '.join(domain.SITUATIONS)})"
        )
    try:
        # Titles are written in zh-Hans and en; a generated file also carries its own.
        titles = tuple(dict.fromkeys((*WRITTEN_LOCALES, locale)))
        parsed = domain.parse_file(data, situation=situation, locale=locale, title_locales=titles)
    except ScriptError as error:
        raise LibraryError(
            path, _line_of(document, error.index, error.field), error.message
        ) from None
    checked: list[tuple[Script, int]] = []
    for index, script in enumerate(parsed):
        try:
            check_source(script.text, locale)
        except ValueError as error:
            raise LibraryError(path, _line_of(document, index, "text"), str(error)) from None
        complete = replace(script, placeholders=placeholders.check(script.text))
        checked.append((complete, _line_of(document, index, "id")))
    return checked


def load_library(root: Path | None = None) -> dict[str, list[Script]]:
    """Every locale's scripts, checked; raises LibraryError naming the file and line."""
    base = root or library_root()
    library: dict[str, list[Script]] = {}
    for locale in LOCALES:
        folder = base / locale
        if not folder.is_dir():
            raise LibraryError(folder, 0, f"no scripts folder for {locale}")
        scripts: list[Script] = []
        first_line: dict[str, tuple[Path, int]] = {}
        for path in sorted(folder.glob("*.yaml")):
            for script, line in load_file(path, locale):
                if script.id in first_line:
                    where, first = first_line[script.id]
                    raise LibraryError(
                        path, line, f"duplicate id '{script.id}' (first at {where.name}:{first})"
                    )
                first_line[script.id] = (path, line)
                scripts.append(script)
        if not scripts:
            raise LibraryError(folder, 0, f"no scripts for {locale}")
        library[locale] = scripts
    return library


@cache
def library() -> dict[str, list[Script]]:
    """The shipped library, loaded once per process."""
    return load_library()


def library_scripts(locale: str) -> list[Script]:
    loaded = library()
    return loaded.get(locale) or loaded[DEFAULT_LOCALE]


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


async def team_scripts(session: AsyncSession, *, team_id: int, locale: str) -> list[Script]:
    rows = await session.exec(
        select(TeamScript)
        .where(
            TeamScript.team_id == team_id,
            TeamScript.locale == locale,
            col(TeamScript.retired_at).is_(None),
        )
        .order_by(col(TeamScript.id))
    )
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
    session: AsyncSession, *, person: Person, draft: TeamScriptDraft, now: datetime
) -> TeamScript:
    team, member = await active_team(session, person)
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
    session: AsyncSession, *, person: Person, given: str, text: str, now: datetime
) -> TeamScript:
    team, member = await active_team(session, person)
    permissions.require_manager(member)
    row = await _own_team_script(session, team=team, given=given)
    row.text = check_team_text(as_typed(text), row.locale)
    row.updated_at = now
    return row


async def retire_team_script(
    session: AsyncSession, *, person: Person, given: str, now: datetime
) -> TeamScript:
    team, member = await active_team(session, person)
    permissions.require_manager(member)
    row = await _own_team_script(session, team=team, given=given)
    row.retired_at = now
    return row


async def list_team_scripts(session: AsyncSession, *, person: Person) -> list[TeamScript]:
    team, _ = await active_team(session, person)
    rows = await session.exec(
        select(TeamScript)
        .where(TeamScript.team_id == team.id, col(TeamScript.retired_at).is_(None))
        .order_by(col(TeamScript.id))
    )
    return list(rows.all())


# --- picking for a lead ----------------------------------------------------------------------


def _shown_lead(member: Membership, lead: Lead | None) -> Lead | None:
    """The lead if it is not deleted and this member may see it (services/permissions.py)."""
    if lead is None or lead.deleted_at is not None:
        return None
    return lead if permissions.can_view_lead(member, lead) else None


async def lead_by_id(
    session: AsyncSession, *, member: Membership, lead_id: int | None
) -> Lead | None:
    """A lead by database id (from a signed button), if this member may see it."""
    return _shown_lead(member, await session.get(Lead, lead_id) if lead_id is not None else None)


async def lead_by_number(
    session: AsyncSession, *, team: Team, member: Membership, number: int
) -> Lead | None:
    row = (
        await session.exec(select(Lead).where(Lead.team_id == team.id, Lead.number == number))
    ).first()
    return _shown_lead(member, row)


async def lead_facts(
    session: AsyncSession, *, lead: Lead, pipeline: str, now: datetime
) -> LeadFacts:
    last_contact = (
        await session.exec(
            select(LeadEvent)
            .where(LeadEvent.lead_id == lead.id, LeadEvent.kind == events.CONTACT)
            .order_by(col(LeadEvent.at).desc())
            .limit(1)
        )
    ).first()
    return facts_for(lead, pipeline=pipeline, now=now, last_contact=last_contact)


def facts_for(
    lead: Lead,
    *,
    pipeline: str,
    now: datetime,
    last_contact: LeadEvent | None = None,
    last_note: str | None = None,
) -> LeadFacts:
    contacted_at = lead.last_contact_at or (last_contact.at if last_contact else None)
    note = last_contact.payload.get("note") if last_contact is not None else last_note
    return LeadFacts(
        pipeline=pipeline,
        stage=lead.stage,
        grade=lead.grade if lead.grade in domain.GRADES else "D",
        has_event_date=lead.event_date is not None,
        contacted=contacted_at is not None,
        days_since_contact=(now - contacted_at).days if contacted_at is not None else None,
        last_note=note if isinstance(note, str) else None,
        has_phone=bool(lead.phone) or lead.phone_obtained,
        number=lead.number,
    )


def rank_for_lead(
    scripts: Iterable[Script],
    facts: LeadFacts,
    stats: dict[str, UseStats] | None = None,
    recent: Collection[str] = (),
) -> list[Script]:
    return lead_lines.pick(scripts, facts, stats=stats, recent=recent)


async def recent_script_ids(session: AsyncSession, *, lead_id: int, now: datetime) -> set[str]:
    """Scripts already sent to this lead in the last two weeks ("used it")."""
    rows = await session.exec(
        select(LeadEvent.to_value).where(
            LeadEvent.lead_id == lead_id,
            LeadEvent.kind == events.SCRIPT,
            LeadEvent.at >= now - timedelta(days=domain.RECENT_DAYS),
        )
    )
    return {value for value in rows.all() if value}


def render_for_lead(
    script: Script,
    *,
    lead: Lead,
    locale: str,
    rep_name: str | None,
    team_name: str | None,
    team_settings: dict[str, Any] | None,
) -> RenderedScript:
    context = fill_context(
        locale=locale,
        lead_name=lead.name,
        event_date=lead.event_date,
        rep_name=rep_name,
        team_name=team_name,
        team_settings=team_settings,
    )
    return RenderedScript(script, render_script(script, context))


def suggest_for_lead(
    lead: Lead,
    *,
    locale: str,
    rep_name: str | None,
    team_settings: dict[str, Any] | None = None,
    pipeline: str = "store",
    team_name: str | None = None,
    now: datetime | None = None,
    extra_scripts: Sequence[Script] = (),
    situation: str | None = None,
    light: bool = False,
    activation: bool = False,
    last_note: str | None = None,
) -> RenderedScript | None:
    """The best script for this lead, filled in, or None when nothing fits.

    No I/O: uses the shipped library plus `extra_scripts` (e.g. from `team_scripts`) and the
    note of the lead's last contact when the caller has it. `light` and `activation` ask for a
    light touch (lead_lines.light_situations); `situation` forces one (e.g. "referral").
    """
    scripts = [*extra_scripts, *library_scripts(locale)]
    facts = facts_for(lead, pipeline=pipeline, now=now or lead.updated_at, last_note=last_note)
    if situation is None:
        ranked = lead_lines.pick(scripts, facts, light=light, activation=activation)
    else:
        ranked = domain.rank(
            scripts,
            stage=facts.stage,
            grade=facts.grade,
            situations=[situation],
            has_event_date=facts.has_event_date,
        ) or domain.rank(scripts, situations=[situation], has_event_date=facts.has_event_date)
    if not ranked:
        return None
    settings = effective(team_settings) if team_settings is not None else None
    return render_for_lead(
        ranked[0],
        lead=lead,
        locale=locale,
        rep_name=rep_name,
        team_name=team_name,
        team_settings=settings,
    )


def render_plain(
    script: Script, *, locale: str, rep_name: str | None, team: Team
) -> RenderedScript:
    """A script filled in without a lead (by stage or situation): the lead's name stays generic."""
    context = fill_context(
        locale=locale,
        lead_name=None,
        event_date=None,
        rep_name=rep_name,
        team_name=None if team.personal else team.name,
        team_settings=team.settings,
    )
    return RenderedScript(script, render_script(script, context))


# --- uses and credit -------------------------------------------------------------------------


async def find_script(session: AsyncSession, *, team: Team, script_id: str, locale: str) -> Script:
    if domain.parse_team_script_id(script_id) is not None and script_id.startswith("t"):
        row = await session.get(TeamScript, domain.parse_team_script_id(script_id))
        if row is not None and row.team_id == team.id:
            return as_script(row)
        raise UserError("script_not_found", given=script_id)
    for candidate_locale in (locale, *LOCALES):
        for script in library_scripts(candidate_locale):
            if script.id == script_id:
                return script
    raise UserError("script_not_found", given=script_id)


async def record_use(
    session: AsyncSession,
    *,
    person: Person,
    team: Team,
    lead: Lead,
    script: Script,
    now: datetime,
) -> tuple[ScriptUse, bool]:
    """The 'used it' button: a script-use row and a LeadEvent of kind 'script' on the lead.

    A second tap on the same script for the same lead within the hour is not counted again;
    the second value says whether this call recorded a new use.
    """
    assert team.id is not None and person.id is not None and lead.id is not None
    earlier = (
        await session.exec(
            select(ScriptUse).where(
                ScriptUse.lead_id == lead.id,
                ScriptUse.person_id == person.id,
                ScriptUse.script_id == script.id,
                ScriptUse.used_at > now - DOUBLE_TAP,
            )
        )
    ).first()
    if earlier is not None:
        return earlier, False
    use = ScriptUse(
        team_id=team.id,
        person_id=person.id,
        lead_id=lead.id,
        script_id=script.id,
        locale=script.locale,
        used_at=now,
    )
    session.add(use)
    session.add(
        LeadEvent(
            lead_id=lead.id,
            team_id=team.id,
            owner_id=lead.owner_id,
            actor_id=person.id,
            kind=events.SCRIPT,
            to_value=script.id,
            payload={"script": script.id, "situation": script.situation},
            at=now,
        )
    )
    await session.flush()
    return use, True


@dataclass(frozen=True)
class StatRow:
    script_id: str
    situation: str
    uses: int
    credited: int

    @property
    def percent(self) -> int:
        return round(100 * self.credited / self.uses) if self.uses else 0


async def use_stats(
    session: AsyncSession, *, team_id: int, person_id: int | None, since: datetime | None = None
) -> dict[str, UseStats]:
    """Uses and credited conversions per script id, for one person or the whole team."""
    query = select(ScriptUse).where(ScriptUse.team_id == team_id)
    if person_id is not None:
        query = query.where(ScriptUse.person_id == person_id)
    if since is not None:
        query = query.where(ScriptUse.used_at >= since)
    rows = (await session.exec(query)).all()
    uses = [
        domain.Use(id=row.id or 0, lead_id=row.lead_id, script_id=row.script_id, at=row.used_at)
        for row in rows
    ]
    lead_ids = sorted({use.lead_id for use in uses if use.lead_id is not None})
    moves: list[domain.StageMove] = []
    if lead_ids:
        earliest = min(use.at for use in uses)
        stage_rows = await session.exec(
            select(LeadEvent).where(
                col(LeadEvent.lead_id).in_(lead_ids),
                LeadEvent.kind == events.STAGE,
                LeadEvent.at >= earliest,
                LeadEvent.at <= max(use.at for use in uses) + domain.CREDIT_WINDOW,
            )
        )
        moves = [
            domain.StageMove(lead_id=row.lead_id, to_stage=row.to_value or "", at=row.at)
            for row in stage_rows.all()
        ]
    return domain.summarize(uses, domain.credited_uses(uses, moves))


async def stats_for(session: AsyncSession, *, person: Person) -> tuple[Team, bool, list[StatRow]]:
    """Per-script stats: the team's for managers, the person's own for reps."""
    team, member = await active_team(session, person)
    assert team.id is not None
    whole_team = permissions.sees_all(member) and not team.personal
    stats = await use_stats(session, team_id=team.id, person_id=None if whole_team else person.id)
    known: dict[str, str] = {}
    for locale in LOCALES:
        for script in library_scripts(locale):
            known.setdefault(script.id, script.situation)
    team_rows = await session.exec(select(TeamScript).where(TeamScript.team_id == team.id))
    for row in team_rows.all():
        assert row.id is not None
        known[domain.team_script_id(row.id)] = row.situation
    rows = [
        StatRow(script_id, known.get(script_id, ""), value.uses, value.credited)
        for script_id, value in stats.items()
    ]
    rows.sort(
        key=lambda row: (-row.credited / row.uses if row.uses else 0, -row.uses, row.script_id)
    )
    return team, whole_team, rows


async def team_stats_map(
    session: AsyncSession, *, team_id: int, now: datetime
) -> dict[str, UseStats]:
    """The team's recent conversion per script, used to nudge proven scripts up the ranking."""
    since = now - RANKING_WINDOW
    count = (
        await session.exec(
            select(func.count())
            .select_from(ScriptUse)
            .where(ScriptUse.team_id == team_id, ScriptUse.used_at >= since)
        )
    ).one()
    if not count:
        return {}
    return await use_stats(session, team_id=team_id, person_id=None, since=since)


def stage_keys(pipeline: str) -> tuple[str, ...]:
    return (*pipeline_stages(pipeline), "lost")


CREDIT_DAYS = domain.CREDIT_WINDOW // timedelta(days=1)
