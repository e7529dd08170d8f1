"""Who may do what in a team. Every command and every button press asks here, every time;
no other module decides who sees or changes what.

Roles (PRODUCT.md 1): a rep sees and works only their own leads; a manager sees the whole team's
leads, manages reps, hands leads over and links groups; an owner can also change roles, targets
and team settings. Anything outside the person's active team does not exist for them: a lead or
a member of another team answers "not found", never "forbidden", so nothing leaks.
"""

from __future__ import annotations

from typing import Any, Final

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from assistant.db.models import Lead, Membership, Person
from assistant.services.errors import UserError

OWNER: Final = "owner"
MANAGER: Final = "manager"
REP: Final = "rep"
ROLES: Final = (OWNER, MANAGER, REP)
MANAGING: Final = frozenset({OWNER, MANAGER})


def is_manager(member: Membership) -> bool:
    """Owners and managers manage; a deactivated membership manages nothing."""
    return member.active and member.role in MANAGING


def is_owner(member: Membership) -> bool:
    return member.active and member.role == OWNER


def require_member(member: Membership | None) -> Membership:
    if member is None or not member.active:
        raise UserError("no_team")
    return member


def require_manager(member: Membership) -> Membership:
    if not is_manager(member):
        raise UserError("not_manager")
    return member


def require_owner(member: Membership) -> Membership:
    if not is_owner(member):
        raise UserError("not_owner")
    return member


def sees_all(member: Membership) -> bool:
    """Managers and owners see (and work) the whole team's leads, the pool included."""
    return is_manager(member)


def sees_lead_of(member: Membership, owner_id: int | None) -> bool:
    """Whether a lead of the member's own team owned by `owner_id` (None: the pool) is theirs to
    see: all of them for a manager, a rep only their own."""
    return sees_all(member) or (owner_id is not None and owner_id == member.person_id)


def can_view_lead(member: Membership, lead: Lead) -> bool:
    """Managers see the whole team's leads (the pool included); a rep only their own."""
    if not member.active or lead.team_id != member.team_id:
        return False
    return sees_lead_of(member, lead.owner_id)


def require_lead(member: Membership, lead: Lead | None, *, number: object = "") -> Lead:
    """The lead, or the same "not found" whether it is missing or someone else's."""
    if lead is None or not can_view_lead(member, lead):
        raise UserError("lead_not_found", number=number)
    return lead


def lead_scope(member: Membership) -> list[Any]:
    """WHERE conditions restricting a Lead query to what the member may see."""
    conditions: list[Any] = [col(Lead.team_id) == member.team_id]
    if not member.active:
        conditions.append(col(Lead.id) == -1)
    elif not is_manager(member):
        conditions.append(col(Lead.owner_id) == member.person_id)
    return conditions


def can_change_role(actor: Membership, target: Membership) -> bool:
    """Only owners change roles, and only inside their own team."""
    return is_owner(actor) and target.team_id == actor.team_id


def can_remove(actor: Membership, target: Membership) -> bool:
    """Owners remove anyone (the last owner is protected elsewhere); managers remove reps."""
    if not target.active or target.team_id != actor.team_id:
        return False
    if is_owner(actor):
        return True
    return is_manager(actor) and target.role == REP


def can_hand_over(actor: Membership) -> bool:
    return is_manager(actor)


def may_claim_from_pool(member: Membership, *, members_may_claim: bool) -> bool:
    """Managers always take pool leads; members only when the team lets them (/pool set claim)."""
    return members_may_claim or is_manager(member)


def may_mark_others_away(member: Membership) -> bool:
    """Marking someone else away (out of the pool's rotation) is a manager's call."""
    return is_manager(member)


async def may_receive_push(
    session: AsyncSession,
    *,
    person: Person | None,
    team_id: int | None,
    owner_id: int | None = None,
) -> bool:
    """The one rule for every scheduled push about a team: escalations, reassign prompts,
    stale-lead warnings and returns, milestone alerts, digests, reminders, check-ins.

    Checked when the push is rendered, just before it is sent, not when it was planned: people
    are demoted or removed in between, and then nothing naming the team's clients may reach
    them. The recipient must still be an active member of the team, and manage it, unless the
    push is about a lead of their own (`owner_id`: the lead's owner, or the owner it was taken
    from).
    """
    if person is None or person.id is None or team_id is None:
        return False
    member = (
        await session.exec(
            select(Membership).where(
                Membership.team_id == team_id, Membership.person_id == person.id
            )
        )
    ).first()
    if member is None or not member.active:
        return False
    return is_manager(member) or (owner_id is not None and owner_id == person.id)
