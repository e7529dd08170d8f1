from datetime import UTC, datetime

import pytest

from assistant.db.models import Lead, Membership
from assistant.services import permissions
from assistant.services.errors import UserError

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def member(role: str, person_id: int = 1, team_id: int = 10, active: bool = True) -> Membership:
    return Membership(team_id=team_id, person_id=person_id, role=role, active=active)


def lead(owner_id: int | None, team_id: int = 10) -> Lead:
    return Lead(team_id=team_id, number=7, owner_id=owner_id)


def test_a_rep_sees_only_their_own_leads_not_a_colleagues_or_the_pool() -> None:
    rep = member("rep", person_id=1)
    assert permissions.can_view_lead(rep, lead(owner_id=1))
    assert not permissions.can_view_lead(rep, lead(owner_id=2))
    assert not permissions.can_view_lead(rep, lead(owner_id=None))


def test_managers_and_owners_see_every_lead_of_their_team_and_none_of_another() -> None:
    for role in ("manager", "owner"):
        boss = member(role, person_id=1)
        assert permissions.can_view_lead(boss, lead(owner_id=2))
        assert permissions.can_view_lead(boss, lead(owner_id=None))
        assert not permissions.can_view_lead(boss, lead(owner_id=1, team_id=11))


def test_a_removed_member_sees_nothing_any_more() -> None:
    gone = member("manager", person_id=1, active=False)
    assert not permissions.can_view_lead(gone, lead(owner_id=1))
    with pytest.raises(UserError):
        permissions.require_manager(gone)


def test_someone_elses_lead_answers_exactly_like_a_missing_one() -> None:
    rep = member("rep", person_id=1)
    with pytest.raises(UserError) as theirs:
        permissions.require_lead(rep, lead(owner_id=2), number=7)
    with pytest.raises(UserError) as missing:
        permissions.require_lead(rep, None, number=7)
    assert (theirs.value.key, theirs.value.context) == (missing.value.key, missing.value.context)


def test_only_owners_change_roles_and_managers_remove_only_reps() -> None:
    owner, manager, rep = member("owner", 1), member("manager", 2), member("rep", 3)
    assert permissions.can_change_role(owner, rep)
    assert not permissions.can_change_role(manager, rep)
    assert permissions.can_remove(manager, rep)
    assert not permissions.can_remove(manager, member("manager", 4))
    assert not permissions.can_remove(rep, member("rep", 5))
    assert not permissions.can_remove(owner, member("rep", 6, team_id=11))
    with pytest.raises(UserError) as error:
        permissions.require_owner(manager)
    assert error.value.key == "not_owner"


def test_a_duplicate_in_the_team_names_its_number_only_to_someone_who_may_see_that_lead() -> None:
    assert permissions.sees_lead_of(member("rep", person_id=1), 1)
    assert not permissions.sees_lead_of(member("rep", person_id=1), 2)
    assert not permissions.sees_lead_of(member("rep", person_id=1), None)
    assert permissions.sees_lead_of(member("manager", person_id=1), 2)
    assert permissions.sees_lead_of(member("owner", person_id=1), None)


def test_members_claim_pool_leads_only_when_the_team_lets_them_and_managers_always() -> None:
    rep, manager = member("rep"), member("manager")
    assert not permissions.may_claim_from_pool(rep, members_may_claim=False)
    assert permissions.may_claim_from_pool(rep, members_may_claim=True)
    assert permissions.may_claim_from_pool(manager, members_may_claim=False)
    assert permissions.may_mark_others_away(manager) and not permissions.may_mark_others_away(rep)
