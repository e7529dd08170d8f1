"""/export and /import of leads (PRODUCT.md 8).

Export: CSV, UTF-8 with a BOM so spreadsheet programs read Chinese correctly, headers in the
person's language. Import: CSV or XLSX with Chinese or English headers; every row is checked,
duplicates (inside the team or earlier in the same file) are reported, good rows are stored in
the caller's single transaction and bad rows come back with their row number and reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db import rollups
from assistant.db.models import Lead, Person, Team
from assistant.domain import cadence, events, pipeline
from assistant.domain.capture import (
    NAME_LIMIT,
    clean_chat_id,
    normalize_phone,
    parse_amount,
)
from assistant.domain.cells import escape_formula
from assistant.domain.dates import DateParseError, parse_date
from assistant.domain.grading import GRADES, grade_for
from assistant.domain.messengers import LINE, WECHAT, WHATSAPP, messenger_of
from assistant.domain.sources import is_referral, known_source, source_key
from assistant.domain.working_slots import first_contact_time
from assistant.i18n import LOCALES, catalogue, source_label, t
from assistant.i18n.hant import to_simplified
from assistant.services import leads as svc
from assistant.services import permissions
from assistant.services.actor import Actor
from assistant.services.cadence_times import working_hours
from assistant.services.errors import UserError
from assistant.services.import_files import MAX_BYTES, MAX_CELL, MAX_ROWS, TIME_FORMAT, read_table

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "CheckedTable",
    "ImportResult",
    "RowRules",
    "check_table",
    "export_csv",
    "import_table",
    "read_table",
    "store_checked",
]

BOM: Final = "\ufeff"
COLUMNS: Final = (
    "number", "name", "phone", "chat_id", "messenger", "source", "event_date", "stage", "grade",
    "grade_manual", "strong_intent", "notes", "tags", "amount", "lost_reason", "next_followup",
    "created_at", "owner",
)  # fmt: skip
# Extra header spellings people use in their own sheets.
ALIASES: Final[dict[str, str]] = {
    "客户": "name", "客户姓名": "name", "名字": "name", "称呼": "name", "手机": "phone",
    "手机号": "phone", "电话号码": "phone", "渠道": "source",
    "婚期": "event_date", "活动日期": "event_date", "date": "event_date", "意向": "notes",
    "note": "notes", "mobile": "phone", "tel": "phone", "wechat id": "wechat",
    "follow-up": "next_followup", "created at": "created_at", "id": "number", "#": "number",
    # A column named after one app holds ids on that app, whatever the team's app is.
    "微信": "wechat", "微信号": "wechat", "wechat": "wechat", "line": "line", "line id": "line",
    "line账号": "line", "whatsapp": "whatsapp", "whatsapp号码": "whatsapp",
}  # fmt: skip
EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
CHAT_COLUMNS: Final = {"chat_id": None, "wechat": WECHAT, "line": LINE, "whatsapp": WHATSAPP}
_YES: Final = {"1", "yes", "y", "true", "是", "✓", "手动", "manual"}


def _header_map(header: list[str]) -> dict[int, str]:
    known: dict[str, str] = dict(ALIASES)
    for locale in LOCALES:
        names: dict[str, str] = catalogue(locale)["export_headers"]
        known.update({label.lower(): key for key, label in names.items()})
    known.update({key: key for key in COLUMNS})
    mapping: dict[int, str] = {}
    for index, cell in enumerate(header):
        label = cell.strip().lstrip(BOM).strip().lower()
        key = known.get(label) or known.get(to_simplified(label))  # 電話 is 电话
        if key is not None and key not in mapping.values():
            mapping[index] = key
    return mapping


# ---------------------------------------------------------------- export


def stage_label(stage: str, locale: str) -> str:
    """A stage as the person reads it (已成交, won); a key the catalogue lacks, as stored."""
    try:
        return t(locale, f"stages.{stage}")
    except KeyError:
        return stage


async def export_csv(session: AsyncSession, scope: Actor) -> tuple[bytes, int]:
    """The person's leads (managers: the team's) as CSV bytes, and how many rows."""
    zone = ZoneInfo(scope.person.timezone)
    locale = scope.person.locale
    labels: dict[str, str] = catalogue(locale)["export_headers"]
    yes: str = catalogue(locale)["export_yes"]
    owners = dict(
        (await session.exec(select(Person.id, Person.name).where(col(Person.id).is_not(None))))
        .all()
    ) if permissions.sees_all(scope.member) else {scope.person_id: scope.person.name}  # fmt: skip
    query = (
        select(Lead)
        .where(*permissions.lead_scope(scope.member), col(Lead.deleted_at).is_(None))
        .order_by(col(Lead.number))
    )
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(escape_formula(labels[key]) for key in COLUMNS)
    count = 0
    for lead in (await session.exec(query)).all():
        count += 1
        writer.writerow(
            escape_formula(str(value))
            for value in (
                lead.number,
                lead.name,
                lead.phone or "",
                lead.wechat or "",
                t(locale, f"messengers.{lead.messenger}") if lead.wechat else "",
                source_label(lead.source, locale),
                lead.event_date.isoformat() if lead.event_date else "",
                stage_label(lead.stage, locale),
                lead.grade,
                yes if lead.grade_manual else "",
                yes if lead.strong_intent else "",
                lead.intent or "",
                lead.tags or "",
                "" if lead.amount is None else f"{lead.amount:g}",
                lead.lost_reason or "",
                lead.next_followup_at.astimezone(zone).strftime(TIME_FORMAT)
                if lead.next_followup_at
                else "",
                lead.created_at.astimezone(zone).strftime(TIME_FORMAT),
                owners.get(lead.owner_id, "") if lead.owner_id else "",
            )
        )
    return out.getvalue().encode("utf-8"), count


# ---------------------------------------------------------------- import


@dataclass
class BadRow:
    row: int  # as the spreadsheet shows it: the header is row 1
    reason: str  # a key: missing_name, bad_phone, duplicate, ...
    value: str = ""


@dataclass
class ImportResult:
    stored: int = 0
    bad: list[BadRow] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return sum(1 for bad in self.bad if bad.reason == "duplicate")


@dataclass
class _Row:
    values: dict[str, Any]
    phone: str | None
    wechat: str | None


def _local_time(text: str, zone: ZoneInfo, latest: datetime) -> datetime | None:
    """A `2026-12-01 10:00` cell in the person's zone, if it is one between 1900 and `latest`
    (a year-9999 time would overflow once moved to UTC or given a follow-up)."""
    try:
        moment = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        return None
    if not EARLIEST <= moment <= latest:
        return None
    return moment


def _check_row(
    cells: dict[str, str], rules: RowRules, zone: ZoneInfo
) -> tuple[_Row | None, BadRow | None]:
    def bad(reason: str, value: str = "") -> tuple[None, BadRow]:
        return None, BadRow(0, reason, value[:40])

    if any(len(cell) > MAX_CELL for cell in cells.values()):
        return bad("cell_too_long", str(MAX_CELL))

    name = " ".join(cells.get("name", "").split())
    if not name:
        return bad("missing_name")
    if len(name) > NAME_LIMIT:
        return bad("name_too_long", name)
    phone = wechat = None
    region = rules.region
    if raw := cells.get("phone", "").strip():
        phone = normalize_phone(raw, region)
        if phone is None:
            return bad("bad_phone", raw)
    messenger = rules.messenger
    if raw := cells.get("messenger", "").strip():
        named = messenger_of(to_simplified(raw))
        if named is None:
            return bad("bad_messenger", raw)
        messenger = named
    for column, app in CHAT_COLUMNS.items():
        if raw := cells.get(column, "").strip():
            messenger = app or messenger
            wechat = clean_chat_id(raw, messenger, region)
            if wechat is None:
                return bad("bad_wechat", raw)
            break
    event_date = None
    if raw := cells.get("event_date", "").strip():
        try:
            event_date = parse_date(to_simplified(raw), rules.today)
        except DateParseError:
            return bad("bad_date", raw)
    stage = pipeline.first_stage(rules.pipeline)
    if raw := cells.get("stage", "").strip():
        found = svc.find_stage(rules.pipeline, to_simplified(raw))
        if found is None:
            return bad("bad_stage", raw)
        stage = found
    manual = cells.get("grade_manual", "").strip().lower() in _YES
    grade = cells.get("grade", "").strip().upper()
    if grade and grade not in GRADES:
        return bad("bad_grade", grade)
    if manual and not grade:
        return bad("bad_grade", "")
    amount = None
    if raw := cells.get("amount", "").strip():
        amount = parse_amount(to_simplified(raw))
        if amount is None:
            return bad("bad_amount", raw)
    followup = created = None
    if raw := cells.get("next_followup", "").strip():
        followup = _local_time(raw, zone, rules.now + svc.FOLLOWUP_HORIZON)
        if followup is None:
            return bad("bad_time", raw)
    if raw := cells.get("created_at", "").strip():
        created = _local_time(raw, zone, rules.now + timedelta(days=1))
        if created is None:
            return bad("bad_time", raw)
    texts = {"source": svc.SOURCE_LIMIT, "notes": svc.NOTE_LIMIT, "tags": svc.TAGS_LIMIT,
             "lost_reason": svc.REASON_LIMIT}  # fmt: skip
    for key, limit in texts.items():
        if len(cells.get(key, "")) > limit:
            return bad("too_long", key)
    typed_source = source_key(cells.get("source"))  # 轉介紹 is the key referral too
    source = source_key(to_simplified(typed_source)) if typed_source else None
    if source is not None and known_source(source) is None:
        source = typed_source
    strong = cells.get("strong_intent", "").strip().lower() in _YES or is_referral(source)
    auto = grade_for(event_date, rules.today, strong, rules.thresholds)
    values = {
        "name": name,
        "phone": phone,
        "wechat": wechat,
        "messenger": messenger,
        "source": source,
        "event_date": event_date,
        "intent": cells.get("notes", "").strip() or None,
        "tags": cells.get("tags", "").strip() or None,
        "stage": stage,
        "grade": grade if manual else auto.grade,
        "grade_manual": manual,
        "strong_intent": strong,
        "date_passed": auto.date_passed,
        "amount": amount,
        "lost_reason": cells.get("lost_reason", "").strip() or None,
        "next_followup_at": followup,
        "created_at": created,
        "phone_obtained": phone is not None,
        "wechat_added": wechat is not None,
    }
    return _Row(values, phone, wechat), None


async def _existing_keys(
    session: AsyncSession, scope: Actor
) -> tuple[dict[str, int], dict[str, int]]:
    """Phones and WeChat ids already in the team, with the lead number to name in the report
    (0 for a colleague's lead that a rep may not see)."""
    query = select(Lead.number, Lead.owner_id, Lead.phone, Lead.wechat).where(
        Lead.team_id == scope.team_id, col(Lead.deleted_at).is_(None)
    )
    phones: dict[str, int] = {}
    wechats: dict[str, int] = {}
    for number, owner_id, phone, wechat in (await session.exec(query)).all():
        shown = number if permissions.sees_lead_of(scope.member, owner_id) else 0
        if phone:
            phones.setdefault(phone, shown)
        if wechat:
            wechats.setdefault(wechat, shown)
    return phones, wechats


@dataclass(frozen=True)
class RowRules:
    """What checking a row depends on besides the row: read once, before the transaction."""

    pipeline: str
    timezone: str
    today: date
    thresholds: Any
    messenger: str  # the team's chat app: an id in a column that names no app is on it
    region: str  # where a number without +country is read
    now: datetime = field(compare=False)

    @classmethod
    def of(cls, scope: Actor, now: datetime) -> RowRules:
        return cls(
            scope.team.pipeline,
            scope.person.timezone,
            scope.today(now),
            scope.settings["grading"],
            scope.team.messenger,
            scope.team.phone_region,
            now,
        )


@dataclass
class CheckedTable:
    """A file's rows checked against the rules, before anything is read from the team."""

    table: list[list[str]]
    rules: RowRules
    good: list[tuple[int, _Row]] = field(default_factory=list)  # (row number, row)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.good) + len(self.bad)


def check_header(table: list[list[str]]) -> dict[int, str]:
    """The column of each known field; refuses an empty file or one without names."""
    if not table or not any(cell.strip() for cell in table[0]):
        raise UserError("import_empty")
    mapping = _header_map(table[0])
    if "name" not in mapping.values():
        raise UserError("import_no_name_column")
    if count_rows(table) > MAX_ROWS:
        raise UserError("import_too_many", limit=MAX_ROWS)
    return mapping


def count_rows(table: list[list[str]]) -> int:
    """The rows with something in them, the header not counted."""
    return sum(1 for row in table[1:] if row and any(cell.strip() for cell in row))


def check_table(
    table: list[list[str]],
    rules: RowRules,
    progress: Callable[[int], None] | None = None,
    every: int = 1_000,
) -> CheckedTable:
    """Every row checked on its own (no database: duplicates are found when storing).

    Pure CPU work, a second or more for a big file: callers run it in a worker thread.
    `progress` hears how many rows are done every `every` rows.
    """
    mapping = check_header(table)
    zone = ZoneInfo(rules.timezone)
    checked = CheckedTable(table, rules)
    for row_number, raw in enumerate(table[1:], start=2):
        if not raw or not any(cell.strip() for cell in raw):
            continue
        cells = {key: raw[index] for index, key in mapping.items() if index < len(raw)}
        row, problem = _check_row(cells, rules, zone)
        if problem is not None:
            problem.row = row_number
            checked.bad.append(problem)
        else:
            assert row is not None
            checked.good.append((row_number, row))
        if progress is not None and checked.rows % every == 0:
            progress(checked.rows)
    return checked


async def import_table(
    session: AsyncSession,
    scope: Actor,
    table: list[list[str]],
    now: datetime,
    *,
    pool: bool = False,
) -> ImportResult:
    """Check every row, store the good ones (in the caller's transaction), list the bad ones.

    With `pool`, the leads go to the team pool (no owner, no follow-up until someone owns them).
    """
    return await store_checked(
        session, scope, check_table(table, RowRules.of(scope, now)), now, pool=pool
    )


async def store_checked(
    session: AsyncSession,
    scope: Actor,
    checked: CheckedTable,
    now: datetime,
    *,
    pool: bool = False,
) -> ImportResult:
    """Store the checked rows that duplicate nothing in the team or earlier in the file.

    The only part of an import that needs the transaction: it reads the team's phones and
    WeChat ids and writes. Rows checked under other rules (the person changed team or zone
    since) are checked again first.
    """
    rules = RowRules.of(scope, now)
    if checked.rules != rules:
        checked = check_table(checked.table, rules)
    phones, wechats = await _existing_keys(session, scope)
    result = ImportResult(bad=list(checked.bad))
    good: list[_Row] = []
    for row_number, row in checked.good:
        duplicate = phones.get(row.phone) if row.phone else None
        if duplicate is None and row.wechat:
            duplicate = wechats.get(row.wechat)
        if duplicate is not None:
            result.bad.append(BadRow(row_number, "duplicate", str(duplicate) if duplicate else ""))
            continue
        marker = -row_number  # earlier rows of the same file: negative, "row N"
        if row.phone:
            phones[row.phone] = marker
        if row.wechat:
            wechats[row.wechat] = marker
        good.append(row)
    result.bad.sort(key=lambda bad: bad.row)
    if good:
        await _store(session, scope, good, now, pool=pool)
    result.stored = len(good)
    return result


async def _store(
    session: AsyncSession, scope: Actor, rows: list[_Row], now: datetime, *, pool: bool
) -> None:
    """Bulk insert: one number block for the team, one INSERT for leads, one for events."""
    team_id = scope.team_id
    owner_id = None if pool else scope.person_id
    last = (
        await session.exec(
            update(Team)
            .where(col(Team.id) == team_id)
            .values(next_lead_number=Team.next_lead_number + len(rows))
            .returning(col(Team.next_lead_number))
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    first = last - len(rows)
    hours = working_hours(scope.person)
    lead_rows: list[dict[str, Any]] = []
    for offset, row in enumerate(rows):
        values = dict(row.values)
        created = values.pop("created_at") or now
        typed = values["next_followup_at"] is not None  # a time in the file is the person's
        if pool:
            values["next_followup_at"] = None
        elif not typed and not pipeline.is_closed(values["stage"]):
            due = max(now, created) + cadence.FIRST_CONTACT
            values["next_followup_at"] = first_contact_time(due, hours)
        values["followup_manual"] = typed and not pool
        lead_rows.append(
            {
                **values,
                "team_id": team_id,
                "number": first + offset,
                "owner_id": owner_id,
                "created_at": created,
                "updated_at": now,
            }
        )
    lead_table = SQLModel.metadata.tables["lead"]  # Core inserts: no ORM bookkeeping per row
    inserted = await session.exec(
        insert(lead_table).returning(lead_table.c.id, lead_table.c.number), params=lead_rows
    )
    ids = {number: lead_id for lead_id, number in inserted.all()}
    event_rows: list[dict[str, Any]] = []
    for lead in lead_rows:
        base = {
            "lead_id": ids[lead["number"]],
            "team_id": team_id,
            "owner_id": owner_id,
            "actor_id": scope.person_id,
            "at": now,
            "from_value": None,
        }
        payload = {"source": lead["source"], "grade": lead["grade"], "imported": True}
        event_rows.append({**base, "kind": events.CREATED, "to_value": lead["stage"],
                           "payload": payload})  # fmt: skip
        if lead["phone_obtained"]:
            event_rows.append({**base, "kind": events.PHONE, "to_value": "1", "payload": {}})
        if lead["wechat_added"]:
            event_rows.append({**base, "kind": events.WECHAT, "to_value": "1", "payload": {}})
    await session.exec(insert(SQLModel.metadata.tables["leadevent"]), params=event_rows)
    await rollups.adding(session, event_rows, {scope.person_id: scope.person.timezone})
