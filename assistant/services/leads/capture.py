"""Capturing a lead: free text to a draft, validation, a fresh per-team number, and saving."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, false, or_, update
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, LeadEvent, Team
from assistant.domain import cadence, events, pipeline
from assistant.domain.capture import (
    NAME_LIMIT,
    TEXT_LIMIT,
    LeadDraft,
    parse_capture,
)
from assistant.domain.grading import grade_for
from assistant.domain.invisible import visible_words
from assistant.domain.messengers import WECHAT
from assistant.i18n.hant import as_typed
from assistant.services import cadence_times
from assistant.services.actor import Actor
from assistant.services.errors import UserError
from assistant.services.leads.events import _event, _followup_event, _new_contact_facts
from assistant.services.leads.queries import duplicates_of
from assistant.services.leads.words import NOTE_LIMIT, SOURCE_LIMIT, typed_source

# ---------------------------------------------------------------- capture


def validate_draft(draft: LeadDraft) -> None:
    if draft.bad_phone:
        raise UserError("bad_phone", given=draft.bad_phone[:40])
    if draft.bad_wechat:
        raise UserError(
            "bad_wechat", given=draft.bad_wechat[:40], messenger=draft.messenger or WECHAT
        )
    for problem in draft.problems:
        if problem.startswith("date:"):
            raise UserError("bad_date", given=problem[5:45])
    draft.name = visible_words(draft.name)
    if not draft.name:
        raise UserError("name_missing")
    if len(draft.name) > NAME_LIMIT:
        raise UserError("name_too_long", limit=NAME_LIMIT)
    if draft.source and len(draft.source) > SOURCE_LIMIT:
        raise UserError("text_too_long", limit=SOURCE_LIMIT)
    if draft.notes and len(draft.notes) > NOTE_LIMIT:
        raise UserError("text_too_long", limit=NOTE_LIMIT)


def capture(text: str, scope: Actor, now: datetime, *, name_first: bool = True) -> LeadDraft:
    """A lead draft from one line read as simplified; its name, notes and an unknown source
    are kept in the characters they were typed in."""
    draft = parse_capture(
        text, scope.today(now), name_first=name_first, region=scope.team.phone_region
    )
    draft.name = as_typed(draft.name)
    if draft.notes:
        draft.notes = as_typed(draft.notes)
    draft.source = typed_source(draft.source)
    if draft.unread_date:
        draft.unread_date = as_typed(draft.unread_date)
    return draft


def draft_from_text(text: str, scope: Actor, now: datetime) -> LeadDraft:
    if len(text) > TEXT_LIMIT:
        raise UserError("text_too_long", limit=TEXT_LIMIT)
    draft = capture(text, scope, now)
    validate_draft(draft)
    return draft


@dataclass
class Saved:
    lead: Lead
    duplicates: list[Lead] = field(default_factory=list)  # visible leads with the same phone/WeChat
    hidden_duplicate: bool = False  # a colleague's lead has it (no details shown)
    events: list[LeadEvent] = field(default_factory=list)  # the new lead's whole history, in order


_TEAM_TABLE = Team.__table__  # type: ignore[attr-defined]
_TEAMS = _TEAM_TABLE.c
_LEADS = Lead.__table__.c  # type: ignore[attr-defined]


def _known(key: str) -> Any:
    """Whether a lead of the team (not deleted) has this phone / WeChat: its (team, key) index."""
    column = _LEADS[key]
    return exists().where(
        _LEADS.team_id == bindparam("team"),
        column == bindparam(key),
        _LEADS.deleted_at.is_(None),
    )


def _take_number_statement(by_phone: bool, by_wechat: bool) -> Any:
    """The next number and, in the same statement, whether the new lead may have duplicates
    (most leads have none, and then nobody reads them)."""
    keys = [_known(key) for key, given in (("phone", by_phone), ("wechat", by_wechat)) if given]
    return (
        update(_TEAM_TABLE)
        .where(_TEAMS.id == bindparam("team"))
        .values(next_lead_number=_TEAMS.next_lead_number + 1)
        .returning(_TEAMS.next_lead_number, or_(*keys) if keys else false())
    )


# On the table, not through the ORM: it leaves the loaded Team alone either way.
_TAKE_NUMBER = {(p, w): _take_number_statement(p, w) for p in (True, False) for w in (True, False)}


async def _take_number(session: AsyncSession, team_id: int, draft: LeadDraft) -> tuple[int, bool]:
    """The next short lead number (the UPDATE locks the team row, so numbers never collide),
    and whether a lead of the team already has the draft's phone or WeChat."""
    connection = await session.connection()
    statement = _TAKE_NUMBER[bool(draft.phone), bool(draft.wechat)]
    params = {"team": team_id, "phone": draft.phone, "wechat": draft.wechat}
    number, known = (await connection.execute(statement, params)).one()
    return number - 1, bool(known)


async def create_lead(
    session: AsyncSession, scope: Actor, draft: LeadDraft, now: datetime
) -> Saved:
    validate_draft(draft)
    settings = scope.settings
    result = grade_for(draft.event_date, scope.today(now), draft.strong_intent, settings["grading"])
    first_followup = await cadence_times.land(
        session, team_id=scope.team_id, owner=scope.person, lead_id=None,
        due=cadence.first_followup(now), now=now, first_contact=True,
    )  # fmt: skip
    number, known = await _take_number(session, scope.team_id, draft)
    lead = Lead(
        team_id=scope.team_id,
        number=number,
        owner_id=scope.person_id,
        name=draft.name,
        phone=draft.phone,
        wechat=draft.wechat,
        messenger=draft.messenger or scope.team.messenger,
        source=draft.source,
        event_date=draft.event_date,
        intent=draft.notes,
        stage=pipeline.first_stage(scope.team.pipeline),
        grade=result.grade,
        strong_intent=draft.strong_intent,
        date_passed=result.date_passed,
        next_followup_at=first_followup,
        created_at=now,
        updated_at=now,
    )
    facts = _new_contact_facts(lead)
    session.add(lead)
    await session.flush()  # the lead is inserted complete; its events need its id
    actor = scope.person_id
    history = [
        _event(
            session, lead, actor, events.CREATED, now, to_value=lead.stage,
            payload={"source": lead.source, "grade": lead.grade},
        ),
        *(_event(session, lead, actor, kind, now, to_value="1") for kind in facts),
    ]  # fmt: skip
    assert lead.next_followup_at is not None
    history.append(_followup_event(session, lead, actor, lead.next_followup_at, now, "cadence"))
    duplicates, hidden = await duplicates_of(session, scope, lead) if known else ([], False)
    return Saved(lead, duplicates, hidden, history)
