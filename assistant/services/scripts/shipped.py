"""The shipped scripts library: where it is, loading and checking its YAML, and rendering
script texts in a sandbox."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from assistant.domain import placeholders
from assistant.domain import scripts as domain
from assistant.domain.scripts import Script, ScriptError
from assistant.i18n import DEFAULT_LOCALE, LOCALES, WRITTEN_LOCALES, catalogue

ROOT = Path(__file__).resolve().parents[3]
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
