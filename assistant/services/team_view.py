"""/team: one line per member with their numbers, rates against targets, overdue follow-ups and
pace to goal (PRODUCT.md 7), and the manager digest's table built from the same rows.

Counting is analytics' (counts_by_owner, paces_for): a fixed number of grouped queries for the
whole team, not a round of queries per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Membership, Person, Team, literal_name
from assistant.domain import funnel
from assistant.domain.leaderboard import VISIT_STAGE
from assistant.domain.localtime import local_today
from assistant.domain.periods import Period, PeriodError, parse_period
from assistant.domain.pipeline import LOST, WON
from assistant.domain.team_settings import effective
from assistant.services import analytics, permissions
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.teams import Member, find_member

SORTS = ("deals", "visits", "contacts", "leads", "overdue", "pace", "name")
DEFAULT_SORT = "deals"
SORT_WORDS = {
    "deals": "deals", "deal": "deals", "won": "deals", "成交": "deals", "签单": "deals",
    "visits": "visits", "visit": "visits", "到店": "visits", "进店": "visits",
    "contacts": "contacts", "contact": "contacts", "跟进": "contacts", "联系": "contacts",
    "leads": "leads", "lead": "leads", "线索": "leads", "新线索": "leads",
    "overdue": "overdue", "逾期": "overdue", "超时": "overdue",
    "pace": "pace", "goal": "pace", "进度": "pace", "目标": "pace",
    "name": "name", "名字": "name", "姓名": "name",
}  # fmt: skip
# The stage that counts as "visits" per pipeline, as on the leaderboard.
MEETING_STAGE = VISIT_STAGE
# The rates shown on each member's line (all of them are in the drill-down /summary).
KEY_RATES = {"store": ("valid_rate", "valid_to_visit", "visit_deal"), "b2b": ("a_conversion",)}
# A line's rates need the leads' earlier history only for A-lead conversion (b2b's key rate).
NEEDS_HISTORY = {"store": False, "b2b": True}
LONG_OVERDUE = timedelta(days=3)
PERIOD_KINDS = frozenset(
    ("today", "yesterday", "week", "last_week", "month", "last_month", "day", "range", "month_of")
)


@dataclass(frozen=True)
class Overdue:
    total: int = 0
    long: int = 0  # 3 or more days overdue


@dataclass(frozen=True)
class MemberRow:
    member: Member
    counts: funnel.PeriodCounts
    checks: list[funnel.RateCheck]
    overdue: Overdue
    pace: funnel.Pace | None


@dataclass(frozen=True)
class TeamTable:
    team: Team
    period: Period
    rows: list[MemberRow]
    sort: str


def parse_sort(word: str) -> str | None:
    return SORT_WORDS.get(word.strip().casefold())


async def overdue_by_owner(
    session: AsyncSession, *, team_id: int, person_ids: list[int], now: datetime
) -> dict[int, Overdue]:
    """Open leads whose follow-up time has passed, per owner, and how many by 3+ days."""
    if not person_ids:
        return {}
    connection = await session.connection()
    bound = {
        "team_id": team_id,
        "owners": sorted(set(person_ids)),
        "now": now,
        "long_before": now - LONG_OVERDUE,
    }
    found: dict[int, list[int]] = {}
    for long, owner, count in await connection.execute(_overdue_statement(), bound):
        both = found.setdefault(int(owner), [0, 0])
        both[0] += int(count)
        if long:
            both[1] += int(count)
    return {owner: Overdue(total, longer) for owner, (total, longer) in found.items()}


@cache
def _overdue_statement() -> Any:
    """Per owner, the open leads due 3+ days ago and those due since, counted from
    ix_lead_open_followup alone: two ranges of the index counted as they are, not every row
    compared with the 3-day mark (a busy team has tens of thousands overdue). Its WHERE is
    repeated with literal stages, or neither database would use the partial index."""
    followup = col(Lead.next_followup_at)

    def counted(long: bool, *due: Any) -> Any:
        return (
            sa_select(literal(long), col(Lead.owner_id), func.count())
            .where(
                col(Lead.team_id) == bindparam("team_id"),
                col(Lead.owner_id).in_(bindparam("owners", expanding=True)),
                col(Lead.deleted_at).is_(None),
                col(Lead.stage).not_in([literal_name(WON), literal_name(LOST)]),
                followup.is_not(None),
                *due,
            )
            .group_by(col(Lead.owner_id))
        )

    return union_all(
        counted(True, followup <= bindparam("long_before")),
        counted(False, followup > bindparam("long_before"), followup <= bindparam("now")),
    )


async def table_for(
    session: AsyncSession,
    *,
    team: Team,
    members: Sequence[Member],
    period: Period,
    now: datetime,
    sort: str = DEFAULT_SORT,
) -> TeamTable:
    """Every member's line for a local period. Each member is counted in their own calendar,
    so a line matches what that member's own /summary shows for the same dates."""
    assert team.id is not None
    people = [member.person for member in members if member.person.id is not None]
    counts: dict[int, funnel.PeriodCounts] = {}
    by_zone: dict[str, list[int]] = {}
    for person in people:
        by_zone.setdefault(person.timezone, []).append(person.id or 0)
    for zone, ids in by_zone.items():
        start, end = analytics.utc_bounds(period, zone)
        by_owner = await analytics.counts_by_owner(
            session,
            team=team,
            person_ids=ids,
            start=start,
            end=end,
            grades=False,
            history=NEEDS_HISTORY.get(team.pipeline, True),
            days=(period.start, period.end),  # each member's rows are keyed in their zone
            contacted=False,  # a line does not show leads contacted
        )
        counts.update(by_owner)
    ids = [person.id or 0 for person in people]
    overdue = await overdue_by_owner(session, team_id=team.id, person_ids=ids, now=now)
    paces = await analytics.paces_for(session, team=team, people=people, now=now)
    targets = effective(team.settings)["targets"]
    rows = []
    for member in members:
        pid = member.person.id or 0
        found = counts.get(pid, funnel.PeriodCounts(team.pipeline))
        rows.append(
            MemberRow(
                member,
                found,
                funnel.rate_checks(found, targets),
                overdue.get(pid, Overdue()),
                paces.get(pid),
            )
        )
    return TeamTable(team, period, sort_rows(rows, sort, team.pipeline), sort)


def _value(row: MemberRow, sort: str, pipeline: str) -> float:
    counts = row.counts
    if sort == "deals":
        return counts.won
    if sort == "visits":
        return counts.count(MEETING_STAGE.get(pipeline, "visited"))
    if sort == "contacts":
        return counts.contacts
    if sort == "leads":
        return counts.created
    if sort == "overdue":
        return row.overdue.total
    if sort == "pace":
        return -1.0 if row.pace is None else (row.pace.progress or 0.0)
    return 0.0


def sort_rows(rows: list[MemberRow], sort: str, pipeline: str) -> list[MemberRow]:
    """Highest first (most overdue first for 'overdue'); ties and 'name' by name."""
    if sort == "name":
        return sorted(rows, key=lambda row: (row.member.person.name.casefold(), row.member.number))
    return sorted(
        rows,
        key=lambda row: (
            -_value(row, sort, pipeline),
            row.member.person.name.casefold(),
            row.member.number,
        ),
    )


# --------------------------------------------------------------------------- view models


def pace_line(pace: funnel.Pace | None) -> dict[str, Any] | None:
    if pace is None:
        return None
    return {
        "done": pace.done,
        "target": pace.target,
        "progress": funnel.format_percent(pace.progress, 0),
        "behind": pace.done < pace.expected,
        "behind_percent": funnel.format_number(round(pace.behind_percent)),
        "per_day": funnel.format_number(
            None if pace.per_day_needed is None else round(pace.per_day_needed, 1)
        ),
        "remaining_days": pace.remaining_days,
    }


def row_view(row: MemberRow, pipeline: str) -> dict[str, Any]:
    counts = row.counts
    keys = KEY_RATES.get(pipeline, KEY_RATES["store"])
    return {
        "number": row.member.number,
        "person_id": row.member.person.id,
        "name": row.member.person.name,
        "role": row.member.role,
        "leads": counts.created,
        "contacts": counts.contacts,
        "visits": counts.count(MEETING_STAGE.get(pipeline, "visited")),
        "deals": counts.won,
        "rates": [
            {
                "key": check.key,
                "value": funnel.format_percent(check.value, 0),
                "status": check.status,
            }
            for check in row.checks
            if check.key in keys
        ],
        "overdue": row.overdue.total,
        "overdue_long": row.overdue.long,
        "pace": pace_line(row.pace),
    }


def table_view(table: TeamTable) -> dict[str, Any]:
    pipeline = table.team.pipeline
    rows = [row_view(row, pipeline) for row in table.rows]
    return {
        "team": table.team.name,
        "pipeline": pipeline,
        "messenger": table.team.messenger,
        "meeting": MEETING_STAGE.get(pipeline, "visited"),
        "period": analytics.period_view(table.period),
        "sort": table.sort,
        "rows": rows,
        "totals": {
            key: sum(row[key] for row in rows)
            for key in ("leads", "contacts", "visits", "deals", "overdue")
        },
    }


# --------------------------------------------------------------------------- /team


@dataclass(frozen=True)
class TeamRequest:
    period: Period
    sort: str
    member_ref: str | None = None


def parse_team_args(args: Sequence[str], today: date) -> TeamRequest:
    """`[period] [sort]` or `<member> [period]`: `/team week deals`, `/team 2 month`."""
    words = list(args)
    sort = DEFAULT_SORT
    if words and parse_sort(words[-1]) is not None and len(words) <= 3:
        found = parse_sort(words[-1])
        assert found is not None
        try:
            period = parse_period(" ".join(words[:-1]), today)
            return TeamRequest(period, found)
        except PeriodError:
            pass
    try:
        return TeamRequest(parse_period(" ".join(words), today), sort)
    except PeriodError:
        pass
    try:
        period = parse_period(" ".join(words[1:]), today)
    except PeriodError:
        raise UserError("team_usage", given=" ".join(words)) from None
    return TeamRequest(period, sort, words[0])


async def members_of(session: AsyncSession, team_id: int) -> list[Member]:
    """Active members numbered as /members numbers them (joining order), without the lead
    counts /members shows: the team table counts what it needs itself."""
    rows = await session.exec(_members_statement(), params={"team_id": team_id})
    return [
        Member(number, membership, person)
        for number, (membership, person) in enumerate(rows.all(), start=1)
    ]


@cache
def _members_statement() -> Any:
    """Built once: building the select and its cache key on every call cost more than
    loading a team's members."""
    return (
        select(Membership, Person)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(col(Membership.team_id) == bindparam("team_id"), col(Membership.active))
        .order_by(col(Membership.joined_at), col(Membership.id))
    )


async def _managed_team(session: AsyncSession, actor: Actor) -> tuple[Team, list[Member]]:
    team, member = actor.team, actor.member
    if not permissions.is_manager(member):
        raise UserError("team_managers_only")
    if team.personal:
        raise UserError("team_needs_team")
    assert team.id is not None
    return team, await members_of(session, team.id)


async def team_table(
    session: AsyncSession, actor: Actor, *, period: Period, sort: str, now: datetime
) -> TeamTable:
    team, members = await _managed_team(session, actor)
    return await table_for(session, team=team, members=members, period=period, now=now, sort=sort)


async def member_summary(
    session: AsyncSession,
    actor: Actor,
    *,
    period: Period,
    now: datetime,
    ref: str | None = None,
    person_id: int | None = None,
) -> dict[str, Any]:
    """One member's /summary, for a manager of their team (by reference or, from a button,
    by id). Someone who is not an active member of the manager's team is "not found"."""
    team, members = await _managed_team(session, actor)
    if ref is not None:
        chosen = find_member(members, ref, me=actor.person)
    else:
        matches = [m for m in members if m.person.id == person_id]
        if not matches:
            raise UserError("member_not_found", given=str(person_id or ""))
        chosen = matches[0]
    member = Actor(chosen.person, team, chosen.membership)  # their numbers in this team
    view = await analytics.summary(session, member, period=period, now=now)
    return {**view, "member": chosen.person.name}


def period_arg(period: Period) -> tuple[str, str, str]:
    """A period as short button arguments."""
    return period.kind, period.start.strftime("%Y%m%d"), period.end.strftime("%Y%m%d")


def period_from_args(kind: str, start: str, end: str) -> Period:
    try:
        first = datetime.strptime(start, "%Y%m%d").date()
        last = datetime.strptime(end, "%Y%m%d").date()
    except ValueError:
        raise UserError("bad_button") from None
    if kind not in PERIOD_KINDS or last < first or (last - first).days > 400:
        raise UserError("bad_button")
    return Period(kind, first, last)


def today_of(person: Person, now: datetime) -> date:
    return local_today(now, person.timezone)
