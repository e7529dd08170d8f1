"""Conversation state: a step-by-step flow (guided /add, a fix, an import, a pasted lead waiting
for "save") kept in the database, so a restart or a second process loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import ConversationState


async def get_state(
    session: AsyncSession, person_id: int, chat_id: int
) -> ConversationState | None:
    query = select(ConversationState).where(
        ConversationState.person_id == person_id, ConversationState.chat_id == chat_id
    )
    return (await session.exec(query)).first()


async def set_state(
    session: AsyncSession,
    person_id: int,
    chat_id: int,
    *,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
) -> ConversationState:
    state = await get_state(session, person_id, chat_id)
    if state is None:
        state = ConversationState(person_id=person_id, chat_id=chat_id, flow=flow, step=step)
        session.add(state)
    state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), now
    return state


async def clear_state(session: AsyncSession, person_id: int, chat_id: int) -> bool:
    state = await get_state(session, person_id, chat_id)
    if state is None:
        return False
    await session.delete(state)
    return True


async def take_state(
    session: AsyncSession, person_id: int, chat_id: int, *, flow: str, token: str
) -> dict[str, Any] | None:
    """The data of the waiting `flow` whose token is `token`, removed in the same step; None
    when there is none (already taken, cancelled, replaced). A conditional delete, so of two
    presses racing on one pending flow only one gets its data."""
    state = await get_state(session, person_id, chat_id)
    if state is None or state.flow != flow or state.data.get("token") != token:
        return None
    data = dict(state.data)
    taken = await session.exec(
        delete(ConversationState)
        .where(
            col(ConversationState.id) == state.id,
            col(ConversationState.flow) == flow,
            col(ConversationState.updated_at) == state.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    session.expunge(state)
    return data if taken.rowcount == 1 else None
