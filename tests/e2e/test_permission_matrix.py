"""Every team command and button × role (owner, manager, rep) × own or other team.

The outsider is the owner of another team: for them, Bridal's members, leads and invites
simply do not exist.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User, buttons
from tests.helpers import add_leads, person_of, sessionmaker_of, team_named

DAVE = User(1004, "Dave", "en", "dave")
EVE = User(1005, "Eve", "en", "eve")
ACTORS = {"owner": ALICE, "manager": DAVE, "rep": BOB, "outsider": CAROL}
DENIED = "owner or a manager"
NOT_OWNER = "Only the team's owner"
NO_EVE = "no member “eve”"
CLAIM_OFF = "does not let members claim pool leads"
NO_LEAD = "I can't find lead #1"
NO_PRESSED_LEAD = "I can't find lead this lead"
GROUP = {"id": -100777, "type": "supergroup", "title": "Sales floor"}

# command -> expected text per role
MATRIX: list[tuple[str, dict[str, str]]] = [
    ("/members", {"owner": "Members of “Bridal”", "manager": "Members of “Bridal”",
                  "rep": "Members of “Bridal”", "outsider": "Members of “Other”"}),
    ("/lead 1", {"owner": "王女士", "manager": "王女士", "rep": NO_LEAD, "outsider": NO_LEAD}),
    ("press:log 1", {"owner": "王女士", "manager": "王女士", "rep": NO_PRESSED_LEAD,
                     "outsider": NO_PRESSED_LEAD}),
    ("/targets", {"owner": "Targets of “Bridal”", "manager": "Targets of “Bridal”",
                  "rep": DENIED, "outsider": "Targets of “Other”"}),
    ("/targets valid_rate 75", {"owner": "Saved", "manager": "Saved", "rep": DENIED,
                                "outsider": "Saved"}),
    ("/invite list", {"owner": "Open invite links for “Bridal”",
                      "manager": "Open invite links for “Bridal”", "rep": DENIED,
                      "outsider": "Open invite links for “Other”"}),
    ("press:revoke", {"owner": "is revoked", "manager": "is revoked", "rep": DENIED,
                      "outsider": "has no invite"}),
    ("/invite revoke {code}", {"owner": "is revoked", "manager": "is revoked", "rep": DENIED,
                               "outsider": "has no invite"}),
    ("/invite", {"owner": "for “Bridal”", "manager": "for “Bridal”", "rep": DENIED,
                 "outsider": "for “Other”"}),
    ("/role eve manager", {"owner": "Eve (@eve) is now manager", "manager": NOT_OWNER,
                           "rep": NOT_OWNER, "outsider": NO_EVE}),
    ("/role eve rep", {"owner": "Eve (@eve) is now rep", "manager": NOT_OWNER,
                       "rep": NOT_OWNER, "outsider": NO_EVE}),
    ("/handover eve bob all", {"owner": "1 lead moved from Eve to Bob",
                               "manager": "1 lead moved from Eve to Bob", "rep": DENIED,
                               "outsider": NO_EVE}),
    ("/leaderboard week", {"owner": "<b>Bridal</b> — this week", "manager": "<b>Bridal</b>",
                           "rep": "<b>Bridal</b>", "outsider": "<b>Other</b> — this week"}),
    ("/team week", {"owner": "<b>Bridal · This week", "manager": "<b>Bridal · This week",
                    "rep": "/team is for managers only", "outsider": "<b>Other · This week"}),
    ("/team eve week", {"owner": "<b>Eve · This week", "manager": "<b>Eve · This week",
                        "rep": "/team is for managers only", "outsider": NO_EVE}),
    ("/targets goal eve 5", {"owner": "Goal for <b>Eve</b>", "manager": "Goal for <b>Eve</b>",
                             "rep": DENIED, "outsider": NO_EVE}),
    ("group:/link", {"owner": "linked to the team “Bridal”", "manager": "to the team “Bridal”",
                     "rep": DENIED, "outsider": "linked to the team “Other”"}),
    ("group:/unlink", {"owner": "no longer linked to “Bridal”", "manager": "no longer linked",
                       "rep": DENIED, "outsider": "no longer linked to “Other”"}),
    ("/pool", {"owner": "<b>Team pool</b> (3)", "manager": "<b>Team pool</b> (3)", "rep": DENIED,
                "outsider": "The pool is empty"}),
    ("/assign 2 eve", {"owner": "Gave out 1 lead:\nEve: 1 · #2", "manager": "Gave out 1 lead",
                       "rep": DENIED, "outsider": NO_EVE}),
    ("/claim 3", {"owner": "The lead is yours now", "manager": "The lead is yours now",
                  "rep": CLAIM_OFF, "outsider": "not in the pool: #3"}),
    ("/pool set claim on", {"owner": "Saved: members may take pool leads",
                            "manager": "Saved: members may take pool leads", "rep": DENIED,
                            "outsider": "Saved: members may take pool leads"}),
    ("claim on:/claim 4", {"owner": "The lead is yours now", "manager": "The lead is yours now",
                           "rep": "The lead is yours now", "outsider": "not in the pool: #4"}),
    ("/remove eve", {"owner": "Eve (@eve) was removed", "manager": "Eve (@eve) was removed",
                     "rep": DENIED, "outsider": NO_EVE}),
]  # fmt: skip


@pytest.mark.parametrize("role", list(ACTORS))
async def test_each_team_command_is_allowed_or_refused_by_role_and_team(
    bot: Harness, role: str
) -> None:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in (DAVE, BOB, EVE):
        await bot.send(f"/start join_{code}", user)
    await bot.send("/role dave manager")
    await bot.send("/newteam Other", CAROL)
    for user in (ALICE, CAROL):
        await bot.send("/lang en", user)
    team = await team_named(bot, "Bridal")
    eve = await person_of(bot, EVE)
    await add_leads(sessionmaker_of(bot), team_id=team.id or 0, owner_id=eve.id, count=1,
                    now=bot.clock())  # fmt: skip
    # the pool: #2, #3, #4
    await add_leads(sessionmaker_of(bot), team_id=team.id or 0, owner_id=None, count=3,
                    now=bot.clock())  # fmt: skip
    actor = ACTORS[role]
    for command, expected in MATRIX:
        if command == "press:log 1":  # the button on Eve's lead's card, pressed by each role
            card = await bot.send("/lead 1", ALICE)
            data = next(
                b["callback_data"] for b in buttons(card[-1]) if b["callback_data"][:3] == "lg:"
            )
            calls = await bot.press(data, actor)
        elif command == "press:revoke":
            fresh = join_code(await bot.reply_text("/invite"))
            listing = await bot.send("/invite list")
            data = next(b["callback_data"] for b in buttons(listing[0]) if fresh[:6] in b["text"])
            calls = await bot.press(data, actor)
        elif command.startswith("group:"):
            if command == "group:/unlink" and role == "rep":
                await bot.send("/link", ALICE, chat=GROUP)
            calls = await bot.send(command.removeprefix("group:"), actor, chat=GROUP)
        elif command.startswith("claim on:"):  # the owner lets members claim first
            await bot.send("/pool set claim on", ALICE)
            calls = await bot.send(command.removeprefix("claim on:"), actor)
        elif "{code}" in command:
            fresh = join_code(await bot.reply_text("/invite"))
            calls = await bot.send(command.format(code=fresh), actor)
        else:
            calls = await bot.send(command, actor)
        text = calls[0].text if calls else ""
        assert expected[role] in text, (command, role, text)
        if role == "outsider":
            assert all("Bridal" not in call.text for call in calls), command
