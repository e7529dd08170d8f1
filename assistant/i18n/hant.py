"""Traditional Chinese input: read like simplified, kept as typed.

People in Taiwan and Hong Kong type 轉介紹, 下週六 or 諮詢. Every parser in the bot knows the
simplified words, so what they type is read through OpenCC's Taiwan-to-simplified conversion
(`tw2s`: the `t2s` character tables plus the Taiwanese variants such as 著 for 着) one character
for one, and whatever is stored (a name, a note) is taken back from the text as typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any


@cache
def converter(config: str) -> Any:
    """An OpenCC converter, built once per process and only when first needed."""
    import opencc  # a C extension with its dictionaries: loaded on the first non-ASCII text

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """The text with traditional characters read as simplified, of the same length.

    OpenCC converts phrase by phrase; the rare phrase that would change the length is
    converted character by character instead, so positions in both texts still match.
    """
    if text.isascii():
        return text
    convert = converter("tw2s").convert
    read: str = convert(text)
    if len(read) == len(text):
        return read
    return "".join(single if len(single := convert(char)) == 1 else char for char in text)


@dataclass(frozen=True)
class TypedText:
    """What a person typed and how the bot reads it (simplified, position for position)."""

    typed: str
    read: str

    @classmethod
    def of(cls, typed: str) -> TypedText:
        return cls(typed, to_simplified(typed))

    def restore(self, value: str) -> str:
        """The typed form of a piece of the read text: 陈小姐 read from 陳小姐 gives 陳小姐.

        A piece found in the read text is cut from the same place of the typed text; a piece
        that was changed on the way (spaces folded, case) gets its characters back one by one.
        """
        if self.read == self.typed or not value:
            return value
        start = self.read.find(value)
        if start != -1:
            return self.typed[start : start + len(value)]
        folded_read, folded_typed = " ".join(self.read.split()), " ".join(self.typed.split())
        start = folded_read.find(value)
        if start != -1 and len(folded_read) == len(folded_typed):
            return folded_typed[start : start + len(value)]
        back: dict[str, str] = {}
        for read_char, typed_char in zip(self.read, self.typed, strict=True):
            if read_char != typed_char:
                back.setdefault(read_char, typed_char)
        return "".join(back.get(char, char) for char in value)


# The message being handled (one per update), so a service storing a piece of it can take it
# back in the characters it was typed in.
_MESSAGE: ContextVar[TypedText | None] = ContextVar("typed_message", default=None)


@contextmanager
def reading(typed: str) -> Iterator[TypedText]:
    """While one message is handled: what it says as typed and as read."""
    text = TypedText.of(typed)
    token = _MESSAGE.set(text)
    try:
        yield text
    finally:
        _MESSAGE.reset(token)


def as_typed(value: str) -> str:
    """A piece of the message being handled (read as simplified) in the characters the person
    typed: what a lead's name, a note or a reason is stored as. Unchanged outside a message."""
    message = _MESSAGE.get()
    return message.restore(value) if message is not None else value


def typed_variants(value: str) -> tuple[str, ...]:
    """What to search stored text (kept as typed) for: the read text, the form it was typed
    in and its traditional form, without repeats; 陈 and 陳 find both 陈小姐 and 陳小姐."""
    variants = (value, as_typed(value), converter("s2t").convert(value) if value else value)
    return tuple(dict.fromkeys(variants))
