"""Diagnosis (PRODUCT.md 3.3): which rule explains the biggest loss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from assistant.domain.funnel.rates import (
    Marketing,
    RateCheck,
    Step,
    click_visit_flagged,
    lowest_against_target,
    weakest,
)

# --------------------------------------------------------------------------- diagnosis (3.3)


@dataclass(frozen=True)
class Rule:
    """A weak layer: the causes to check and the one action to take (wording in templates)."""

    key: str
    causes: tuple[str, ...]
    action: str


RULES: Final[dict[str, Rule]] = {
    rule.key: rule
    for rule in (
        Rule(
            "impressions", ("keywords", "match_type", "bids", "region_schedule"), "widen_keywords"
        ),
        Rule("ctr", ("ad_relevance", "ranking", "creative"), "rewrite_creative"),
        Rule("visit_rate", ("page_speed", "page_relevance"), "fix_landing_page"),
        Rule("consult_rate", ("contact_hidden", "overpromise"), "show_contacts"),
        Rule("order_rate", ("sales_skill", "offer", "followup_discipline"), "review_offer"),
        Rule("visit_deal", ("sales_skill", "offer", "followup_discipline"), "close_in_store"),
        Rule("phone_rate", ("opening_scripts", "first_reply"), "reply_within_hour"),
        Rule("wechat_rate", ("opening_scripts", "first_reply"), "reply_within_hour"),
        Rule(
            "valid_to_visit", ("invitation_scripts", "qualifying", "lost_visits"), "invite_better"
        ),
        Rule("valid_rate", ("source_quality", "qualifying"), "check_sources"),
        Rule("a_conversion", ("sales_skill", "followup_discipline"), "prioritise_a"),
    )
}

# Which rule explains a loss between two consecutive stages.
STEP_RULES: Final[dict[tuple[str, str], str]] = {
    ("new", "valid"): "valid_rate",
    ("valid", "invited"): "valid_to_visit",
    ("invited", "visited"): "valid_to_visit",
    ("visited", "won"): "visit_deal",
    ("lead", "qualified"): "valid_rate",
    ("qualified", "needs"): "valid_to_visit",
    ("needs", "proposal"): "valid_to_visit",
    ("proposal", "negotiation"): "order_rate",
    ("negotiation", "won"): "order_rate",
}


@dataclass(frozen=True)
class Diagnosis:
    """Why a rule was chosen: 'target' (a rate below target), 'marketing' (a weak ad layer)
    or 'drop' (the biggest drop-off between stages)."""

    rule: Rule
    reason: str
    subject: str


def rule_for_step(step: Step) -> Rule:
    return RULES[STEP_RULES.get((step.source, step.target), "order_rate")]


def marketing_weakness(marketing: Marketing) -> str | None:
    """The weak ad layer, if any: nothing shown, or a click→visit loss above 30%."""
    if marketing.impressions == 0:
        return "impressions"
    if marketing.impressions and marketing.clicks == 0:
        return "ctr"
    if click_visit_flagged(marketing):
        return "visit_rate"
    if marketing.visits and marketing.consultations == 0:
        return "consult_rate"
    if marketing.consultations and marketing.orders == 0:
        return "order_rate"
    return None


def diagnose(
    checks: Sequence[RateCheck],
    drop: Step | None,
    marketing: Marketing | None = None,
) -> Diagnosis | None:
    """One finding: the rate furthest below target, else a weak ad layer, else the biggest
    drop-off between stages; None when there is nothing to say."""
    worst = weakest(checks)
    if worst is not None:
        return Diagnosis(RULES[worst.key], "target", worst.key)
    layer = marketing_weakness(marketing) if marketing is not None else None
    if layer is not None:
        return Diagnosis(RULES[layer], "marketing", layer)
    if drop is not None:
        return Diagnosis(rule_for_step(drop), "drop", f"{drop.source}>{drop.target}")
    return None


def coaching_tip(checks: Sequence[RateCheck]) -> Rule | None:
    """The rule for the weakest rate: below target first, else the lowest against target."""
    worst = weakest(checks) or lowest_against_target(checks)
    return RULES[worst.key] if worst is not None else None
