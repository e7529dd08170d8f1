"""/teams, switching the team one works in, and bringing the personal space's leads along."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.i18n import t
from assistant.services import spaces
from assistant.services.errors import UserError
from assistant.services.teams import shown_team
from assistant.tg.common import Reply, Request
from assistant.tg.keyboards import button, keyboard
from assistant.tg.registry import CommandSpec, Feature

if TYPE_CHECKING:
    from assistant.db.models import Team

SHOWN_NUMBERS = 30  # old -> new numbers listed before "and N more"
MERGE_BUTTONS = 3


def space_name(locale: str, team: Team) -> str:
    """A team's name as a person reads it: their personal space is named in their language."""
    return t(locale, "personal_space") if team.personal else team.name


async def team_label(request: Request, team: Team) -> str | None:
    """The active team's name for card footers and report titles, when one is in several."""
    shown = await shown_team(request.session, request.person, team)
    return space_name(request.locale, shown) if shown is not None else None


async def bring_question(request: Request, team: Team) -> Reply | None:
    """Asked once, right after creating or joining `team`, if the personal space holds leads."""
    offer = await spaces.offer_for(request.session, request.person, team)
    if offer is None:
        return None
    markup = None
    if offer.same_pipeline:
        bring_label = t(request.locale, "team_buttons.bring", count=offer.count)
        markup = keyboard(
            [button(bring_label, _sign(request, "spb", team))],
            [button(t(request.locale, "team_buttons.keep"), _sign(request, "spk", team))],
        )
    context = {"team": team.name, "count": offer.count, "same_pipeline": offer.same_pipeline}
    return Reply("teams/bring_ask", context, keyboard=markup)


def _sign(request: Request, action: str, team: Team) -> str:
    return request.sign(action, team.id)


def _team_id(request: Request) -> int:
    if len(request.args) != 1 or not request.args[0].isdigit():
        raise UserError("bad_button")
    return int(request.args[0])


async def bring(request: Request) -> Reply:
    brought = await spaces.bring_personal_leads(
        request.session, person=request.person, team_id=_team_id(request), now=request.now
    )
    merges = [d for d in brought.duplicates if d.other is not None][:MERGE_BUTTONS]
    markup = keyboard(
        *[
            [
                button(
                    t(request.locale, "team_buttons.merge", number=d.number, other=d.other),
                    request.sign("lmg", d.lead_id, d.other_id),
                )
            ]
            for d in merges
        ]
    )
    context = {
        "team": brought.team.name,
        "count": brought.count,
        "renumbered": brought.renumbered[:SHOWN_NUMBERS],
        "more": max(0, len(brought.renumbered) - SHOWN_NUMBERS),
        "duplicates": [d for d in brought.duplicates if d.other is not None],
        "hidden": [d.number for d in brought.duplicates if d.other is None],
        "goal": brought.goal,
    }
    return Reply("teams/brought", context, keyboard=markup if merges else None, edit=True)


async def keep(request: Request) -> Reply:
    team = await spaces.switch_to(request.session, request.person, _team_id(request))
    offer = await spaces.offer_for(request.session, request.person, team)
    return Reply("teams/kept", {"team": team.name, "count": offer.count if offer else 0}, edit=True)


def _switch_label(request: Request, team: Team) -> str:
    return t(request.locale, "team_buttons.switch", team=space_name(request.locale, team))


async def _list(request: Request, *, switched: Team | None = None) -> Reply:
    found = await spaces.spaces_of(request.session, request.person)
    rows = [
        {
            "name": space_name(request.locale, space.team),
            "role": space.role,
            "leads": space.leads,
            "active": space.active,
        }
        for space in found
    ]
    buttons = [
        [button(_switch_label(request, space.team), _sign(request, "tsw", space.team))]
        for space in found
        if not space.active
    ]
    active = next((space.team for space in found if space.active), None)
    offer = await spaces.offer_for(request.session, request.person, active) if active else None
    if active is not None and offer is not None and offer.same_pipeline:
        label = t(request.locale, "team_buttons.bring_here", count=offer.count)
        buttons.append([button(label, _sign(request, "spb", active))])
    context = {
        "spaces": rows,
        "switched": space_name(request.locale, switched) if switched else None,
    }
    return Reply("teams/list", context, keyboard=keyboard(*buttons) if buttons else None)


async def teams_command(request: Request) -> Reply:
    await request.actor()  # settles which one is active
    return await _list(request)


async def switch(request: Request) -> Reply:
    team = await spaces.switch_to(request.session, request.person, _team_id(request))
    return await _list(request, switched=team)


FEATURE = Feature(
    commands=[CommandSpec("teams", "teams", teams_command)],
    callbacks={"tsw": switch, "spb": bring, "spk": keep},
)
