"""What a lead card shows besides the lead: its recent history, the titles of the scripts sent
in it, and the owner's name for someone who sees colleagues' leads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent
from assistant.services import permissions, script_names
from assistant.services.actor import Actor
from assistant.services.leads.queries import (
    CARD_HISTORY,
    CardHistory,
    ShownEvent,
    card_history,
    history,
    owner_name,
)

SHOWN_EVENTS = 10  # history lines on a card


@dataclass(frozen=True)
class CardFacts:
    history: list[ShownEvent]  # newest first
    titles: dict[str, str]  # script id -> its title in the reader's language
    owner: str  # "" for one's own lead, or for someone who sees only their own


def shown(row: ShownEvent) -> bool:
    """Cadence re-schedules are bookkeeping; the card shows the next follow-up anyway."""
    return not (row.kind == "followup" and row.payload.get("reason") == "cadence")


async def card_facts(
    session: AsyncSession,
    actor: Actor,
    lead: Lead,
    *,
    locale: str,
    created: list[LeadEvent] | None = None,  # a lead new in this update: its events, oldest first
) -> CardFacts:
    await session.flush()
    newest_first: Sequence[ShownEvent]
    read = card_history(session, lead.id)
    if read is None and created is not None:  # a lead new in this update: no earlier events
        read = CardHistory([], created)
    if read is not None:
        newest_first = read.newest_first()
    else:
        newest_first = await history(session, lead, CARD_HISTORY)
    rows = [row for row in newest_first if shown(row)][:SHOWN_EVENTS]
    titles = await script_names.event_titles(session, lead.team_id, rows, locale)
    owner = ""
    if permissions.sees_all(actor.member) and lead.owner_id != actor.person_id:
        owner = await owner_name(session, lead)
    return CardFacts(rows, titles, owner)
