"""Which kind of message a lead needs next: the rule behind the line shown next to each lead in
/today, the morning briefing, /activate and `/script 12`.

A lead nobody has written to yet hears an introduction; a lead already contacted never does: it
gets a follow-up fitting the objection in its last contact note, how long it has been quiet,
its stage and its grade. A script asking for something the lead's card already holds (the
event date, a phone number) is left out by `scripts.rank` through `LeadFacts.known`. Won and
lost leads get after-sale and win-back situations; the daily plan leaves them out altogether.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Final

from assistant.domain.pipeline import LOST, WON
from assistant.domain.scripts import (
    DORMANT_DAYS,
    OBJECTIONS,
    SITUATIONS,
    LeadFacts,
    Script,
    UseStats,
    rank,
)

# Words in a logged contact note that tell us which objection the client raised last.
OBJECTION_CUES: Final[dict[str, tuple[str, ...]]] = {
    "too_expensive": ("太贵", "贵了", "价格高", "便宜点", "预算", "expensive", "price", "budget"),
    "need_to_think": ("考虑", "想想", "再看看", "think"),
    "comparing": ("对比", "比较", "别家", "其他家", "compar", "other studio", "competitor"),
    "partner_decides": ("商量", "老公", "老婆", "对象", "家里", "partner", "husband", "wife",
                        "boss"),
    "bad_timing": ("没时间", "太忙", "不急", "以后再说", "busy", "not now", "later"),
}  # fmt: skip

INTRODUCTION: Final = "opening"
# Situations whose words lean on an earlier conversation ("上次聊完…", "it's been a while").
AFTER_CONTACT: Final = frozenset({"follow_up", "reactivation"})

_GRADE_SITUATION: Final = {"A": "invitation", "B": "dream", "C": "brand", "D": "light_touch"}

# Best first, per stage of either pipeline, for a lead already contacted.
_BY_STAGE: Final[dict[str, tuple[str, ...]]] = {
    "new": ("follow_up", "grade"),
    "lead": ("follow_up", "grade", "qualifying"),
    "valid": ("grade", "qualifying", "invitation", "follow_up"),
    "qualified": ("qualifying", "grade", "follow_up"),
    "needs": ("qualifying", "dream", "invitation"),
    "invited": ("invitation", *OBJECTIONS[3:]),
    "visited": ("after_visit", "closing", *OBJECTIONS),
    "proposal": ("after_visit", "closing", *OBJECTIONS),
    "negotiation": ("closing", *OBJECTIONS),
}


def objection_in(note: str | None) -> str | None:
    if not note:
        return None
    lowered = note.lower()
    for situation, cues in OBJECTION_CUES.items():
        if any(cue in lowered for cue in cues):
            return situation
    return None


def fits_history(situation: str, *, contacted: bool) -> bool:
    """An introduction only before the first contact; words about "last time" only after it."""
    if contacted:
        return situation != INTRODUCTION
    return situation not in AFTER_CONTACT


def is_dormant(facts: LeadFacts) -> bool:
    return facts.days_since_contact is not None and facts.days_since_contact >= DORMANT_DAYS


def situations_for(facts: LeadFacts) -> list[str]:
    """Situations that fit the lead now, best first."""
    if facts.stage == LOST:
        return ["lost_reactivation", "light_touch"]
    if facts.stage == WON:
        return ["after_sale", "referral"]
    grade = _GRADE_SITUATION.get(facts.grade, "light_touch")
    by_stage = [grade if name == "grade" else name for name in _BY_STAGE.get(facts.stage, ())]
    preferred: list[str] = []
    if not facts.contacted:
        preferred.append(INTRODUCTION)
    else:
        objection = objection_in(facts.last_note)
        if objection:
            preferred.append(objection)
        if is_dormant(facts):
            preferred.append("reactivation")
    preferred += [*by_stage, grade]
    return [
        situation
        for situation in dict.fromkeys(preferred)
        if fits_history(situation, contacted=facts.contacted)
    ]


def light_situations(facts: LeadFacts, *, activation: bool = False) -> list[str]:
    """A light touch rather than a pitch: D leads in the plan, and every lead of an activation
    batch (dormant C and better ones are woken up). A lead never written to is introduced."""
    if not facts.contacted:
        return [INTRODUCTION, "light_touch"]
    if activation and facts.grade != "D":
        return ["reactivation", "light_touch"]
    return ["light_touch", "reactivation"]


def pick(
    scripts: Iterable[Script],
    facts: LeadFacts,
    *,
    light: bool = False,
    activation: bool = False,
    stats: Mapping[str, UseStats] | None = None,
    recent: Collection[str] = (),
) -> list[Script]:
    """The scripts for this lead, best first (`light`: a light touch, see light_situations).

    When no script of a fitting situation is written for the lead's stage, a light touch takes
    one of its situations from another stage, anything else any script of its stage; the
    introduction and the words about "last time" still only go where they fit.
    """
    scripts = list(scripts)
    light = light or activation
    situations = light_situations(facts, activation=activation) if light else situations_for(facts)
    known, skip = (
        facts.known,
        [s for s in SITUATIONS if not fits_history(s, contacted=facts.contacted)],
    )

    def ranked(stage: str | None, wanted: Sequence[str]) -> list[Script]:
        return rank(
            scripts, stage=stage, grade=facts.grade, situations=wanted,
            has_event_date=facts.has_event_date, stats=stats, recent=recent, known=known,
            skip=skip, turn=facts.number,
        )  # fmt: skip

    found = ranked(facts.stage, situations)
    if not found and light:
        found = ranked(None, situations)
    return found or ranked(facts.stage, ())
