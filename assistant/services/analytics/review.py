"""The evening review: the day's work against the plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.domain import funnel
from assistant.domain.funnel import (
    format_number,
    format_percent,
)
from assistant.domain.localtime import local_today
from assistant.domain.periods import Period
from assistant.render import formats
from assistant.render.formats import money
from assistant.services.actor import Actor
from assistant.services.analytics.queries import BAR_WIDTH
from assistant.services.analytics.summary import compute
from assistant.services.analytics.views import _checks_view, _pct, _rule_view, pace_for

# --------------------------------------------------------------------------- evening review

MIX_TOLERANCE = 10.0  # percentage points off the 60/25/10/5 plan worth a remark


def _off_mix(shares: list[funnel.EffortShare]) -> dict[str, Any] | None:
    """Too much effort on C/D leads (the worst of them), else too little on A leads."""
    over = [s for s in shares if s.grade in ("C", "D") and (s.gap or 0) >= MIX_TOLERANCE]
    if over:
        worst = max(over, key=lambda share: share.gap or 0.0)
        return {
            "kind": "over",
            "grade": worst.grade,
            "share": format_percent(worst.share, 0),
            "target": worst.target,
        }
    a_share = next(s for s in shares if s.grade == "A")
    if a_share.gap is not None and a_share.gap <= -MIX_TOLERANCE:
        return {
            "kind": "under",
            "grade": "A",
            "share": format_percent(a_share.share, 0),
            "target": a_share.target,
        }
    return None


async def evening_review(session: AsyncSession, actor: Actor, *, now: datetime) -> dict[str, Any]:
    """Context for `evening_review.html.j2`: today's numbers vs targets, the effort mix of the
    contacts logged today by grade vs 60/25/10/5, and one coaching tip from the weakest rate."""
    person = actor.person
    today = local_today(now, person.timezone)
    data = await compute(session, actor, period=Period("today", today, today))
    counts = data.counts
    shares = funnel.effort_mix(counts.contact_grades)
    tip = funnel.coaching_tip(data.checks)
    weakest = funnel.weakest(data.checks) or funnel.lowest_against_target(data.checks)
    return {
        "day": formats.day(today),
        "name": person.name,
        "messenger": data.team.messenger,
        "counts": {
            "new": counts.created,
            "contacted": counts.contacted,
            "contacts": counts.contacts,
            "phone": counts.phone,
            "wechat": counts.wechat,
            "won": counts.won,
            "lost": counts.lost,
        },
        "revenue": money(counts.revenue),
        "has_revenue": counts.revenue > 0,
        "checks": [c for c in _checks_view(data.checks) if c["status"] != "none"],
        "mix": [
            {
                "grade": share.grade,
                "count": share.count,
                "share": format_percent(share.share, 0),
                "target": share.target,
                "bar": funnel.text_bar(share.share or 0, 100, BAR_WIDTH),
            }
            for share in shares
        ],
        "has_contacts": counts.contacts > 0,
        "off_mix": _off_mix(shares),
        "tip": _rule_view(tip),
        "tip_rate": None
        if weakest is None
        else {
            "key": weakest.key,
            "value": _pct(weakest.value),
            "target": format_number(weakest.target),
        },
        "pace": await pace_for(session, team=data.team, person=person, now=now),
    }
