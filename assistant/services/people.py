"""People: profiles, personal teams, languages, time zones and personal settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import sqlite_thread
from assistant.db.models import Membership, Person, Team
from assistant.domain import preferences
from assistant.domain.invisible import visible_words
from assistant.domain.rep_names import (
    REP_NAME_LIMIT,
    RepNameError,
    parse_rep_name,
    rep_name_from_telegram,
)
from assistant.domain.timezones import resolve_timezone
from assistant.i18n import catalogue, normalize_locale, parse_locale_choice
from assistant.services.errors import UserError
from assistant.services.teams import remember_membership, remember_team_count

NAME_LIMIT = 128


@dataclass(frozen=True)
class Profile:
    """Who sent an update, as Telegram tells it."""

    tg_user_id: int
    chat_id: int | None
    name: str
    username: str | None
    language_code: str | None
    first_name: str | None = None  # None: no name is known (the console's person)


_TEAMS_OF_SENDER: Final = (
    select(func.count())
    .where(col(Membership.person_id) == Person.id, col(Membership.active).is_(True))
    .correlate(Person)
    .scalar_subquery()
)


def _with_active_team(query: Any) -> Any:
    """`query` (which selects Person) joined to the person's active team and their membership
    there: both NULL for someone in no team."""
    return query.outerjoin(Team, col(Team.id) == Person.active_team_id).outerjoin(
        Membership,
        and_(
            col(Membership.team_id) == Person.active_team_id,
            col(Membership.person_id) == Person.id,
        ),
    )


# The sender with the team they work in, their membership there and how many teams they are
# in: one statement, not four.
_SENDER: Final = _with_active_team(select(Person, Team, Membership, _TEAMS_OF_SENDER)).where(
    Person.tg_user_id == bindparam("tg_user_id")
)


def sender_with(claim: Any) -> Any:
    """The sender's statement read from a one-row `claim` (a CTE): the same columns after the
    claim's own, every sender column NULL when the person is new, no row when `claim` has none.
    PostgreSQL runs the claim and the look-up in one statement (services/uow.py)."""
    return _with_active_team(
        select(*claim.c, Person, Team, Membership, _TEAMS_OF_SENDER)  # type: ignore[call-overload]
        .select_from(claim)
        .outerjoin(Person, Person.tg_user_id == bindparam("tg_user_id"))
    )


def remember_sender(
    session: AsyncSession, person: Person, team: Team | None, member: Membership | None, count: int
) -> Person:
    """The sender's row read: their active team and membership are then in the session too."""
    if team is not None and member is not None:
        remember_membership(session, team, member)
    remember_team_count(session, person, count)
    return person


def prefetch_sender(connection: Any, tg_user_id: int) -> None:
    """SQLite: the sender's look-up (`find_person`) runs in the same trip to the database thread
    as the connection's next statement, the update claim (db/sqlite_thread.py); its rows then
    answer `find_person` without a trip of its own. Nothing on PostgreSQL."""
    sqlite_thread.prefetch(connection, _SENDER, {"tg_user_id": tg_user_id})


async def find_person(session: AsyncSession, *, tg_user_id: int) -> Person | None:
    """The person; their active team and membership are then in the session too."""
    row = (await session.exec(_SENDER, params={"tg_user_id": tg_user_id})).first()
    if row is None:
        return None
    return remember_sender(session, *row)


async def ensure_person(
    session: AsyncSession,
    *,
    profile: Profile,
    default_timezone: str,
    default_locale: str,
    now: datetime,
) -> tuple[Person, bool]:
    """The sender's profile, created with a personal team on first contact."""
    person = await find_person(session, tg_user_id=profile.tg_user_id)
    return await settle_person(
        session, person, profile=profile, default_timezone=default_timezone,
        default_locale=default_locale, now=now,
    )  # fmt: skip


async def settle_person(
    session: AsyncSession,
    person: Person | None,
    *,
    profile: Profile,
    default_timezone: str,
    default_locale: str,
    now: datetime,
) -> tuple[Person, bool]:
    """`person` (as found) brought up to date with the profile, or created with a personal
    team when None (first contact); True when created."""
    if person is not None:
        # Stored before rep names existed (or a name unfit for a script): try again. A name
        # still unfit leaves the row untouched (not dirty, so no flush work every update).
        if (
            person.rep_name is None
            and profile.first_name
            and (rep_name := rep_name_from_telegram(profile.first_name)) is not None
        ):
            person.rep_name = rep_name
        if profile.chat_id is not None:
            # Writing in private again means the chat works: a person who had blocked the bot
            # (or whose chat was gone) is reachable once more, at their current chat.
            if person.chat_id != profile.chat_id:
                person.chat_id = profile.chat_id
            if not person.reachable:
                person.reachable = True
        return person, False
    person = Person(
        tg_user_id=profile.tg_user_id,
        chat_id=profile.chat_id,
        name=display_name(profile)[:NAME_LIMIT],
        rep_name=rep_name_from_telegram(profile.first_name),
        username=profile.username,
        locale=normalize_locale(profile.language_code, default_locale),
        timezone=default_timezone,
        created_at=now,
    )
    session.add(person)
    await session.flush()
    assert person.id is not None
    team = Team(name=person.name[:64] or "me", personal=True, owner_id=person.id, created_at=now)
    session.add(team)
    await session.flush()
    assert team.id is not None
    session.add(Membership(team_id=team.id, person_id=person.id, role="owner", joined_at=now))
    person.active_team_id = team.id
    return person, True


def display_name(profile: Profile) -> str:
    """The Telegram name as others see it in the team; one made only of invisible characters
    gives way to the @username (Telegram lets nobody's name be empty, so this is the exception)."""
    return visible_words(profile.name) or (f"@{profile.username}" if profile.username else "—")


def set_rep_name(person: Person, text: str) -> str:
    """/name 小陈: the name client messages call the person by from now on."""
    try:
        person.rep_name = parse_rep_name(text)
    except RepNameError as error:
        raise UserError(f"bad_rep_name_{error.reason}", given=text, limit=REP_NAME_LIMIT) from None
    return person.rep_name


def signature(person: Person) -> str:
    """How the person's client messages name them: their rep name, else a neutral word."""
    words: dict[str, str] = catalogue(person.locale)["script_words"]
    return person.rep_name or words["rep"]


def set_locale(person: Person, choice: str) -> str:
    locale = parse_locale_choice(choice)
    if locale is None:
        raise UserError("bad_language", given=choice)
    person.locale = locale
    return locale


def set_timezone(person: Person, text: str) -> str:
    zone = resolve_timezone(text)
    if zone is None:
        raise UserError("bad_timezone", given=text)
    person.timezone = zone
    return zone


SETTING_NAMES = {
    "minutes": "minutes", "分钟": "minutes", "时长": "minutes",
    "days": "days", "工作日": "days",
    "quiet": "quiet", "免打扰": "quiet",
    "morning": "morning", "早报": "morning",
    "evening": "evening", "晚报": "evening", "复盘": "evening", "检讨": "evening",
    "digest": "digest", "日报": "digest",
}  # fmt: skip
_PUSHES = {"morning": ("morning_on", "morning_at"), "evening": ("evening_on", "evening_at"),
           "digest": ("digest_on", "digest_at")}  # fmt: skip
_OFF = {"off", "关", "关闭"}
_ON = {"on", "开", "开启", "打开"}


def change_setting(person: Person, name: str, value: str) -> str:
    """Apply `/settings <name> <value>`; returns the canonical setting name changed."""
    setting = SETTING_NAMES.get(name.strip().lower())
    if setting is None:
        raise UserError("bad_setting_name", given=name)
    try:
        if setting == "minutes":
            person.work_minutes = preferences.parse_work_minutes(value)
        elif setting == "days":
            person.work_days = preferences.parse_work_days(value)
        elif setting == "quiet":
            quiet = preferences.parse_quiet_hours(value)
            person.quiet_start, person.quiet_end = quiet.start, quiet.end
        else:
            enabled_field, time_field = _PUSHES[setting]
            lowered = value.strip().lower()
            if lowered in _OFF:
                setattr(person, enabled_field, False)
            elif lowered in _ON:
                setattr(person, enabled_field, True)
            else:
                setattr(person, time_field, preferences.parse_clock(value))
                setattr(person, enabled_field, True)
    except preferences.PreferenceError:
        raise UserError(f"bad_setting_{setting}", given=value) from None
    return setting
