"""Spreadsheet cells going out (/export) and coming in (/import).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
spreadsheet programs (OWASP "CSV injection"), so an exported cell like that gets a leading `'`,
which they show as text. A cell that already starts with `'` gets one too, so that reading a
file back strips exactly one `'` before any of these and every value round-trips unchanged:
`'+8613800138000` is read as `+8613800138000`, `''x` as `'x`.
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = frozenset("=+-@\t\r")
QUOTE: Final = "'"
_QUOTED_STARTS: Final = FORMULA_STARTS | {QUOTE}


def escape_formula(value: str) -> str:
    """The value as an exported cell: never read as a formula."""
    return QUOTE + value if value[:1] in _QUOTED_STARTS else value


def unescape_formula(cell: str) -> str:
    """An imported cell's value: the `'` that escape_formula adds is taken off again."""
    if cell[:1] == QUOTE and cell[1:2] in _QUOTED_STARTS:
        return cell[1:]
    return cell
