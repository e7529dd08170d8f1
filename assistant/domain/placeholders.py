"""Script text is data: five placeholders filled in by plain substitution, nothing evaluated.

A team's script text is typed by a person, so it never reaches a template engine. The only
markup it may hold is one of PLACEHOLDERS between double braces (`{{ lead.name }}`, spaces
inside the braces optional); any other `{{ … }}`, `{% … %}` or `{# … #}` is refused when the
text is saved, and left on the page as typed should such a text come from somewhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

PLACEHOLDERS: Final = ("lead.name", "rep.name", "event_date", "product", "brand")

# One allowed placeholder: a name, optionally dotted, with any spaces around the parts.
_PLACEHOLDER: Final = re.compile(r"\{\{\s*([A-Za-z_]+(?:\s*\.\s*[A-Za-z_]+)?)\s*\}\}")
# Where template markup would start: what a template engine would treat as code or a comment.
_OPENER: Final = re.compile(r"\{[{%#]")
_CLOSERS: Final = {"{{": "}}", "{%": "%}", "{#": "#}"}
FRAGMENT_LIMIT: Final = 40


class TemplateRefused(ValueError):
    """The text holds markup other than the allowed placeholders; `fragment` shows which."""

    def __init__(self, fragment: str) -> None:
        super().__init__(f"only {', '.join(PLACEHOLDERS)} may stand between {{{{ }}}}: {fragment}")
        self.fragment = fragment


def _name(match: re.Match[str]) -> str:
    return "".join(match.group(1).split())


def _allowed(match: re.Match[str]) -> bool:
    return _name(match) in PLACEHOLDERS


def _fragment(text: str, start: int) -> str:
    closer = _CLOSERS[text[start : start + 2]]
    end = text.find(closer, start + 2)
    stop = len(text) if end == -1 else end + 2
    fragment = text[start:stop]
    if len(fragment) > FRAGMENT_LIMIT:
        fragment = fragment[: FRAGMENT_LIMIT - 1] + "…"
    return fragment


def check(text: str) -> frozenset[str]:
    """The placeholders the text uses; TemplateRefused at the first other piece of markup."""
    used: set[str] = set()
    position = 0
    while (opener := _OPENER.search(text, position)) is not None:
        start = opener.start()
        match = _PLACEHOLDER.match(text, start)
        if match is None or not _allowed(match):
            raise TemplateRefused(_fragment(text, start))
        used.add(_name(match))
        position = match.end()
    return frozenset(used)


def used_in(text: str) -> frozenset[str]:
    """The allowed placeholders a text uses, ignoring anything else (for stored texts)."""
    return frozenset(_name(match) for match in _PLACEHOLDER.finditer(text) if _allowed(match))


def fill(text: str, values: Mapping[str, str]) -> str:
    """Each allowed placeholder replaced by its value, in one pass: a value is never read as
    markup, and any other markup stays on the page exactly as it was typed."""

    def replace(match: re.Match[str]) -> str:
        name = _name(match)
        return values.get(name, match.group(0)) if name in PLACEHOLDERS else match.group(0)

    return _PLACEHOLDER.sub(replace, text)
