"""/add as one use case: free text in; a lead saved (for the person, for the team's pool, or
referred by a customer) out.

Not re-exported by the package: it builds on the pool and customer use cases, which build on
the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assistant.domain import retention
from assistant.domain.capture import LeadDraft
from assistant.services import customers, pool
from assistant.services.leads.capture import Saved, create_lead, draft_from_text
from assistant.services.uow import UnitOfWork


@dataclass(frozen=True)
class CaptureResult:
    saved: Saved
    draft: LeadDraft
    to_pool: bool  # `/add … pool`: the lead went to the team's pool
    referred: bool  # `介绍人:12` / `ref:12`: linked to the customer who referred it


async def capture_lead(uow: UnitOfWork, text: str, *, now: datetime) -> CaptureResult:
    """Save the lead `text` describes; `text` is what follows /add, read as simplified.

    A trailing pool word puts the lead in the pool (managers only); a referrer mark links it
    to that customer and makes it a referral.
    """
    actor = await uow.actor()
    text, referrer = retention.split_referrer(text)
    customer = None
    if referrer is not None:
        customer = await customers.find_customer(uow.session, actor, referrer)
    words = text.split()
    to_pool = len(words) > 1 and pool.is_pool_word(words[-1])
    draft = draft_from_text(" ".join(words[:-1]) if to_pool else text, actor, now)
    if customer is not None:
        customers.referred_draft(draft)
    if to_pool:
        saved = await pool.add_to_pool(uow.session, actor, draft, now)
    else:
        saved = await create_lead(uow.session, actor, draft, now)
    if customer is not None:
        await customers.link_referral(uow.session, actor, saved.lead, customer, now)
    return CaptureResult(saved, draft, to_pool, customer is not None)
