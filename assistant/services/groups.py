"""Group chats bound to a team: /link, /unlink, the leaderboard, and the bot leaving a group.

What reaches a group is about people, never clients: the leaderboard view carries member names
and counts only; lead names, phones and WeChat ids are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlalchemy import union_all
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import (
    GroupLink,
    Lead,
    LeadEvent,
    LeadRollup,
    Membership,
    Outbox,
    Person,
    Team,
)
from assistant.domain import events, leaderboard
from assistant.domain.leaderboard import WEIGHTS
from assistant.domain.localtime import local_day_bounds, local_today
from assistant.render import formats
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.teams import membership

PERIOD_WORDS = {
    "day": "day", "today": "day", "今天": "day", "今日": "day", "日": "day",
    "week": "week", "本周": "week", "周": "week",
    "month": "month", "本月": "month", "月": "month",
    "last_week": "last_week", "上周": "last_week",
}  # fmt: skip
COUNTED_KINDS = (events.CONTACT, events.STAGE)  # what earns points by itself
DUE_KINDS = (events.CONTACT, events.FOLLOWUP, events.ASSIGNED)  # what makes and settles dues
_EVENT: Any = LeadEvent.__table__  # type: ignore[attr-defined]
_ROLLUP: Any = LeadRollup.__table__  # type: ignore[attr-defined]
_LEAD: Any = Lead.__table__  # type: ignore[attr-defined]


async def group_link(session: AsyncSession, chat_id: int) -> GroupLink | None:
    return (await session.exec(select(GroupLink).where(GroupLink.chat_id == chat_id))).first()


async def link_group(
    session: AsyncSession, actor: Actor, *, chat_id: int, title: str, now: datetime
) -> tuple[Team, GroupLink]:
    """Bind this group to the manager's active team (re-linking replaces an older binding)."""
    team, member, person = actor.team, actor.member, actor.person
    if team.personal:
        raise UserError("link_needs_team")
    permissions.require_manager(member)
    assert team.id is not None and person.id is not None
    link = await group_link(session, chat_id)
    if link is not None and link.active and link.team_id != team.id:
        current = await membership(session, team_id=link.team_id, person_id=person.id)
        if current is None or not permissions.is_manager(current):
            raise UserError("group_linked_elsewhere")
    if link is None:
        link = GroupLink(chat_id=chat_id, team_id=team.id, linked_by=person.id)
        session.add(link)
    link.team_id = team.id
    link.linked_by = person.id
    link.title = title[:128]
    link.locale = person.locale
    link.timezone = person.timezone
    link.active = True
    link.linked_at = now
    link.unlinked_at = None
    await session.flush()
    return team, link


async def _linked_team(session: AsyncSession, chat_id: int) -> tuple[GroupLink, Team] | None:
    link = await group_link(session, chat_id)
    if link is None or not link.active:
        return None
    team = await session.get(Team, link.team_id)
    return (link, team) if team is not None else None


async def unlink_group(
    session: AsyncSession, *, person: Person, chat_id: int, now: datetime
) -> Team:
    """Only a manager of the team the group is linked to may unlink it."""
    found = await _linked_team(session, chat_id)
    if found is None:
        raise UserError("group_not_linked")
    link, team = found
    member = await membership(session, team_id=team.id or 0, person_id=person.id or 0)
    if member is None or not permissions.is_manager(member):
        raise UserError("not_manager")
    link.active = False
    link.unlinked_at = now
    return team


async def follow_migration(
    session: AsyncSession, *, old_chat_id: int, new_chat_id: int, now: datetime
) -> bool:
    """A group upgraded to a supergroup gets a new chat id: its link and its planned posts move
    there. Telegram says so twice (migrate_to_chat_id in the old chat, migrate_from_chat_id in
    the new one), in either order, so a second call finds nothing left to move."""
    link = await group_link(session, old_chat_id)
    if link is None:
        return False
    if await group_link(session, new_chat_id) is not None:  # the supergroup was linked itself
        link.active = False
        link.unlinked_at = now
        return False
    link.chat_id = new_chat_id
    rows = await session.exec(select(Outbox).where(Outbox.chat_id == old_chat_id))
    for row in rows.all():  # group posts are keyed "<kind>:<chat id>:<day>" (group_posts.py)
        row.chat_id = new_chat_id
        row.dedupe_key = row.dedupe_key.replace(f":{old_chat_id}:", f":{new_chat_id}:")
    return True


async def bot_left(session: AsyncSession, *, chat_id: int, now: datetime) -> bool:
    """The bot was removed from the group: the link goes inactive so nothing is posted there."""
    link = await group_link(session, chat_id)
    if link is None or not link.active:
        return False
    link.active = False
    link.unlinked_at = now
    return True


def parse_period(words: list[str]) -> str:
    if not words:
        return "day"
    period = PERIOD_WORDS.get(words[0].strip().casefold())
    if period is None:
        raise UserError("bad_leaderboard_period", given=words[0])
    return period


@dataclass(frozen=True)
class BoardLine:
    rank: int
    name: str
    points: int
    contacts: int
    on_time: int
    visits: int
    deals: int
    streak: int


@dataclass(frozen=True)
class BoardView:
    team: str
    period: str
    start: datetime
    end: datetime
    lines: list[BoardLine]
    zone: str


async def _members(session: AsyncSession, team_id: int) -> dict[int, tuple[str, str]]:
    """Active members: name and time zone."""
    rows = await session.exec(
        select(Person.id, Person.name, Person.timezone)
        .join(Membership, col(Membership.person_id) == Person.id)
        .where(Membership.team_id == team_id, col(Membership.active))
    )
    return {
        person_id: (name, zone) for person_id, name, zone in rows.all() if person_id is not None
    }


def _event_tally(team_id: int, *conditions: Any) -> Any:
    event = _EVENT.c
    return (
        sa_select(event.owner_id, event.kind, event.to_value, func.count())
        .where(event.team_id == team_id, event.kind.in_(COUNTED_KINDS), *conditions)
        .group_by(event.owner_id, event.kind, event.to_value)
    )


async def _tallies(
    session: AsyncSession,
    *,
    team_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: str,
    zones: dict[int, str],
) -> list[leaderboard.Tally]:
    """The period's contacts and stage moves per owner, counted by the database.

    The board's whole past days are read from LeadRollup for the members whose zone is the
    board's (their rows are keyed in it), with the events of their soft-deleted leads added
    back (the rollup leaves those out; the board never did). Today (events up to `now`) and
    members in other zones are counted from the events, as everything was before.
    """
    event = _EVENT.c
    first = local_today(start, zone)
    rolled_last = min(local_today(end - timedelta(microseconds=1), zone),
                      local_today(now, zone) - timedelta(days=1))  # fmt: skip
    same = sorted(member for member, theirs in zones.items() if theirs == zone)
    period = (event.at >= start, event.at < end, event.at <= now)
    connection = await session.connection()
    if not same or rolled_last < first:
        rows = await connection.execute(_event_tally(team_id, *period))
        return [leaderboard.Tally(*row) for row in rows.all()]
    boundary = local_day_bounds(rolled_last + timedelta(days=1), zone)[0]
    rollup = _ROLLUP.c
    rolled = await connection.execute(
        sa_select(rollup.owner_id, rollup.kind, rollup.to_value, func.sum(rollup.count))
        .where(
            rollup.team_id == team_id,
            rollup.owner_id.in_(same),
            rollup.day >= first,
            rollup.day <= rolled_last,
            rollup.kind.in_(COUNTED_KINDS),
        )
        .group_by(rollup.owner_id, rollup.kind, rollup.to_value)
    )
    tallies = [leaderboard.Tally(owner, kind, value, int(count or 0))
               for owner, kind, value, count in rolled.all()]  # fmt: skip
    deleted = sa_select(_LEAD.c.id).where(
        _LEAD.c.team_id == team_id, _LEAD.c.deleted_at.is_not(None)
    )
    parts = [
        _event_tally(team_id, event.at >= boundary, *period),
        _event_tally(team_id, event.owner_id.in_(same), event.lead_id.in_(deleted),
                     event.at >= start, event.at < boundary),
    ]  # fmt: skip
    others = sorted(set(zones) - set(same))
    if others:
        parts.append(
            _event_tally(team_id, event.owner_id.in_(others), event.at >= start,
                         event.at < boundary)
        )  # fmt: skip
    rows = await connection.execute(union_all(*parts))
    return tallies + [leaderboard.Tally(*row) for row in rows.all()]


async def _followup_facts(
    session: AsyncSession, *, team_id: int, since: datetime, now: datetime
) -> list[leaderboard.Fact]:
    """The history of the leads that had a follow-up set since `since`: all dues come from it."""
    window = (LeadEvent.team_id == team_id, LeadEvent.at >= since, LeadEvent.at <= now)
    followed = select(LeadEvent.lead_id).where(*window, LeadEvent.kind == events.FOLLOWUP)
    rows = await session.exec(
        select(  # type: ignore[call-overload]
            LeadEvent.lead_id,
            LeadEvent.owner_id,
            LeadEvent.kind,
            LeadEvent.at,
            LeadEvent.to_value,
        )
        .where(*window, col(LeadEvent.kind).in_(DUE_KINDS), col(LeadEvent.lead_id).in_(followed))
        .order_by(col(LeadEvent.at), col(LeadEvent.id))
    )
    return [leaderboard.Fact(*row) for row in rows.all()]


async def team_board(
    session: AsyncSession, *, team: Team, period: str, now: datetime, zone: str
) -> BoardView:
    """The team's leaderboard: active members only, from the event log."""
    assert team.id is not None
    members = await _members(session, team.id)
    names = {member: name for member, (name, _) in members.items()}
    start, end = leaderboard.period_bounds(period, now, zone)
    since = leaderboard.facts_since(period, now, zone)
    tallies = await _tallies(
        session, team_id=team.id, start=start, end=end, now=now, zone=zone,
        zones={member: theirs for member, (_, theirs) in members.items()},
    )  # fmt: skip
    facts = await _followup_facts(session, team_id=team.id, since=since, now=now)
    board = leaderboard.rank_tallied(
        list(names), tallies, facts, pipeline=team.pipeline, period=period, now=now, zone=zone
    )
    lines = [
        BoardLine(
            row.rank,
            names[row.member_id],
            row.points,
            row.contacts,
            row.on_time,
            row.visits,
            row.deals,
            row.streak,
        )
        for row in board.rows
    ]
    return BoardView(team.name, period, board.start, board.end, lines, zone)


async def group_board(
    session: AsyncSession, *, chat_id: int, period: str, now: datetime
) -> tuple[GroupLink, BoardView] | None:
    """The leaderboard of the team linked to this group, or None when no active link."""
    found = await _linked_team(session, chat_id)
    if found is None:
        return None
    link, team = found
    return link, await team_board(session, team=team, period=period, now=now, zone=link.timezone)


async def private_board(
    session: AsyncSession, actor: Actor, *, period: str, now: datetime
) -> BoardView:
    return await team_board(
        session, team=actor.team, period=period, now=now, zone=actor.person.timezone
    )


async def active_links(session: AsyncSession) -> list[GroupLink]:
    """Every group that should get scheduled posts."""
    return list((await session.exec(select(GroupLink).where(col(GroupLink.active)))).all())


def board_context(view: BoardView) -> dict[str, Any]:
    """What the leaderboard template shows of a board."""
    zone = ZoneInfo(view.zone)
    first = view.start.astimezone(zone).date()
    last = (view.end - timedelta(microseconds=1)).astimezone(zone).date()
    return {
        "team": view.team,
        "period": view.period,
        "first": formats.month_day(first),
        "last": formats.month_day(last),
        "lines": view.lines,
        "weights": WEIGHTS,
    }
