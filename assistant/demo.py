"""`python bot.py --demo`: console mode on a throw-away store holding a month of a team of five.

The store is built by assistant/sample_data.py (the benchmarks' generator) at a small size, in
the console's language, then made believable: grades follow the event dates, deals have their
own amounts, phone and WeChat are recorded when obtained, every lead past its first stage has
its stage move, a few leads came in today and each member has a goal for this month. The
console person is the team's owner. The database lives in a temporary folder removed on exit.
"""

from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from assistant import sample_data
from assistant.config import Settings
from assistant.console import CONSOLE_USER_ID, console_locale, run_console
from assistant.db.migrate import upgrade_to_head
from assistant.db.models import Lead, LeadEvent, Membership, MonthlyGoal, Person, Team
from assistant.db.session import make_engine
from assistant.domain import events as kinds
from assistant.domain.cadence import after_contact
from assistant.domain.grading import grade_for
from assistant.domain.pipeline import stages
from assistant.i18n import t
from assistant.i18n.hant import converter
from assistant.sample_data import Texts

MEMBERS = 5
LEADS = 240  # about 1.6 new leads a working day per member
EVENTS = 2_000
DAYS = 30
TODAY_LEADS = 2 * MEMBERS  # leads that came in today, so "today" and "this month" never are empty
SEED = 15
FIRST_TG_USER = 900_000  # the other members; the owner is the console person
CLOSE_STAGES = ("invited", "visited", "won")
AMOUNTS = (5_800.0, 6_800.0, 8_800.0, 9_800.0, 12_800.0, 16_800.0, 19_800.0)
MEMBER_NAMES = {
    "zh-Hans": ("陈静", "王磊", "李娜", "张伟", "刘洋"),
    "en": ("Grace Lin", "Daniel Wu", "Amy Chen", "Ben Carter", "Chloe Zhao"),
}
TEAM_NAMES = {"zh-Hans": "星光婚纱摄影", "en": "Starlight Bridal"}


def _believable(rng: random.Random, leads: list[dict[str, Any]], now: datetime, zone: str) -> None:
    """Grades from dates, varied deal amounts, no contact in the future, some leads today."""
    local_now = now.astimezone(ZoneInfo(zone))
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    for index, lead in enumerate(leads):
        if index < TODAY_LEADS:
            lead["created_at"] = (midnight + (local_now - midnight) * rng.random()).astimezone(UTC)
        created = lead["created_at"]
        lead["updated_at"] = created
        lead["last_contact_at"] = min(lead["last_contact_at"], now)
        if lead["last_contact_at"] < created:
            lead["last_contact_at"] = None
        if lead["stage"] in CLOSE_STAGES and rng.random() < 0.6:  # near dates move faster
            lead["event_date"] = local_now.date() + timedelta(days=rng.randrange(20, 90))
        graded = grade_for(lead["event_date"], local_now.date(), False)
        lead["grade"], lead["date_passed"] = graded.grade, graded.date_passed
        if lead["stage"] == "won":
            lead["amount"] = rng.choice(AMOUNTS)
        if lead["stage"] == "lost":
            lead["next_followup_at"] = None


def _completed(
    rng: random.Random, leads: list[dict[str, Any]], events: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The generator's events made whole: one stage move per lead that left its first stage,
    phone and WeChat when obtained, and after each contact the follow-up the cadence sets."""
    order = stages("store")
    kept: list[dict[str, Any]] = []
    moved: set[int] = set()
    for row in sorted(events, key=lambda row: row["at"]):
        if row["kind"] == kinds.STAGE:
            if row["lead_id"] in moved:
                continue  # the generator may move a lead to its stage more than once
            moved.add(row["lead_id"])
        kept.append(row)
        if row["kind"] == kinds.CONTACT:
            due = after_contact(row["at"], row["grade"])
            kept.append(
                {**row, "kind": kinds.FOLLOWUP, "to_value": due.isoformat(),
                 "payload": {"reason": "cadence"}, "grade": None}
            )  # fmt: skip
    for lead in leads:
        created = lead["created_at"]
        kept.append(sample_data.event(lead, kinds.PHONE, created, order))
        if lead["wechat_added"]:
            at = min(now, created + timedelta(hours=24 * rng.random()))
            kept.append(sample_data.event(lead, kinds.WECHAT, at, order))
        if lead["stage"] != order[0] and lead["id"] not in moved:
            at = created + min(timedelta(days=20), now - created) * rng.random()
            kept.append(sample_data.event(lead, kinds.STAGE, at, order))
    return kept


async def fill(url: str, *, locale: str, zone: str, now: datetime, seed: int = SEED) -> str:
    """Build the demo store at `url` (an empty database); returns the team's name."""
    rng = random.Random(seed)
    # Traditional Chinese: the simplified names and words, converted as the templates are.
    written = converter("s2twp").convert if locale == "zh-Hant" else str
    base = "en" if locale == "en" else "zh-Hans"
    texts = sample_data.ENGLISH if base == "en" else sample_data.CHINESE
    texts = Texts(*(written(text) for text in astuple(texts)))
    pick = sample_data.english_name if base == "en" else sample_data.chinese_name

    def client(rng: random.Random) -> str:
        return written(pick(rng))

    member_names = iter(written(name) for name in MEMBER_NAMES[base])
    people = sample_data.people(
        rng, MEMBERS, teams=1, now=now, first_tg_user=FIRST_TG_USER,
        name=lambda _: next(member_names), locale=locale, timezone=zone,
    )  # fmt: skip
    people[0]["tg_user_id"] = people[0]["chat_id"] = CONSOLE_USER_ID
    for person in people:  # scripts say "我是陈静", "Grace here"
        person["rep_name"] = person["name"].split()[0]
    for person in people[1:]:
        person["chat_id"] = None  # nobody else is at this terminal
    leads, per_team = sample_data.leads(
        rng, LEADS, members=MEMBERS, teams=1, now=now, days=DAYS, name=client, texts=texts
    )
    _believable(rng, leads, now, zone)
    leads.sort(key=lambda lead: lead["created_at"])  # numbers in the order leads came in
    for number, lead in enumerate(leads, start=1):
        lead["id"] = lead["number"] = number
    generated = list(sample_data.event_rows(rng, leads, EVENTS, now=now, texts=texts))
    events = _completed(rng, leads, generated, now)
    month = now.astimezone(ZoneInfo(zone)).date().replace(day=1)
    goals = [
        {"team_id": 1, "person_id": person["id"], "month": month,
         "orders": rng.randint(6, 12), "set_at": now}
        for person in people
    ]  # fmt: skip
    team_name = written(TEAM_NAMES[base])
    engine = make_engine(url)
    try:
        await upgrade_to_head(engine)
        for table, rows in (
            (Person, people),
            (Team, sample_data.team_rows(per_team, now, [team_name])),
            (Membership, sample_data.membership_rows(MEMBERS, 1, now)),
            (Lead, leads),
            (LeadEvent, events),
            (MonthlyGoal, goals),
        ):
            await sample_data.insert_rows(engine, table.__table__, rows)  # type: ignore[union-attr]
        await sample_data.rebuild_rollups(engine)
    finally:
        await engine.dispose()
    return team_name


def _demo_clock() -> datetime:
    # Not the system_clock object itself: install_jobs then leaves the planner and sender out,
    # and the demo pushes nothing (its reminders would be about people who are not here).
    return datetime.now(UTC)


async def run_demo(
    settings: Settings, stream: TextIO = sys.stdin, output: TextIO = sys.stdout
) -> None:
    locale = console_locale(settings)
    with tempfile.TemporaryDirectory(prefix="sales-assistant-demo-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        team = await fill(url, locale=locale, zone=settings.default_timezone, now=_demo_clock())
        demo = settings.model_copy(update={"database_url": url})
        intro = t(locale, "console.demo", team=team)
        await run_console(demo, stream, output, clock=_demo_clock, intro=intro)
