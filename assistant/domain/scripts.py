"""Sales scripts: the schema, validation, and picking the right words for a lead.

Pure: no I/O. Files are read and templates rendered in assistant.services.scripts; here we
check the parsed data, decide which situations fit a lead, rank scripts and credit uses.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from assistant.domain.pipeline import LOST, PIPELINES, WON

GRADES: Final = ("A", "B", "C", "D")
ALL_STAGES: Final[tuple[str, ...]] = tuple(
    dict.fromkeys([*PIPELINES["store"], *PIPELINES["b2b"], LOST])
)

# One file per situation in scripts_library/<locale>/<situation>.yaml.
SITUATIONS: Final = (
    "opening",
    "follow_up",
    "qualifying",
    "dream",
    "brand",
    "light_touch",
    "invitation",
    "too_expensive",
    "need_to_think",
    "comparing",
    "partner_decides",
    "bad_timing",
    "after_visit",
    "closing",
    "reactivation",
    "lost_reactivation",
    "referral",
    "after_sale",
)
OBJECTIONS: Final = (
    "too_expensive",
    "need_to_think",
    "comparing",
    "partner_decides",
    "bad_timing",
)

DATE_PLACEHOLDER: Final = "event_date"
# What a library script may ask the client for (its optional `asks` field): a script asking
# for something already on the lead is never suggested for it.
ASKABLE: Final = ("date", "phone")

FIRST_MESSAGE_LIMIT: Final = 300
TEAM_TEXT_LIMIT: Final = 300
MIN_QUESTIONS: Final = 1
MAX_QUESTIONS: Final = 3
ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
CREDIT_WINDOW: Final = timedelta(days=7)
DORMANT_DAYS: Final = 7
TEAM_PREFIX: Final = "t"
RECENT_DAYS: Final = 14
RECENT_PENALTY: Final = 1000

# Words people type after /script, in both languages, mapped to a situation.
SITUATION_WORDS: Final[dict[str, str]] = {
    # too expensive
    "太贵": "too_expensive",
    "贵": "too_expensive",
    "价格": "too_expensive",
    "便宜": "too_expensive",
    "预算": "too_expensive",
    "expensive": "too_expensive",
    "price": "too_expensive",
    "budget": "too_expensive",
    "cheaper": "too_expensive",
    # need to think
    "考虑": "need_to_think",
    "考虑一下": "need_to_think",
    "想想": "need_to_think",
    "再看看": "need_to_think",
    "think": "need_to_think",
    "thinking": "need_to_think",
    # comparing others
    "对比": "comparing",
    "比较": "comparing",
    "货比三家": "comparing",
    "别家": "comparing",
    "compare": "comparing",
    "comparing": "comparing",
    "competitor": "comparing",
    "others": "comparing",
    # partner decides
    "商量": "partner_decides",
    "老公": "partner_decides",
    "老婆": "partner_decides",
    "家人": "partner_decides",
    "对象": "partner_decides",
    "partner": "partner_decides",
    "spouse": "partner_decides",
    "boss": "partner_decides",
    "decide": "partner_decides",
    # bad timing
    "没时间": "bad_timing",
    "忙": "bad_timing",
    "不急": "bad_timing",
    "以后": "bad_timing",
    "timing": "bad_timing",
    "busy": "bad_timing",
    "later": "bad_timing",
    # the rest
    "跟进": "follow_up",
    "follow-up": "follow_up",
    "followup": "follow_up",
    "开场": "opening",
    "首次": "opening",
    "opening": "opening",
    "first": "opening",
    "了解需求": "qualifying",
    "需求": "qualifying",
    "qualify": "qualifying",
    "qualifying": "qualifying",
    "needs": "qualifying",
    "造梦": "dream",
    "dream": "dream",
    "品牌": "brand",
    "风格": "brand",
    "brand": "brand",
    "style": "brand",
    "激活": "light_touch",
    "破冰": "light_touch",
    "touch": "light_touch",
    "hook": "light_touch",
    "邀约": "invitation",
    "到店": "invitation",
    "invite": "invitation",
    "invitation": "invitation",
    "visit": "invitation",
    "走单": "after_visit",
    "未成交": "after_visit",
    "店后": "after_visit",
    "after-visit": "after_visit",
    "aftervisit": "after_visit",
    "逼单": "closing",
    "成交": "closing",
    "close": "closing",
    "closing": "closing",
    "沉睡": "reactivation",
    "唤醒": "reactivation",
    "dormant": "reactivation",
    "reactivate": "reactivation",
    "reactivation": "reactivation",
    "流失": "lost_reactivation",
    "挽回": "lost_reactivation",
    "lost": "lost_reactivation",
    "winback": "lost_reactivation",
    "转介绍": "referral",
    "推荐": "referral",
    "referral": "referral",
    "refer": "referral",
    "售后": "after_sale",
    "回访": "after_sale",
    "after-sale": "after_sale",
    "aftersale": "after_sale",
}

STAGE_WORDS: Final[dict[str, str]] = {
    "新线索": "new",
    "有效": "valid",
    "已邀约": "invited",
    "邀约中": "invited",
    "已到店": "visited",
    "到店未成交": "visited",
    "成交": "won",
    "已成交": "won",
    "流失": "lost",
    "潜在": "lead",
    "兴趣": "qualified",
    "了解": "needs",
    "意向": "proposal",
    "谈判": "negotiation",
}


class ScriptError(ValueError):
    """A problem in one script's data; `field` names where, for the loader to find a line."""

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.index = index
        self.field = field


@dataclass(frozen=True)
class Script:
    id: str
    situation: str
    stages: tuple[str, ...]
    grades: tuple[str, ...]
    text: str
    why: str
    locale: str
    team: bool = False
    placeholders: frozenset[str] = field(default_factory=frozenset)
    titles: tuple[tuple[str, str], ...] = ()  # (locale, title): how people see it named
    asks: tuple[str, ...] = ()  # facts of ASKABLE the text asks the client for

    def title(self, locale: str) -> str | None:
        return dict(self.titles).get(locale)

    @property
    def needs_date(self) -> bool:
        return DATE_PLACEHOLDER in self.placeholders


@dataclass(frozen=True)
class LeadFacts:
    """What the picker needs to know about a lead, gathered by the caller."""

    pipeline: str
    stage: str
    grade: str
    has_event_date: bool
    contacted: bool
    days_since_contact: int | None
    last_note: str | None = None
    has_phone: bool = False
    number: int = 0  # the lead's number: leads in the same situation take turns among equals

    @property
    def known(self) -> frozenset[str]:
        """The facts of ASKABLE already on the lead: no line asks for them again."""
        return frozenset(
            fact
            for fact, known in (("date", self.has_event_date), ("phone", self.has_phone))
            if known
        )


def team_script_id(row_id: int) -> str:
    return f"{TEAM_PREFIX}{row_id}"


def parse_team_script_id(text: str) -> int | None:
    cleaned = text.strip().lower().removeprefix("#").removeprefix(TEAM_PREFIX)
    return (
        int(cleaned) if cleaned.isascii() and cleaned.isdigit() and 0 < len(cleaned) < 10 else None
    )


def _string_list(value: Any, allowed: Sequence[str], what: str, index: int) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ScriptError(f"{what} must be a non-empty list", index=index, field=what)
    items = tuple(str(item) for item in value)
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ScriptError(
            f"unknown {what}: {', '.join(unknown)} (allowed: {', '.join(allowed)})",
            index=index,
            field=what,
        )
    return items


def _text(value: Any, what: str, index: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScriptError(f"{what} must be non-empty text", index=index, field=what)
    return " ".join(value.split()) if what in {"why", "title"} else value.strip()


REQUIRED_FIELDS: Final = ("id", "title", "stages", "grades", "text", "why")
OPTIONAL_FIELDS: Final = ("situation", "asks")


def _titles(value: Any, locales: Sequence[str], index: int) -> tuple[tuple[str, str], ...]:
    """A title per locale, e.g. {zh-Hans: 周末两个时段二选一, en: Two weekend times}."""
    if not isinstance(value, dict) or sorted(map(str, value)) != sorted(locales):
        raise ScriptError(f"title must name the script in {', '.join(locales)}", index=index,
                          field="title")  # fmt: skip
    return tuple((locale, _text(value[locale], "title", index)) for locale in locales)


def parse_file(
    data: Any, *, situation: str, locale: str, title_locales: Sequence[str] = ()
) -> list[Script]:
    """The scripts of one situation file, or ScriptError naming the script and field.

    Each script's title must name it in every one of `title_locales` (default: its own).
    """
    if not isinstance(data, dict):
        raise ScriptError("the file must be a mapping with 'situation' and 'scripts'")
    extra = set(data) - {"situation", "scripts"}
    if extra:
        raise ScriptError(f"unknown top-level keys: {', '.join(sorted(map(str, extra)))}")
    if data.get("situation") != situation:
        raise ScriptError(
            f"situation must be '{situation}' (the file name), got {data.get('situation')!r}",
            field="situation",
        )
    items = data.get("scripts")
    if not isinstance(items, list) or not items:
        raise ScriptError("'scripts' must be a non-empty list", field="scripts")
    scripts: list[Script] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ScriptError("each script must be a mapping", index=index)
        missing = [name for name in REQUIRED_FIELDS if name not in item]
        if missing:
            raise ScriptError(f"missing field(s): {', '.join(missing)}", index=index)
        unknown = set(item) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
        if unknown:
            raise ScriptError(
                f"unknown field(s): {', '.join(sorted(map(str, unknown)))}", index=index
            )
        if item.get("situation", situation) != situation:
            raise ScriptError(
                f"situation must be '{situation}' like its file", index=index, field="situation"
            )
        script_id = item["id"]
        if not isinstance(script_id, str) or not ID_PATTERN.match(script_id):
            raise ScriptError(
                "id must be 2-32 lowercase letters, digits or '-'", index=index, field="id"
            )
        if script_id.startswith(TEAM_PREFIX) and script_id[1:].isdigit():
            raise ScriptError("ids like 't12' are kept for team scripts", index=index, field="id")
        text = _text(item["text"], "text", index)
        scripts.append(
            Script(
                id=script_id,
                situation=situation,
                stages=_string_list(item["stages"], ALL_STAGES, "stages", index),
                grades=_string_list(item["grades"], GRADES, "grades", index),
                text=text,
                why=_text(item["why"], "why", index),
                locale=locale,
                titles=_titles(item["title"], title_locales or (locale,), index),
                asks=_string_list(item["asks"], ASKABLE, "asks", index) if "asks" in item else (),
            )
        )
    return scripts


def count_questions(text: str) -> int:
    return text.count("?") + text.count("？")


class RuleBroken(ValueError):
    """A filled-in script breaks a house rule: `rule` is "length" (`found` characters, `limit`
    allowed) or "questions" (`found` questions); str() says it in English for library authors."""

    def __init__(self, rule: str, found: int, limit: int) -> None:
        self.rule, self.found, self.limit = rule, found, limit
        super().__init__(
            f"{found} characters once filled in; keep it under {limit}"
            if rule == "length"
            else f"{found} questions; ask {MIN_QUESTIONS} to {MAX_QUESTIONS}"
        )


def check_rendered(rendered: str, *, limit: int = FIRST_MESSAGE_LIMIT) -> None:
    """Raises RuleBroken when a filled-in script breaks the house rules."""
    if len(rendered) > limit:
        raise RuleBroken("length", len(rendered), limit)
    questions = count_questions(rendered)
    if not MIN_QUESTIONS <= questions <= MAX_QUESTIONS:
        raise RuleBroken("questions", questions, limit)


def duplicate_ids(scripts: Iterable[Script]) -> list[str]:
    seen: set[str] = set()
    duplicates: list[str] = []
    for script in scripts:
        if script.id in seen:
            duplicates.append(script.id)
        seen.add(script.id)
    return duplicates


def situation_for_word(word: str) -> str | None:
    lowered = word.strip().lower().replace("_", "-")
    if lowered.replace("-", "_") in SITUATIONS:
        return lowered.replace("-", "_")
    if lowered in SITUATION_WORDS:
        return SITUATION_WORDS[lowered]
    for key, situation in SITUATION_WORDS.items():
        if len(key) > 1 and not key.isascii() and key in lowered:
            return situation
    return None


def stage_for_word(word: str, pipeline: str) -> str | None:
    """A stage of the team's pipeline named by its key or its Chinese name."""
    lowered = word.strip().lower()
    known = (*PIPELINES.get(pipeline, PIPELINES["store"]), LOST)
    stage = lowered if lowered in known else STAGE_WORDS.get(word.strip())
    return stage if stage in known else None


@dataclass(frozen=True)
class UseStats:
    uses: int
    credited: int

    @property
    def rate(self) -> float:
        return self.credited / self.uses if self.uses else 0.0


def rank(
    scripts: Iterable[Script],
    *,
    stage: str | None = None,
    grade: str | None = None,
    situations: Sequence[str] = (),
    has_event_date: bool = True,
    stats: Mapping[str, UseStats] | None = None,
    recent: Collection[str] = (),
    known: Collection[str] = (),
    skip: Collection[str] = (),
    turn: int = 0,
) -> list[Script]:
    """Best first. A script must fit the stage (when given) and the situations (when given),
    ask for nothing `known` and be of no situation in `skip`; grade fit, the order of
    situations, proven conversion and the team's own words add points; a script already sent
    to this lead lately (`recent`) drops behind the fresh ones. Scripts tied for first place
    take turns by `turn` (a lead's number), so a list of similar leads does not read the same.
    """
    order = {situation: len(situations) - index for index, situation in enumerate(situations)}
    scored: list[tuple[float, int, Script]] = []
    for position, script in enumerate(scripts):
        if stage is not None and stage not in script.stages:
            continue
        if situations and script.situation not in order:
            continue
        if script.needs_date and not has_event_date:
            continue
        if script.situation in skip or any(fact in known for fact in script.asks):
            continue
        score = 10.0 * order.get(script.situation, 0)
        if grade is not None and grade in script.grades:
            score += 6
        if script.needs_date and has_event_date:
            score += 3  # it speaks of the date the lead gave
        if script.team:
            score += 1
        proven = (stats or {}).get(script.id)
        if proven is not None and proven.uses >= 3:
            score += 4 * proven.rate
        if script.id in recent:
            score -= RECENT_PENALTY
        scored.append((score, position, script))
    scored.sort(key=lambda item: (-item[0], item[1]))
    ranked = [script for _, _, script in scored]
    tied = sum(1 for score, _, _ in scored if score == scored[0][0]) if scored else 0
    if tied > 1:
        first = turn % tied
        ranked[:tied] = ranked[first:tied] + ranked[:first]
    return ranked


@dataclass(frozen=True)
class Use:
    id: int
    lead_id: int | None
    script_id: str
    at: datetime


@dataclass(frozen=True)
class StageMove:
    lead_id: int
    to_stage: str
    at: datetime


def credited_uses(uses: Iterable[Use], moves: Iterable[StageMove]) -> set[int]:
    """Ids of uses credited with a stage move: the latest use on the lead at most 7 days
    before a move to any stage but lost. Each use is credited at most once."""
    by_lead: dict[int, list[Use]] = {}
    for use in uses:
        if use.lead_id is not None:
            by_lead.setdefault(use.lead_id, []).append(use)
    credited: set[int] = set()
    for move in sorted(moves, key=lambda m: m.at):
        if move.to_stage == LOST:
            continue
        candidates = [
            use
            for use in by_lead.get(move.lead_id, [])
            if use.at <= move.at and move.at - use.at <= CREDIT_WINDOW and use.id not in credited
        ]
        if candidates:
            credited.add(max(candidates, key=lambda use: (use.at, use.id)).id)
    return credited


def summarize(uses: Iterable[Use], credited: set[int]) -> dict[str, UseStats]:
    counts: dict[str, list[int]] = {}
    for use in uses:
        entry = counts.setdefault(use.script_id, [0, 0])
        entry[0] += 1
        entry[1] += use.id in credited
    return {key: UseStats(uses=value[0], credited=value[1]) for key, value in counts.items()}


def default_scope(situation: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Stages and grades a team script of this situation applies to unless told otherwise."""
    open_stages = tuple(stage for stage in ALL_STAGES if stage not in (WON, LOST))
    scopes: dict[str, tuple[str, ...]] = {
        "opening": ("new", "lead"),
        "follow_up": ("new", "lead", "valid", "qualified"),
        "qualifying": ("valid", "qualified", "needs"),
        "invitation": ("valid", "invited", "needs", "proposal"),
        "after_visit": ("visited", "proposal", "negotiation"),
        "closing": ("visited", "proposal", "negotiation"),
        "lost_reactivation": (LOST,),
        "referral": (WON,),
        "after_sale": (WON,),
    }
    return scopes.get(situation, open_stages), GRADES
