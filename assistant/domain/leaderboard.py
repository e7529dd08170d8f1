"""The group leaderboard (PRODUCT.md 7): points from the lead event log, and streaks.

Pure: no I/O; time comes in as arguments. Only people are ranked, never clients: the input
carries member ids and event facts, no lead names, phones or WeChat ids.

Points are a weighted mix, defined here as data:

| what                | counted from                                                   | points |
| ------------------- | -------------------------------------------------------------- | ------ |
| on-time follow-up   | a contact that answered a due follow-up by the end of its day  | 3      |
|                     | (once per lead and local day)                                  |        |
| contact             | a "contact" event, once per lead and local day                 | 1      |
| visit               | a "stage" event into the pipeline's visit stage                | 5      |
| deal                | a "stage" event into "won"                                     | 10     |

A due follow-up comes from a "followup" event (its to_value is the due time). The next
"contact" on that lead answers it; it is on time when that contact is no later than the end of
the due day in the team's time zone. A follow-up rescheduled before its day ended (a new
"followup" event) is replaced, not missed. An "assigned" event passes open follow-ups to the new
owner.

Streak: days in a row, counting back from today, on which every due follow-up was done on time.
Days with no follow-up due neither break nor extend a streak; today counts only once all of
today's follow-ups are done, and never breaks the streak while the day is still running.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from assistant.domain import events
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.domain.pipeline import WON

WEIGHTS: Final[dict[str, int]] = {"on_time": 3, "contact": 1, "visit": 5, "deal": 10}
VISIT_STAGE: Final[dict[str, str]] = {"store": "visited", "b2b": "needs"}
PERIODS: Final = ("day", "week", "month", "last_week")
STREAK_LOOKBACK_DAYS: Final = 60


@dataclass(frozen=True)
class Fact:
    """One lead event, reduced to what the leaderboard needs (no client details)."""

    lead_id: int
    owner_id: int | None
    kind: str
    at: datetime
    to_value: str | None = None


@dataclass
class Due:
    lead_id: int
    member_id: int | None
    due_at: datetime
    set_at: datetime
    done_at: datetime | None = None


@dataclass
class Row:
    member_id: int
    contacts: int = 0
    on_time: int = 0
    visits: int = 0
    deals: int = 0
    streak: int = 0
    rank: int = 0

    @property
    def points(self) -> int:
        return (
            WEIGHTS["contact"] * self.contacts
            + WEIGHTS["on_time"] * self.on_time
            + WEIGHTS["visit"] * self.visits
            + WEIGHTS["deal"] * self.deals
        )


@dataclass(frozen=True)
class Board:
    start: datetime
    end: datetime
    rows: list[Row] = field(default_factory=list)


def period_bounds(period: str, now: datetime, zone: str) -> tuple[datetime, datetime]:
    """[start, end) of today, this week (from Monday), this month, or last week, local time."""
    today = local_today(now, zone)
    if period == "day":
        first, last = today, today
    elif period == "week":
        first, last = today - timedelta(days=today.weekday()), today
    elif period == "month":
        first, last = today.replace(day=1), today
    elif period == "last_week":
        last = today - timedelta(days=today.weekday() + 1)
        first = last - timedelta(days=6)
    else:
        raise ValueError(f"unknown period {period!r}")
    start, _ = local_day_bounds(first, zone)
    _, end = local_day_bounds(last, zone)
    return start, end


def _parse_due(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _day_end(moment: datetime, zone: str) -> datetime:
    return local_day_bounds(local_today(moment, zone), zone)[1]


def due_followups(facts: Iterable[Fact], zone: str) -> list[Due]:
    """Every due follow-up with when (if ever) a contact answered it."""
    by_lead: dict[int, list[Fact]] = {}
    for fact in facts:
        by_lead.setdefault(fact.lead_id, []).append(fact)
    dues: list[Due] = []
    for lead_id, lead_facts in by_lead.items():
        open_due: Due | None = None
        for fact in sorted(lead_facts, key=lambda item: item.at):
            if fact.kind == events.CONTACT:
                if open_due is not None and open_due.done_at is None:
                    open_due.done_at = fact.at
                    open_due = None
            elif fact.kind == events.FOLLOWUP:
                due_at = _parse_due(fact.to_value)
                replaced = open_due is not None and open_due.done_at is None
                if replaced and open_due and fact.at < _day_end(open_due.due_at, zone):
                    # Rescheduled in time: replaced, not missed. The open due is always the
                    # last one appended (list.remove() here made long histories quadratic).
                    assert dues[-1] is open_due
                    dues.pop()
                open_due = None
                if due_at is not None:
                    open_due = Due(lead_id, fact.owner_id, due_at, fact.at)
                    dues.append(open_due)
            elif fact.kind == events.ASSIGNED and open_due is not None:
                open_due.member_id = int(fact.to_value) if fact.to_value else None
    return dues


def on_time(due: Due, zone: str) -> bool:
    return due.done_at is not None and due.done_at < _day_end(due.due_at, zone)


def streak(dues: Sequence[Due], now: datetime, zone: str) -> int:
    """Days in a row (back from today) with every due follow-up done on time."""
    today = local_today(now, zone)
    by_day: dict[date, list[Due]] = {}
    for due in dues:
        by_day.setdefault(local_today(due.due_at, zone), []).append(due)
    count = 0
    for back in range(STREAK_LOOKBACK_DAYS + 1):
        day = today - timedelta(days=back)
        day_dues = by_day.get(day)
        if not day_dues:
            continue
        all_done = all(on_time(due, zone) for due in day_dues)
        if day == today and not all_done:
            continue  # today is not over yet
        if not all_done:
            break
        count += 1
    return count


@dataclass(frozen=True)
class Tally:
    """How many of the period's events one owner has of one kind and to_value."""

    owner_id: int | None
    kind: str
    to_value: str | None
    count: int


def rank(
    member_ids: Sequence[int],
    facts: Sequence[Fact],
    *,
    pipeline: str,
    period: str,
    now: datetime,
    zone: str,
) -> Board:
    """Rank the given members only; facts about anyone else are ignored."""
    start, end = period_bounds(period, now, zone)
    tallies = [Tally(f.owner_id, f.kind, f.to_value, 1) for f in facts if start <= f.at < end]
    return rank_tallied(
        member_ids, tallies, facts, pipeline=pipeline, period=period, now=now, zone=zone
    )


def rank_tallied(
    member_ids: Sequence[int],
    tallies: Iterable[Tally],
    followup_facts: Sequence[Fact],
    *,
    pipeline: str,
    period: str,
    now: datetime,
    zone: str,
) -> Board:
    """rank() with the period's events already counted, as a database can count them.

    `tallies` count the events inside the period; `followup_facts` are the facts since
    facts_since() of at least every lead that had a "followup" event then (facts of other
    leads are ignored: without a follow-up they cannot make one due).
    """
    start, end = period_bounds(period, now, zone)
    rows = {member_id: Row(member_id) for member_id in member_ids}
    visit_stage = VISIT_STAGE.get(pipeline, VISIT_STAGE["store"])
    for tally in tallies:
        row = rows.get(tally.owner_id) if tally.owner_id is not None else None
        if row is None:
            continue
        if tally.kind == events.CONTACT and tally.to_value != events.CONTACT_AGAIN:
            row.contacts += tally.count
        elif tally.kind == events.STAGE and tally.to_value == visit_stage:
            row.visits += tally.count
        elif tally.kind == events.STAGE and tally.to_value == WON:
            row.deals += tally.count
    dues_of: dict[int | None, list[Due]] = {}
    for due in due_followups(followup_facts, zone):
        dues_of.setdefault(due.member_id, []).append(due)
    streak_now = min(now, end - timedelta(microseconds=1))
    for member_id, row in rows.items():
        mine = dues_of.get(member_id, [])
        row.on_time = len(
            {  # one per lead and local day, however often its follow-up is moved and met
                (due.lead_id, local_today(due.done_at, zone))
                for due in mine
                if on_time(due, zone) and due.done_at is not None and start <= due.done_at < end
            }
        )
        row.streak = streak(mine, streak_now, zone)
    ordered = sorted(
        rows.values(),
        key=lambda r: (-r.points, -r.deals, -r.visits, -r.on_time, -r.contacts, r.member_id),
    )
    previous: int | None = None
    for index, row in enumerate(ordered, start=1):
        row.rank = index if row.points != previous else ordered[index - 2].rank
        previous = row.points
    return Board(start, end, ordered)


def facts_since(period: str, now: datetime, zone: str) -> datetime:
    """How far back the event log must be read for this period and its streaks."""
    start, _ = period_bounds(period, now, zone)
    return min(start, now - timedelta(days=STREAK_LOOKBACK_DAYS + 30))
