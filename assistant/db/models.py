"""SQLModel tables. Every change to the schema goes through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    UniqueConstraint,
    event,
    false,
    literal_column,
    text,
)
from sqlmodel import Field

from assistant.db.table import Table
from assistant.db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class Person(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tg_user_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    name: str = Field(default="", max_length=128)
    # What client messages call the rep ("我是小陈"): Telegram's first name, or /name.
    rep_name: str | None = Field(default=None, max_length=20)
    username: str | None = Field(default=None, max_length=64)
    locale: str = Field(default="zh-Hans", max_length=8)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    work_minutes: int = 480
    work_days: str = Field(default="12345", max_length=7)  # ISO weekdays, Monday = 1
    quiet_start: str = Field(default="22:00", max_length=5)
    quiet_end: str = Field(default="08:00", max_length=5)
    morning_at: str = Field(default="09:00", max_length=5)
    evening_at: str = Field(default="20:00", max_length=5)
    digest_at: str = Field(default="09:30", max_length=5)
    morning_on: bool = True
    evening_on: bool = True
    digest_on: bool = True
    active_team_id: int | None = None  # no FK: person and team would reference each other
    reachable: bool = True  # False once Telegram says the bot is blocked or the chat is gone
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Team(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    pipeline: str = Field(default="store", max_length=16)
    # The clients' chat app (wechat | line | whatsapp) and the region phone numbers are read in.
    messenger: str = Field(
        default="wechat", max_length=16, sa_column_kwargs={"server_default": "wechat"}
    )
    phone_region: str = Field(default="CN", max_length=2, sa_column_kwargs={"server_default": "CN"})
    personal: bool = False
    owner_id: int = Field(foreign_key="person.id")
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    next_lead_number: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(Table, table=True):
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(default="rep", max_length=16)  # owner | manager | rep
    active: bool = True
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invite(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    code: str = Field(max_length=32, unique=True)
    created_by: int = Field(foreign_key="person.id")
    single_use: bool = False
    uses: int = 0
    expires_at: datetime | None = _ts()
    revoked_at: datetime | None = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def literal_name(name: str) -> Any:
    """One of our own names (a stage, an event kind) written into SQL as a quoted literal: a
    query must name a partial index's values itself for the database to use the index."""
    assert name.isidentifier(), name
    return literal_column(f"'{name}'")


# The leads ix_lead_open_followup holds.
OPEN_FOLLOWUP = (
    "deleted_at IS NULL AND stage NOT IN ('won', 'lost') AND next_followup_at IS NOT NULL"
)


class Lead(Table, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        # stage and deleted_at make it cover the overdue counts per owner (/team), whichever
        # of this and ix_lead_team_owner_open the planner's statistics favour.
        Index(
            "ix_lead_team_owner_followup",
            "team_id",
            "owner_id",
            "next_followup_at",
            "stage",
            "deleted_at",
        ),
        Index("ix_lead_team_phone", "team_id", "phone"),
        Index("ix_lead_team_wechat", "team_id", "wechat"),
        # Soft-deleted leads are few: counts exclude them through this small index instead of
        # joining every counted event to its lead.
        Index(
            "ix_lead_team_deleted",
            "team_id",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        # The open leads with a follow-up (/team's overdue counts): stage and deleted_at are
        # kept so the count reads the index alone. The query repeats this WHERE with literals
        # (neither database uses a partial index for a bound parameter's value).
        Index(
            "ix_lead_open_followup",
            "team_id",
            "owner_id",
            "next_followup_at",
            "stage",
            "deleted_at",
            sqlite_where=text(OPEN_FOLLOWUP),
            postgresql_where=text(OPEN_FOLLOWUP),
        ),
        # A person's open leads (/today, /leads, overdue counts) from the index alone (id for
        # PostgreSQL, which keeps no row id in an index).
        Index(
            "ix_lead_team_owner_open",
            "team_id",
            "owner_id",
            "deleted_at",
            "grade",
            "stage",
            "next_followup_at",
            "event_date",
            "number",
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    number: int  # short per-team id shown to people
    owner_id: int | None = Field(default=None, foreign_key="person.id")  # None: the team's pool
    name: str = Field(default="", max_length=128)
    phone: str | None = Field(default=None, max_length=32)
    wechat: str | None = Field(default=None, max_length=64)  # the chat id, on `messenger`
    messenger: str = Field(
        default="wechat", max_length=16, sa_column_kwargs={"server_default": "wechat"}
    )
    source: str | None = Field(default=None, max_length=64)
    event_date: date | None = None
    intent: str | None = Field(default=None, max_length=500)
    tags: str | None = Field(default=None, max_length=200)
    stage: str = Field(default="new", max_length=16)
    grade: str = Field(default="D", max_length=1)
    grade_manual: bool = False
    strong_intent: bool = False
    date_passed: bool = False
    phone_obtained: bool = False
    wechat_added: bool = False
    lost_reason: str | None = Field(default=None, max_length=200)
    amount: float | None = None
    next_followup_at: datetime | None = _ts()
    # The pending follow-up was set by hand (/fu, a button): stage moves keep it.
    followup_manual: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    last_contact_at: datetime | None = _ts()
    deleted_at: datetime | None = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_HISTORY_KINDS = "kind IN ('created', 'stage', 'grade')"
# A lead's events in time order, with what the history shows (id last: PostgreSQL keeps no row
# id in an index).
_HISTORY_COLUMNS = ("lead_id", "at", "kind", "from_value", "to_value", "grade", "id")


class LeadEvent(Table, table=True):
    __table_args__ = (
        # Covers the period counts and stage moves: read from the index alone.
        Index(
            "ix_leadevent_team_owner_kind_at",
            "team_id",
            "owner_id",
            "kind",
            "at",
            "lead_id",
            "grade",
            "from_value",
            "to_value",
            "id",  # PostgreSQL keeps no row id in an index
        ),
        # Also covers a lead's history (created, stage and grade moves) for the funnel.
        Index("ix_leadevent_lead_history", *_HISTORY_COLUMNS),
        # The same for the walk over the moved leads' history (analytics/moves.py), without the
        # contacts and notes between: a quarter of the events. Its query names the kinds as
        # literals, as a partial index needs on SQLite.
        Index(
            "ix_leadevent_history_kinds",
            *_HISTORY_COLUMNS,
            sqlite_where=text(_HISTORY_KINDS),
            postgresql_where=text(_HISTORY_KINDS),
        ),
        # The leaderboard's counts and follow-up history from the index alone.
        Index(
            "ix_leadevent_team_kind_at",
            "team_id",
            "kind",
            "at",
            "owner_id",
            "lead_id",
            "to_value",
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    team_id: int = Field(foreign_key="team.id")
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str = Field(max_length=24)  # created, contact, stage, grade, note, edit, ...
    from_value: str | None = Field(default=None, max_length=64)
    to_value: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # A copy of payload["grade"], filled in on insert (see below), so that the effort mix can
    # be counted from the index without decoding JSON.
    grade: str | None = Field(default=None, max_length=1)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def copy_grade(target: LeadEvent) -> None:
    """LeadEvent.grade from the payload; every way an event is inserted calls this."""
    grade = (target.payload or {}).get("grade")
    target.grade = grade if grade in ("A", "B", "C", "D") else None


@event.listens_for(LeadEvent, "before_insert")
def _copy_grade(mapper: Any, connection: Any, target: LeadEvent) -> None:
    copy_grade(target)


class LeadRollup(Table, table=True):
    """Counted lead events per owner and local day: a grouping of LeadEvent kept up with every
    write (assistant/db/rollups.py says what is in it, and how it is kept equal to the events)."""

    # SQLite: the rows are stored in key order (no separate key index to look rows up from), so
    # a person's month is one short range of the table.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (read once by the mapper)

    team_id: int = Field(primary_key=True)
    owner_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)  # the owner's local calendar day
    kind: str = Field(primary_key=True, max_length=24)
    grade: str = Field(default="", primary_key=True, max_length=1)  # "" when the event has none
    to_value: str = Field(default="", primary_key=True, max_length=64)  # stage and contact only
    count: int = 0
    cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class ProcessedUpdate(Table, table=True):
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeaderLease(Table, table=True):
    """Which process plans and sends pushes, and until when (see scheduling/leader.py)."""

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    since: datetime = Field(sa_type=UTCDateTime)  # when this holder took the lease


class ConversationState(Table, table=True):
    """A half-done multi-step flow (guided /add, import confirmation), kept across restarts."""

    __table_args__ = (UniqueConstraint("person_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Outbox(Table, table=True):
    """A message to push later. Rows, not in-memory jobs, so nothing is lost on restart."""

    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    dedupe_key: str = Field(max_length=200, unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16)  # pending sending sent dropped
    attempts: int = 0
    lease_until: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TeamScript(Table, table=True):
    """A script a team's manager wrote; it ranks together with the shipped library."""

    __table_args__ = (Index("ix_teamscript_team_locale", "team_id", "locale"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    locale: str = Field(default="zh-Hans", max_length=8)
    situation: str = Field(max_length=24)
    stages: str = Field(max_length=200)  # comma-separated stage keys
    grades: str = Field(default="A,B,C,D", max_length=16)  # comma-separated grades
    text: str = Field(max_length=1000)
    why: str = Field(default="", max_length=200)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = _ts()


class ScriptUse(Table, table=True):
    """A person said they sent a script (the "used it" button); stage moves credit it."""

    __table_args__ = (
        Index("ix_scriptuse_team_person_at", "team_id", "person_id", "used_at"),
        Index("ix_scriptuse_lead_at", "lead_id", "used_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    person_id: int = Field(foreign_key="person.id")
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    script_id: str = Field(max_length=48)
    locale: str = Field(default="zh-Hans", max_length=8)
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActivationBatch(Table, table=True):
    """One /activate batch (PRODUCT.md 5.4): its leads in order and each one's outcome."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    team_id: int = Field(foreign_key="team.id")
    lead_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    outcomes: dict[str, str] = Field(
        default_factory=dict, sa_type=JSON
    )  # lead id -> replied|silent
    rating: str | None = Field(default=None, max_length=8)  # good | pass | poor, once complete
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rated_at: datetime | None = _ts()


class GroupLink(Table, table=True):
    """A Telegram group bound to a team by /link; the team's leaderboard is posted there."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    team_id: int = Field(foreign_key="team.id", index=True)
    title: str = Field(default="", max_length=128)
    linked_by: int = Field(foreign_key="person.id")
    locale: str = Field(default="zh-Hans", max_length=8)  # language of scheduled posts
    timezone: str = Field(default="Asia/Shanghai", max_length=64)  # whose "today" the board uses
    active: bool = True  # False after /unlink or once the bot is removed from the group
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    unlinked_at: datetime | None = _ts()


class MarketingDay(Table, table=True):
    """A person's top-of-funnel figures for one local day (/numbers); None = not recorded."""

    __table_args__ = (UniqueConstraint("team_id", "person_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    person_id: int = Field(foreign_key="person.id")
    day: date
    impressions: int | None = None
    clicks: int | None = None
    visits: int | None = None
    consultations: int | None = None
    orders: int | None = None
    cost: float | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MonthlyGoal(Table, table=True):
    """A person's order target for one month (/goal); `month` is the month's first day."""

    __table_args__ = (UniqueConstraint("team_id", "person_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    person_id: int = Field(foreign_key="person.id")
    month: date
    orders: int
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SourceCost(Table, table=True):
    """What a person spent on one lead source (its key, see domain/sources.py) on one local day
    (`/numbers 抖音 花费 500`)."""

    __table_args__ = (UniqueConstraint("team_id", "person_id", "day", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    person_id: int = Field(foreign_key="person.id")
    day: date
    source: str = Field(max_length=64)
    cost: float
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Referral(Table, table=True):
    """A lead referred by a customer (a won lead of the same team): `/add … 介绍人:12`."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    lead_id: int = Field(foreign_key="lead.id", unique=True)
    customer_id: int = Field(foreign_key="lead.id", index=True)  # the referring customer's lead
    created_by: int | None = Field(default=None, foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerNote(Table, table=True):
    """After-sale facts about a customer (a won lead): satisfaction 1–5 and a note."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    satisfaction: int | None = None
    note: str = Field(default="", max_length=500)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebToken(Table, table=True):
    """A way into the Mini App outside Telegram: a one-time link (kind "link", 10 minutes,
    used once) or the browser session it turns into (kind "session"). Only a SHA-256 digest of
    the secret is stored, so a copy of the database opens nothing."""

    digest: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=8)
    person_id: int = Field(foreign_key="person.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
