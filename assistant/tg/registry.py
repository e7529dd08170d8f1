"""What each feature module contributes: commands (for /help and set_my_commands) and buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.tg.common import HandlerFn, Prepare


@dataclass(frozen=True)
class CommandSpec:
    name: str
    task: str  # the /help group, a key under `tasks` in the catalogue
    handler: HandlerFn
    private: bool = True
    group: bool = False


@dataclass
class Feature:
    commands: list[CommandSpec] = field(default_factory=list)
    callbacks: dict[str, HandlerFn] = field(default_factory=dict)  # action -> handler
    # Plain text in a private chat goes to the flow named in the person's ConversationState.
    flows: dict[str, HandlerFn] = field(default_factory=dict)
    # my_chat_member updates: the bot was added to or removed from a chat.
    chat_member: HandlerFn | None = None
    # Other messages by kind: in a private chat "contact" (a shared contact card), "document"
    # (a file), "forwarded" (a forwarded text message; before flows and hints); in a group
    # "migrated" (the group became a supergroup with a new chat id).
    messages: dict[str, HandlerFn] = field(default_factory=dict)
    # A message kind's slow input, read before its handler's transaction (see common.Prepare).
    prepare: dict[str, Prepare] = field(default_factory=dict)


class DuplicateCode(ValueError):
    """Two features claim the same callback code (or flow name): the bot refuses to start."""


@dataclass(frozen=True)
class Routes:
    """Every feature's callback codes and flow names, each claimed exactly once."""

    callbacks: dict[str, HandlerFn]  # the action of signed callback data -> its handler
    flows: dict[str, HandlerFn]  # ConversationState.flow -> the handler of the next message


def _claim(table: dict[str, HandlerFn], what: str, code: str, handler: HandlerFn) -> None:
    earlier = table.get(code)
    if earlier is not None:
        raise DuplicateCode(
            f"{what} {code!r} is claimed twice: by {earlier.__module__}.{earlier.__qualname__}"
            f" and by {handler.__module__}.{handler.__qualname__}"
        )
    table[code] = handler


def routes(features: Sequence[Feature]) -> Routes:
    """The one table of callback codes and flows; raises DuplicateCode on a code claimed twice
    (before it, the last feature to claim a code silently won)."""
    callbacks: dict[str, HandlerFn] = {}
    flows: dict[str, HandlerFn] = {}
    for feature in features:
        for code, handler in feature.callbacks.items():
            _claim(callbacks, "callback code", code, handler)
        for name, handler in feature.flows.items():
            _claim(flows, "flow", name, handler)
    return Routes(callbacks, flows)
