"""What each feature module contributes: commands (for /help and set_my_commands) and buttons."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.tg.common import HandlerFn


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
