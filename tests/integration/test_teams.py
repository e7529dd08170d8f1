from datetime import UTC, datetime, timedelta

import pytest

from assistant.db.session import Sessionmaker, transaction
from assistant.services import teams
from assistant.services.errors import UserError
from assistant.services.people import Profile, ensure_person
from tests.helpers import actor_of

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def profile(user_id: int, name: str = "Ann") -> Profile:
    return Profile(user_id, user_id, name, None, "zh-hans")


async def _person(session, user_id: int):  # type: ignore[no-untyped-def]
    person, _ = await ensure_person(
        session,
        profile=profile(user_id),
        default_timezone="Asia/Shanghai",
        default_locale="zh-Hans",
        now=NOW,
    )
    return person


async def test_a_new_person_gets_a_personal_team_they_own(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        person, created = await ensure_person(
            session,
            profile=profile(1),
            default_timezone="Asia/Shanghai",
            default_locale="zh-Hans",
            now=NOW,
        )
        team, member = await teams.active_team(session, person)
    assert created
    assert team.personal and member.role == "owner"


async def test_joining_by_invite_makes_a_rep_and_joining_twice_is_harmless(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        owner = await _person(session, 1)
        team, invite = await teams.create_team(session, person=owner, name="Bridal", now=NOW)
        rep = await _person(session, 2)
        first = await teams.join_team(session, person=rep, code=invite.code, now=NOW)
        second = await teams.join_team(session, person=rep, code=invite.code, now=NOW)
        _, member = await teams.active_team(session, rep)
    assert (first.status, second.status) == ("joined", "already")
    assert member.role == "rep" and member.team_id == team.id


async def test_expired_revoked_used_and_unknown_codes_do_not_join(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        owner = await _person(session, 1)
        _, invite = await teams.create_team(session, person=owner, name="Bridal", now=NOW)
        manager = await actor_of(session, owner)
        _, once = await teams.create_invite(session, manager, single_use=True, now=NOW)
        _, revoked = await teams.create_invite(session, manager, single_use=False, now=NOW)
        revoked.revoked_at = NOW
        late = await _person(session, 2)
        expired = await teams.join_team(
            session, person=late, code=invite.code, now=NOW + timedelta(days=8)
        )
        first = await _person(session, 3)
        await teams.join_team(session, person=first, code=once.code, now=NOW)
        second = await _person(session, 4)
        used = await teams.join_team(session, person=second, code=once.code, now=NOW)
        gone = await teams.join_team(session, person=second, code=revoked.code, now=NOW)
        unknown = await teams.join_team(session, person=second, code="nope", now=NOW)
    assert [expired.status, used.status, gone.status, unknown.status] == [
        "expired",
        "used",
        "revoked",
        "unknown",
    ]


async def test_reps_cannot_make_invites(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        owner = await _person(session, 1)
        _, invite = await teams.create_team(session, person=owner, name="Bridal", now=NOW)
        rep = await _person(session, 2)
        await teams.join_team(session, person=rep, code=invite.code, now=NOW)
        with pytest.raises(UserError) as error:
            await teams.create_invite(
                session, await actor_of(session, rep), single_use=False, now=NOW
            )
    assert error.value.key == "not_manager"
