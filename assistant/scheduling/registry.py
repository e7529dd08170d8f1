"""The registry of push kinds: what to plan (rows for the outbox) and how to render a row.

A feature adds a kind once, at import time of a module that `assistant/tg/app.py` imports:

    from assistant.scheduling.registry import PushDraft, PushMessage, register_push_kind

    async def plan_digest(ctx: PlanContext) -> list[PushDraft]: ...
    async def render_digest(ctx: RenderContext, row: Outbox) -> PushMessage | None: ...

    register_push_kind("digest", plan=plan_digest, render=render_digest)

`plan` runs on every planner tick and returns the pushes that are due (or will be due soon);
rows whose `dedupe_key` already exists are ignored, so planning the same push on every tick is
correct and cheap. A kind that can have a push per lead (tens of thousands) is instead an async
generator of drafts that reads the leads in batches: the planner inserts every few hundred
drafts as they come, so neither the leads nor the drafts are ever all in memory.

`render` runs when the sender is about to send the row, inside a read transaction, and returns
the message, or None when the push no longer makes sense (for example the follow-up was
already done); such rows are marked `skipped`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.config import Settings
from assistant.db.models import Outbox
from assistant.services.actions import ActionRows


@dataclass(frozen=True)
class PushDraft:
    """One push the planner wants in the outbox."""

    kind: str
    dedupe_key: str  # unique forever, e.g. "morning:<person id>:<local date>"
    chat_id: int
    due_at: datetime
    person_id: int | None = None  # the recipient, when it is a person (marked unreachable on 403)
    team_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PushMessage:
    """What the sender sends for one row: a template in the recipient's locale."""

    template: str
    context: dict[str, Any]
    locale: str
    actions: ActionRows = field(default_factory=list)  # buttons, as the channel shows them


@dataclass
class PlanContext:
    session: AsyncSession
    now: datetime
    settings: Settings


@dataclass
class RenderContext:
    session: AsyncSession
    now: datetime
    settings: Settings


PlanFn = Callable[[PlanContext], Awaitable[Iterable[PushDraft]] | AsyncIterator[PushDraft]]
RenderFn = Callable[[RenderContext, Outbox], Awaitable[PushMessage | None]]


@dataclass(frozen=True)
class PushKind:
    name: str
    plan: PlanFn
    render: RenderFn


PUSH_KINDS: dict[str, PushKind] = {}


def register_push_kind(name: str, *, plan: PlanFn, render: RenderFn) -> PushKind:
    """Add (or replace, on re-import) a kind of push; `name` is stored in Outbox.kind."""
    if len(name) > 32:
        raise ValueError("push kind names are at most 32 characters")
    kind = PushKind(name, plan, render)
    PUSH_KINDS[name] = kind
    return kind
