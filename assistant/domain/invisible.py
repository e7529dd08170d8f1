"""Characters that show nothing, or turn the text around them: stripped from names and scripts.

Zero-width spaces and joiners (U+200B–U+200D), direction marks (U+200E, U+200F), embeddings and
overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the byte-order mark (U+FEFF). In a
name they make two people look alike, hide a name entirely, or (an override before "ndoJ")
make the rest of a line read backwards, as another person's name; no real name needs them.
"""

from __future__ import annotations

from typing import Final

INVISIBLE: Final = frozenset(
    [chr(code) for code in range(0x200B, 0x2010)]
    + [chr(code) for code in range(0x202A, 0x202F)]
    + [chr(code) for code in range(0x2066, 0x206A)]
    + ["\ufeff"]
)
_DROP: Final = dict.fromkeys(map(ord, INVISIBLE))


def strip_invisible(text: str) -> str:
    """The text without invisible and direction-changing characters."""
    return text.translate(_DROP)


def visible_words(text: str) -> str:
    """The text without them, its runs of white space made single spaces: how a typed name or
    script is stored. Empty when nothing visible was typed."""
    return " ".join(strip_invisible(text).split())
