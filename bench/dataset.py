"""A realistic store, reproducible from a seed: teams, members, leads and their events.

python -m bench.dataset --url sqlite+aiosqlite:///bench.db --leads 100000 --events 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from assistant.db.migrate import upgrade_to_head
from assistant.db.models import Lead, LeadEvent, Membership, Person, Team
from assistant.db.session import make_engine
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
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FIRST_TG_USER = 500_000


@dataclass(frozen=True)
class Dataset:
    teams: int
    members: int
    leads: int
    events: int

    def member_tg_id(self, index: int) -> int:
        return FIRST_TG_USER + index

    def lead_numbers(self, index: int) -> range:
        """The per-team lead numbers member `index` owns: leads are dealt round-robin to the
        members, and each team numbers its own leads in that order."""
        per_team = self.members // self.teams
        return range(index // self.teams + 1, self.leads // self.teams + 1, per_team)


def _name(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return rng.choice(SURNAMES) + rng.choice(TITLES)
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def _payload(kind: str, lead: dict[str, Any]) -> dict[str, Any]:
    if kind == kinds.CONTACT:
        return {"grade": lead["grade"], "note": "聊了方案"}
    if kind == kinds.CREATED:
        return {"source": lead["source"], "grade": lead["grade"]}
    if kind == kinds.STAGE and lead["stage"] == "won":
        return {"amount": lead["amount"]}
    if kind == kinds.STAGE and lead["stage"] == "lost":
        return {"reason": lead["lost_reason"]}
    if kind == kinds.NOTE:
        return {"note": "客户在比较两家"}
    return {}


async def _insert(engine: AsyncEngine, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        async with engine.begin() as connection:
            await connection.execute(insert(table), rows[start : start + BATCH])


async def generate(
    url: str, *, leads: int, events: int, teams: int = 5, members: int = 50, seed: int = 1
) -> Dataset:
    rng = random.Random(seed)
    engine = make_engine(url)
    await upgrade_to_head(engine)
    people = [
        {
            "id": i + 1,
            "tg_user_id": FIRST_TG_USER + i,
            "chat_id": FIRST_TG_USER + i,
            "name": _name(rng),
            "username": f"rep{i}",
            "locale": "zh-Hans" if i % 4 else "en",
            "timezone": "Asia/Shanghai",
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
            "created_at": NOW,
        }
        for i in range(members)
    ]
    await _insert(engine, Person.__table__, people)
    per_team_leads = [0] * teams
    lead_rows: list[dict[str, Any]] = []
    order = stages("store")
    for number in range(leads):
        member = number % members
        team = member % teams
        per_team_leads[team] += 1
        created = NOW - timedelta(days=rng.randrange(730), minutes=rng.randrange(1440))
        stage = rng.choices([*order, "lost"], weights=[30, 25, 15, 12, 8, 10])[0]
        grade = rng.choice(GRADES)
        event_day = date(2026, 11, 25) + timedelta(days=rng.randrange(-60, 500))
        lead_rows.append(
            {
                "id": number + 1,
                "team_id": team + 1,
                "number": per_team_leads[team],
                "owner_id": member + 1,
                "name": _name(rng),
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
                "date_passed": event_day < date(2026, 11, 25),
                "phone_obtained": True,
                "wechat_added": rng.random() < 0.7,
                "lost_reason": "价格太高" if stage == "lost" else None,
                "amount": 8800.0 if stage == "won" else None,
                "next_followup_at": NOW + timedelta(hours=rng.randrange(-72, 240)),
                "last_contact_at": created + timedelta(days=rng.randrange(30)),
                "deleted_at": None,
                "created_at": created,
                "updated_at": created,
            }
        )
    team_rows = [
        {
            "id": t + 1,
            "name": f"Team {t + 1}",
            "pipeline": "store",
            "personal": False,
            "owner_id": t + 1,
            "settings": {},
            "next_lead_number": per_team_leads[t] + 1,
            "created_at": NOW,
        }
        for t in range(teams)
    ]
    await _insert(engine, Team.__table__, team_rows)
    memberships = [
        {
            "team_id": m % teams + 1,
            "person_id": m + 1,
            "role": "owner" if m < teams else "rep",
            "active": True,
            "joined_at": NOW,
        }
        for m in range(members)
    ]
    await _insert(engine, Membership.__table__, memberships)
    await _insert(engine, Lead.__table__, lead_rows)
    del per_team_leads
    event_rows: list[dict[str, Any]] = []
    for index in range(events):
        lead = lead_rows[index % leads]
        # Within 60 days of the lead's creation and never after NOW (capping instead piled
        # every late event of the newest leads onto one instant).
        span = min(timedelta(days=60), NOW - lead["created_at"])
        at = lead["created_at"] + span * rng.random()
        kind = (
            kinds.CREATED
            if index < leads
            else rng.choice((kinds.CONTACT, kinds.CONTACT, kinds.CONTACT, kinds.STAGE, kinds.NOTE))
        )
        payload = _payload(kind, lead)
        event_rows.append(
            {
                "lead_id": lead["id"],
                "team_id": lead["team_id"],
                "owner_id": lead["owner_id"],
                "actor_id": lead["owner_id"],
                "kind": kind,
                # Follow assistant/domain/events.py: created -> first stage, stage from -> to.
                "from_value": order[0] if kind == kinds.STAGE else None,
                "to_value": (
                    order[0]
                    if kind == kinds.CREATED
                    else lead["stage"]
                    if kind == kinds.STAGE
                    else None
                ),
                "payload": payload,
                "grade": payload.get("grade"),  # what LeadEvent's insert hook copies
                "at": at if kind != kinds.CREATED else lead["created_at"],
            }
        )
        if len(event_rows) >= BATCH:
            await _insert(engine, LeadEvent.__table__, event_rows)
            event_rows = []
    await _insert(engine, LeadEvent.__table__, event_rows)
    # Planner statistics, as a database that has been in use has them (PostgreSQL's autovacuum
    # would gather them some time after a bulk load; SQLite keeps them from ANALYZE).
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return Dataset(teams=teams, members=members, leads=leads, events=events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="sqlite+aiosqlite:///bench.db")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    asyncio.run(generate(args.url, leads=args.leads, events=args.events, seed=args.seed))
    print(
        f"generated {args.leads} leads and {args.events} events in "
        f"{time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
