"""A realistic store from a seed: people, teams, leads and their events, as rows to insert.

The benchmarks build 100,000 leads over two years with it (bench/dataset.py); `python bot.py
--demo` builds a month for a team of five (assistant/demo.py). The same seed and sizes give the
same rows, so a benchmark store is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from assistant.db import rollups
from assistant.domain import events as kinds
from assistant.domain.pipeline import stages

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
TITLES = ("女士", "先生", "小姐")
EN_FIRST = ("Emma", "Liam", "Olivia", "Noah", "Ava", "Mia", "Lucas", "Sophia", "Ethan", "Zoe")
EN_LAST = ("Smith", "Brown", "Taylor", "Wilson", "Chen", "Wong", "Lee", "Martin", "Clark")
SOURCES = (  # keys (assistant/domain/sources.py); referral twice, as 转介绍 and "referral" were
    "baidu", "douyin", "xiaohongshu", "referral", "walk_in", "referral", "meituan", "dianping",
)  # fmt: skip
GRADES = ("A", "B", "C", "D")
BATCH = 20_000

Namer = Callable[[random.Random], str]


@dataclass(frozen=True)
class Texts:
    """What the generated people wrote, in one language."""

    contact_note: str
    note: str
    lost_reason: str


CHINESE = Texts(contact_note="聊了方案", note="客户在比较两家", lost_reason="价格太高")
ENGLISH = Texts(
    contact_note="talked through the packages",
    note="comparing us with another studio",
    lost_reason="price too high",
)


def mixed_name(rng: random.Random) -> str:
    """Mostly Chinese names with a title, one in five English."""
    if rng.random() < 0.8:
        return chinese_name(rng)
    return english_name(rng)


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(TITLES)


def english_name(rng: random.Random) -> str:
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def people(
    rng: random.Random,
    count: int,
    *,
    teams: int,
    now: datetime,
    first_tg_user: int,
    name: Namer,
    locale: str | None = None,  # None: every fourth person English, the others Chinese
    timezone: str = "Asia/Shanghai",
) -> list[dict[str, Any]]:
    """Person rows with ids 1..count; person i works in team i % teams + 1."""
    return [
        {
            "id": i + 1,
            "tg_user_id": first_tg_user + i,
            "chat_id": first_tg_user + i,
            "name": name(rng),
            "username": f"rep{i}",
            "locale": locale or ("zh-Hans" if i % 4 else "en"),
            "timezone": timezone,
            "work_minutes": 480,
            "work_days": "12345",
            "quiet_start": "22:00",
            "quiet_end": "08:00",
            "morning_at": "09:00",
            "evening_at": "20:00",
            "digest_at": "09:30",
            "morning_on": True,
            "evening_on": True,
            "digest_on": True,
            "active_team_id": i % teams + 1,
            "reachable": True,
            "created_at": now,
        }
        for i in range(count)
    ]


def leads(
    rng: random.Random,
    count: int,
    *,
    members: int,
    teams: int,
    now: datetime,
    days: int,
    name: Namer,
    texts: Texts = CHINESE,
) -> tuple[list[dict[str, Any]], list[int]]:
    """Lead rows created over the last `days` days, dealt round-robin to the members, and how
    many each team holds (each team numbers its own leads from 1)."""
    per_team = [0] * teams
    rows: list[dict[str, Any]] = []
    order = stages("store")
    today = now.date()
    for number in range(count):
        member = number % members
        team = member % teams
        per_team[team] += 1
        created = now - timedelta(days=rng.randrange(days), minutes=rng.randrange(1440))
        stage = rng.choices([*order, "lost"], weights=[30, 25, 15, 12, 8, 10])[0]
        grade = rng.choice(GRADES)
        event_day = today + timedelta(days=rng.randrange(-60, 500))
        rows.append(
            {
                "id": number + 1,
                "team_id": team + 1,
                "number": per_team[team],
                "owner_id": member + 1,
                "name": name(rng),
                "phone": f"+86138{number:08d}",
                "wechat": f"wx{number}" if rng.random() < 0.6 else None,
                "source": rng.choice(SOURCES),
                "event_date": event_day,
                "intent": None,
                "tags": None,
                "stage": stage,
                "grade": grade,
                "grade_manual": False,
                "strong_intent": False,
                "date_passed": event_day < today,
                "phone_obtained": True,
                "wechat_added": rng.random() < 0.7,
                "lost_reason": texts.lost_reason if stage == "lost" else None,
                "amount": 8800.0 if stage == "won" else None,
                "next_followup_at": now + timedelta(hours=rng.randrange(-72, 240)),
                "last_contact_at": created + timedelta(days=rng.randrange(30)),
                "deleted_at": None,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows, per_team


def team_rows(per_team: list[int], now: datetime, names: list[str]) -> list[dict[str, Any]]:
    """Team t is owned by person t (ids from 1), the store pipeline, default settings."""
    return [
        {
            "id": t + 1,
            "name": names[t],
            "pipeline": "store",
            "personal": False,
            "owner_id": t + 1,
            "settings": {},
            "next_lead_number": count + 1,
            "created_at": now,
        }
        for t, count in enumerate(per_team)
    ]


def membership_rows(members: int, teams: int, now: datetime) -> list[dict[str, Any]]:
    """The first person of each team owns it; everyone else is a rep."""
    return [
        {
            "team_id": m % teams + 1,
            "person_id": m + 1,
            "role": "owner" if m < teams else "rep",
            "active": True,
            "joined_at": now,
        }
        for m in range(members)
    ]


def _payload(kind: str, lead: dict[str, Any], texts: Texts) -> dict[str, Any]:
    if kind == kinds.CONTACT:
        return {"grade": lead["grade"], "note": texts.contact_note}
    if kind == kinds.CREATED:
        return {"source": lead["source"], "grade": lead["grade"]}
    if kind == kinds.STAGE and lead["stage"] == "won":
        return {"amount": lead["amount"]}
    if kind == kinds.STAGE and lead["stage"] == "lost":
        return {"reason": lead["lost_reason"]}
    if kind == kinds.NOTE:
        return {"note": texts.note}
    return {}


def event_rows(
    rng: random.Random,
    lead_rows: list[dict[str, Any]],
    count: int,
    *,
    now: datetime,
    texts: Texts = CHINESE,
) -> Iterator[dict[str, Any]]:
    """`count` events: every lead's "created" first, then contacts, stage moves and notes on
    the leads in turn, each within 60 days of its lead's creation and never after `now`."""
    order = stages("store")
    for index in range(count):
        lead = lead_rows[index % len(lead_rows)]
        # Capping at `now` instead piled every late event of the newest leads onto one instant.
        span = min(timedelta(days=60), now - lead["created_at"])
        at = lead["created_at"] + span * rng.random()
        kind = (
            kinds.CREATED
            if index < len(lead_rows)
            else rng.choice((kinds.CONTACT, kinds.CONTACT, kinds.CONTACT, kinds.STAGE, kinds.NOTE))
        )
        yield event(lead, kind, at if kind != kinds.CREATED else lead["created_at"], order, texts)


def event(
    lead: dict[str, Any], kind: str, at: datetime, order: Sequence[str], texts: Texts = CHINESE
) -> dict[str, Any]:
    """One event row, as assistant/domain/events.py describes it: created -> first stage, a
    stage move from the first stage to the lead's stage."""
    payload = _payload(kind, lead, texts)
    to_value = {kinds.CREATED: order[0], kinds.STAGE: lead["stage"]}.get(kind)
    if kind in (kinds.PHONE, kinds.WECHAT):
        to_value = "1"
    return {
        "lead_id": lead["id"],
        "team_id": lead["team_id"],
        "owner_id": lead["owner_id"],
        "actor_id": lead["owner_id"],
        "kind": kind,
        "from_value": order[0] if kind == kinds.STAGE else None,
        "to_value": to_value,
        "payload": payload,
        "grade": payload.get("grade"),  # what LeadEvent's insert hook copies
        "at": at,
    }


async def rebuild_rollups(engine: AsyncEngine) -> None:
    """The day counts of events inserted here (they skip the ORM hook that keeps them up),
    computed from the events in the database, as migration 0018 does."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: rollups.rebuild(sync))


async def insert_rows(engine: AsyncEngine, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        async with engine.begin() as connection:
            await connection.execute(insert(table), rows[start : start + BATCH])
    if rows and "id" in rows[0] and engine.dialect.name == "postgresql":
        await _advance_id_sequence(engine, table)


async def _advance_id_sequence(engine: AsyncEngine, table: Any) -> None:
    """Rows inserted with their own ids leave PostgreSQL's sequence behind them, so the next
    row the bot adds would take an id already used (SQLite takes max(id) + 1 by itself)."""
    statement = select(
        func.setval(
            func.pg_get_serial_sequence(table.name, "id"),
            select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery(),
            False,
        )
    )
    async with engine.begin() as connection:
        await connection.execute(statement)
