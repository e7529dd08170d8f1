"""Shared set-up for the Mini App tests: a team with an owner, a manager and two reps, an
outsider in a team of their own, and signed initData as Telegram would send it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import init_data_py
from starlette.applications import Starlette

from assistant.web.app import web_mount
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, CAROL, Harness, User
from tests.helpers import add_leads, leads_by_number, person_of, sessionmaker_of, team_named

DAVE = User(1004, "Dave", "en", "dave")
EVE = User(1005, "Eve", "en", "eve")
ACTORS = {"owner": ALICE, "manager": DAVE, "rep": BOB, "outsider": CAROL}


def signed(user: User, token: str, at: datetime) -> str:
    """initData for `user`, signed with the bot token the way Telegram signs it."""
    return init_data_py.sign(
        {"query_id": "AAHtest", "user": json.dumps(user.as_json(), separators=(",", ":"))},
        token,
        auth_date=at,
    )


@dataclass
class Bridal:
    """Who is who: Bob's leads are #1-#3 (#1 overdue by 4 days), Eve's #4, the pool #5-#6."""

    team_id: int
    bob_id: int
    eve_id: int
    ids: dict[int, int]  # lead number -> lead id


async def bridal_team(bot: Harness) -> Bridal:
    code = join_code(await bot.reply_text("/newteam Bridal"))
    for user in (DAVE, BOB, EVE):
        await bot.send(f"/start join_{code}", user)
    await bot.send("/role dave manager")
    await bot.send("/newteam Other", CAROL)
    for user in (ALICE, CAROL):
        await bot.send("/lang en", user)
    team = await team_named(bot, "Bridal")
    bob, eve = await person_of(bot, BOB), await person_of(bot, EVE)
    maker = sessionmaker_of(bot)
    now = bot.clock()

    overdue = await add_leads(maker, team_id=team.id or 0, owner_id=bob.id, count=1, now=now,
                              name="林小姐", next_followup_at=now - timedelta(days=4))  # fmt: skip
    mine = await add_leads(maker, team_id=team.id or 0, owner_id=bob.id, count=2, now=now,
                           name="王女士")  # fmt: skip
    eves = await add_leads(maker, team_id=team.id or 0, owner_id=eve.id, count=1, now=now,
                           name="赵先生")  # fmt: skip
    pool = await add_leads(maker, team_id=team.id or 0, owner_id=None, count=2, now=now,
                           name="孙女士")  # fmt: skip
    assert overdue + mine + eves + pool == [1, 2, 3, 4, 5, 6]
    leads = await leads_by_number(maker, team.id or 0)
    return Bridal(
        team.id or 0, bob.id or 0, eve.id or 0, {n: lead.id or 0 for n, lead in leads.items()}
    )


@dataclass
class WebClient:
    http: httpx.AsyncClient
    bot: Harness

    async def view(
        self, name: str, user: User | None, fields: dict[str, str] | None = None, **headers: str
    ) -> httpx.Response:
        sent = {"X-Mini-App": "1", **headers}
        if user is not None and "Authorization" not in headers:
            sent["Authorization"] = "tma " + signed(user, self.bot.app.bot.token, self.bot.clock())
        return await self.http.post(f"/app/v/{name}", json=fields or {}, headers=sent)


async def web_client(bot: Harness) -> AsyncIterator[WebClient]:
    app = Starlette(routes=[web_mount(bot.app)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield WebClient(http, bot)
