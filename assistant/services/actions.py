"""What a person can do next, as data: a front end turns actions into its own controls.

A use case (or a push's render function) returns rows of `Action`s instead of a keyboard. The
Telegram edge makes each one a signed inline button (tg/keyboards.markup), the console shows
it as `[:N]`, a web page as a form. `intent` is the callback code a press is routed by
(tg/registry.routes: one handler per code) and `ids` its arguments, so a press arrives at the
same handler whichever front end showed the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Action:
    label_key: str  # a catalogue key, shown in the reader's language
    intent: str  # the callback code its press is routed by
    ids: tuple[Any, ...] = ()
    label_values: tuple[tuple[str, str], ...] = ()  # what the label's {placeholders} show


ActionRows = list[list[Action]]
