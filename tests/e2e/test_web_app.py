"""The Mini App over HTTP (httpx on the ASGI app, as Starlette's TestClient does, in the test's
own event loop): who gets in, what each role sees, and that a move on the web is the same move
as in the chat."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from assistant.config import Settings
from assistant.db.models import Lead, LeadEvent
from assistant.tg.webhook import create_app
from assistant.web.app import CSP
from assistant.web.server import serving
from tests.e2e.web_support import ACTORS, DAVE, EVE, Bridal, WebClient, bridal_team, signed
from tests.e2e.web_support import web_client as make_client
from tests.harness import ALICE, BOB, Harness, MutableClock, buttons
from tests.helpers import lead_events

VIEWS = ("home", "board", "today", "summary", "overdue", "team", "member", "pool", "targets",
         "lead", "move", "assign", "targets_save")  # fmt: skip


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, telegram_bot_token=None, web_port=8089
    )


@pytest.fixture
async def web(bot: Harness) -> AsyncIterator[WebClient]:
    async for client in make_client(bot):
        yield client


@pytest.fixture
async def team(bot: Harness) -> Bridal:
    return await bridal_team(bot)


# ---------------------------------------------------------------- getting in


@pytest.mark.parametrize("name", VIEWS)
async def test_every_view_refuses_a_request_without_signed_init_data(
    web: WebClient, team: Bridal, name: str
) -> None:
    response = await web.view(name, None)
    assert response.status_code == 401
    assert "/web" in response.text


async def test_init_data_signed_with_another_token_is_refused(web: WebClient, team: Bridal) -> None:
    forged = signed(BOB, "999:not-the-bot-token", web.bot.clock())
    response = await web.view("board", None, Authorization=f"tma {forged}")
    assert response.status_code == 401
    assert "林小姐" not in response.text


async def test_tampered_init_data_is_refused(web: WebClient, team: Bridal) -> None:
    genuine = signed(BOB, web.bot.app.bot.token, web.bot.clock())
    tampered = genuine.replace("1002", "1001")  # Bob's user id swapped for Alice's
    response = await web.view("team", None, Authorization=f"tma {tampered}")
    assert response.status_code == 401


async def test_init_data_older_than_a_day_is_refused(web: WebClient, team: Bridal) -> None:
    stale = signed(BOB, web.bot.app.bot.token, web.bot.clock() - timedelta(hours=24, minutes=1))
    assert (await web.view("board", None, Authorization=f"tma {stale}")).status_code == 401
    fresh = signed(BOB, web.bot.app.bot.token, web.bot.clock() - timedelta(hours=23))
    assert (await web.view("board", None, Authorization=f"tma {fresh}")).status_code == 200


async def test_someone_new_to_the_bot_opens_their_own_empty_space(web: WebClient) -> None:
    response = await web.view("board", BOB)  # as their first message would, it makes them
    assert response.status_code == 200 and "Pipeline" in response.text
    assert "No leads here." in response.text


async def test_a_form_posted_from_another_site_is_refused(web: WebClient, team: Bridal) -> None:
    token = signed(BOB, web.bot.app.bot.token, web.bot.clock())
    response = await web.http.post(
        "/app/v/board", json={}, headers={"Authorization": f"tma {token}"}
    )
    assert response.status_code == 403


async def test_pages_and_files_carry_a_strict_content_security_policy(web: WebClient) -> None:
    for path in ("/app/", "/app/static/app.js", "/app/static/app.css"):
        response = await web.http.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP
    shell = (await web.http.get("/app/")).text
    assert '<script src="/app/static/app.js"' in shell and "<script>" not in shell
    assert "http" not in shell.replace('content="', "")  # nothing loaded from elsewhere


# ---------------------------------------------------------------- the one-time link


def _link(text: str) -> str:
    match = re.search(r"(http://127\.0\.0\.1:8089/app/login\?t=[\w-]+)", text)
    assert match, text
    return match.group(1).removeprefix("http://127.0.0.1:8089")


async def _open(web: WebClient, link: str) -> httpx.Response:
    """What a browser does with the link: load its page, press its button."""
    page = await web.http.get(link)
    if page.status_code != 200:
        return page
    secret = re.search(r'name="t" value="([\w-]+)"', page.text)
    assert secret, page.text
    return await web.http.post("/app/login", data={"t": secret.group(1)})


async def test_console_link_opens_a_browser_session_once(bot: Harness, web: WebClient) -> None:
    await bot.send("/start", BOB)
    link = _link(await bot.reply_text("/web", BOB))
    previewed = await web.http.get(link)  # as Telegram's link preview would fetch it
    assert previewed.status_code == 200 and "Open" in previewed.text
    opened = await _open(web, link)
    assert opened.status_code == 303 and opened.headers["location"] == "/app/"
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/app" in cookie
    board = await web.view("board", None)  # the cookie, no initData
    assert board.status_code == 200 and "Pipeline" in board.text
    web.http.cookies.clear()
    replayed = await web.http.get(link)
    assert replayed.status_code == 403
    assert "used" in replayed.text
    secret = link.rsplit("=", 1)[1]
    assert (await web.http.post("/app/login", data={"t": secret})).status_code == 403
    assert (await web.view("board", None)).status_code == 401


async def test_a_link_older_than_ten_minutes_opens_nothing(
    bot: Harness, web: WebClient, clock: MutableClock
) -> None:
    await bot.send("/start", BOB)
    link = _link(await bot.reply_text("/web", BOB))
    clock.advance(minutes=10, seconds=1)
    assert (await web.http.get(link)).status_code == 403
    secret = link.rsplit("=", 1)[1]
    assert (await web.http.post("/app/login", data={"t": secret})).status_code == 403


async def test_a_made_up_link_opens_nothing(web: WebClient) -> None:
    assert (await web.http.get("/app/login?t=guessed")).status_code == 403
    assert (await web.http.get("/app/login")).status_code == 403
    assert (await web.http.post("/app/login", data={"t": "guessed"})).status_code == 403


async def test_web_without_a_port_or_address_says_what_to_set(database_url: str) -> None:
    bare = Settings(_env_file=None, database_url=database_url, telegram_bot_token=None)  # type: ignore[call-arg]
    harness = Harness(bare, MutableClock())
    await harness.start()
    try:
        await harness.send("/lang en", BOB)
        text = await harness.reply_text("/web", BOB)
    finally:
        await harness.stop()
    assert "WEB_PORT" in text and "WEB_APP_URL" in text


# ---------------------------------------------------------------- the role matrix

# view, fields -> status per role (owner, manager, rep Bob, outsider Carol who owns "Other")
MATRIX: list[tuple[str, dict[str, str], dict[str, int]]] = [
    ("home", {}, {"owner": 200, "manager": 200, "rep": 200, "outsider": 200}),
    ("board", {}, {"owner": 200, "manager": 200, "rep": 200, "outsider": 200}),
    ("today", {}, {"owner": 200, "manager": 200, "rep": 200, "outsider": 200}),
    ("summary", {"period": "week"}, {"owner": 200, "manager": 200, "rep": 200, "outsider": 200}),
    ("overdue", {}, {"owner": 200, "manager": 200, "rep": 200, "outsider": 200}),
    ("team", {"period": "week"}, {"owner": 200, "manager": 200, "rep": 403, "outsider": 200}),
    ("member", {"member": "{bob}"}, {"owner": 200, "manager": 200, "rep": 403, "outsider": 404}),
    ("pool", {}, {"owner": 200, "manager": 200, "rep": 403, "outsider": 200}),
    ("targets", {}, {"owner": 200, "manager": 200, "rep": 403, "outsider": 200}),
    ("lead", {"lead": "{lead2}"}, {"owner": 200, "manager": 200, "rep": 200, "outsider": 404}),
    ("lead", {"lead": "{eve}"}, {"owner": 200, "manager": 200, "rep": 404, "outsider": 404}),
    ("move", {"lead": "{lead2}", "stage": "valid"},
     {"owner": 200, "manager": 200, "rep": 200, "outsider": 404}),
    ("assign", {"lead": "5", "to": "auto"},
     {"owner": 200, "manager": 200, "rep": 403, "outsider": 400}),
    ("targets_save", {"valid_rate": "70"},
     {"owner": 200, "manager": 200, "rep": 403, "outsider": 200}),
]  # fmt: skip


@pytest.mark.parametrize("role", list(ACTORS))
async def test_each_view_is_allowed_or_refused_by_role_and_team(
    web: WebClient, team: Bridal, role: str
) -> None:
    actor = ACTORS[role]
    values = {"{bob}": str(team.bob_id), "{lead2}": str(team.ids[2]), "{eve}": str(team.ids[4])}
    for name, fields, expected in MATRIX:
        sent = {key: values.get(value, value) for key, value in fields.items()}
        response = await web.view(name, actor, sent)
        assert response.status_code == expected[role], (name, fields, role, response.text)
        if role == "outsider":
            for secret in ("Bridal", "王女士", "林小姐", "赵先生", "孙女士", "Bob"):
                assert secret not in response.text, (name, secret)
        if role == "rep":
            assert "赵先生" not in response.text, name  # Eve's lead


async def test_a_rep_sees_only_their_own_leads_on_the_board(web: WebClient, team: Bridal) -> None:
    board = (await web.view("board", BOB)).text
    assert "林小姐" in board and "王女士" in board
    assert "赵先生" not in board and "孙女士" not in board
    managers = (await web.view("board", DAVE)).text
    assert "赵先生" in managers


async def test_overdue_lists_names_the_person_may_see(web: WebClient, team: Bridal) -> None:
    rep = (await web.view("overdue", EVE)).text
    assert "林小姐" not in rep and "#1" not in rep  # Bob's overdue lead is not Eve's business
    manager = (await web.view("overdue", DAVE)).text
    assert "Escalations" in manager and "#1 · " in manager and "林小姐" in manager
    assert "4 days overdue" in manager


# ---------------------------------------------------------------- doing things


async def test_a_move_on_the_board_is_the_move_the_chat_makes(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    page = await web.view("move", BOB, {"lead": str(team.ids[2]), "stage": "valid"})
    assert page.status_code == 200
    assert "Moved from New to Valid" in page.text
    await bot.send("/move 3 valid", BOB)
    maker = bot.app.bot_data["app"].sessionmaker

    def stage_events(events: list[LeadEvent]) -> list[tuple[str | None, ...]]:
        return [(e.from_value, e.to_value, str(e.actor_id)) for e in events if e.kind == "stage"]

    web_stage = stage_events(await lead_events(maker, team.ids[2]))
    chat_stage = stage_events(await lead_events(maker, team.ids[3]))
    assert web_stage == chat_stage == [("new", "valid", str(team.bob_id))]
    chat_summary = await bot.reply_text("/summary today", BOB)
    web_summary = (await web.view("summary", BOB, {"period": "today"})).text
    assert "有效线索 2" in chat_summary.replace("有效 2", "有效线索 2") or "2" in chat_summary
    assert _plain(chat_summary) in _plain(web_summary)


def _plain(html: str) -> str:
    """The text of a /summary, without its markup and blank lines."""
    text = re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")
    body = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(body[1:])  # the first line names the space: the chat adds the team


async def test_lost_asks_for_a_reason_then_moves(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    await bot.send("/lang zh", BOB)
    asked = (await web.view("move", BOB, {"lead": str(team.ids[2]), "stage": "lost"})).text
    assert "为什么流失了" in asked
    moved = await web.view("move", BOB, {"lead": str(team.ids[2]), "stage": "lost", "reason": "1"})
    assert moved.status_code == 200 and "流失原因" in moved.text


async def test_moving_to_the_stage_it_is_in_says_so(web: WebClient, team: Bridal) -> None:
    response = await web.view("move", BOB, {"lead": str(team.ids[2]), "stage": "new"})
    assert response.status_code == 400
    assert "error" in response.text


async def test_a_manager_gives_a_pool_lead_to_a_rep(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    pool = (await web.view("pool", DAVE)).text
    assert "孙女士" in pool and "Pool · 2" in pool
    bob_number = re.search(r'<option value="(\d+)">Bob</option>', pool)
    assert bob_number
    before = len(bot.api.calls)
    given = await web.view("assign", DAVE, {"lead": "5", "to": bob_number.group(1)})
    assert given.status_code == 200 and "Bob: #5" in given.text and "Pool · 1" in given.text
    told = [call for call in bot.api.calls[before:] if call.method == "sendMessage"]
    assert len(told) == 1 and told[0].params["chat_id"] == BOB.id
    assert "Dave gave you 1 lead" in told[0].text and "#5 孙女士" in told[0].text
    assert buttons(told[0])[0]["text"].endswith("#5")
    assert "孙女士" in (await web.view("board", BOB)).text


async def test_targets_saved_in_the_form_are_the_targets_the_chat_shows(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    saved = await web.view("targets_save", ALICE, {"valid_rate": "71", "visit_deal": "33"})
    assert saved.status_code == 200 and "Saved" in saved.text
    shown = await bot.reply_text("/targets", ALICE)
    assert "71" in shown and "33" in shown
    bad = await web.view("targets_save", ALICE, {"valid_rate": "170"})
    assert bad.status_code == 400
    assert "71" in await bot.reply_text("/targets", ALICE)


async def test_the_team_table_matches_the_chat_team_table(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    await web.view("move", BOB, {"lead": str(team.ids[2]), "stage": "won", "amount": "8800"})
    table = (await web.view("team", ALICE, {"period": "week", "sort": "deals"})).text
    rows = re.findall(r'<tr data-person="(\d+)">.*?</tr>', table, re.S)
    assert rows[0] == str(team.bob_id)  # most deals first
    chat = await bot.reply_text("/team week deals", ALICE)
    assert chat.index("Bob") < chat.index("Eve")
    assert "Each member's funnel" in table and "<progress" in table


async def test_a_manager_taps_a_member_for_their_summary(web: WebClient, team: Bridal) -> None:
    page = await web.view("member", DAVE, {"member": str(team.bob_id), "period": "week"})
    assert page.status_code == 200 and "Bob" in page.text


async def test_today_shows_the_split_of_the_working_day(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    await bot.send("/lang zh", BOB)
    page = (await web.view("today", BOB)).text
    assert "今日计划" in page and "60%" in page and "25%" in page and "林小姐" in page


async def test_pages_speak_traditional_chinese_to_a_traditional_reader(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    await bot.send("/lang 繁體", BOB)
    page = (await web.view("board", BOB)).text
    assert "看板" in page and "線索" in page


async def test_no_form_carries_lead_data_in_its_address(web: WebClient, team: Bridal) -> None:
    for name in ("board", "today", "overdue", "team", "pool", "targets"):
        html = (await web.view(name, ALICE)).text
        for action in re.findall(r'(?:action|formaction)="([^"]*)"', html):
            assert re.fullmatch(r"/app/v/\w+", action), (name, action)


async def test_a_request_body_that_is_not_form_fields_is_refused(
    web: WebClient, team: Bridal
) -> None:
    token = signed(BOB, web.bot.app.bot.token, web.bot.clock())
    headers = {"Authorization": f"tma {token}", "X-Mini-App": "1"}
    for body in (b"[1, 2]", b'{"lead": 5}', b"not json", b"{" + b" " * 20000 + b"}"):
        response = await web.http.post("/app/v/lead", content=body, headers=headers)
        assert response.status_code == 400, body[:20]


async def test_on_telegram_the_menu_button_and_web_open_the_app(database_url: str) -> None:
    live = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        telegram_bot_token="123456:test-token",
        web_app_url="https://bot.example.com/app/",
    )
    harness = Harness(live, MutableClock())
    await harness.app.initialize()
    await harness.app.post_init(harness.app)  # type: ignore[misc]
    try:
        default_menu = harness.api.sent("setChatMenuButton")
        assert len(default_menu) == 1 and "chat_id" not in default_menu[0].params
        assert "https://bot.example.com/app/" in str(default_menu[0].params["menu_button"])
        await harness.send("/lang en", BOB)
        calls = await harness.send("/web", BOB)
        chat_menu = [call for call in calls if call.method == "setChatMenuButton"]
        assert chat_menu and chat_menu[0].params["chat_id"] == BOB.id
        assert "Board" in str(chat_menu[0].params["menu_button"])
        message = next(call for call in calls if call.method == "sendMessage")
        assert "menu button" in message.text
        assert buttons(message)[0]["web_app"] == {"url": "https://bot.example.com/app/"}
        link = await harness.reply_text("/web link", BOB)
        assert "https://bot.example.com/app/login?t=" in link
    finally:
        await harness.stop()


async def test_the_webhook_server_serves_the_mini_app_too(bot: Harness) -> None:
    server = create_app(bot.app, secret="s", path="/hook", manage_lifecycle=False)
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        shell = await http.get("/app/")
        assert shell.status_code == 200 and "/app/static/app.js" in shell.text
        assert (await http.post("/app/v/board", json={})).status_code == 403


async def test_beside_polling_and_the_console_it_is_served_on_web_port(
    bot: Harness, settings: Settings
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    on_port = settings.model_copy(update={"web_port": port, "webhook_listen": "127.0.0.1"})
    async with serving(bot.app, on_port), httpx.AsyncClient() as http:
        for _ in range(100):  # until uvicorn listens
            try:
                shell = await http.get(f"http://127.0.0.1:{port}/app/")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert shell.status_code == 200 and "/app/static/app.js" in shell.text


async def test_a_line_team_sees_line_ids_and_its_line_rate_on_the_web(
    bot: Harness, web: WebClient, team: Bridal
) -> None:
    await bot.send("/targets messenger line", ALICE)
    await bot.send("/add Ms Chen line:chen88", BOB)
    maker = bot.app.bot_data["app"].sessionmaker
    async with maker() as session:
        lead = (await session.exec(select(Lead).where(Lead.name == "Ms Chen"))).one()
    page = (await web.view("lead", BOB, {"lead": str(lead.id)})).text
    assert "💬 LINE: chen88" in page and "LINE added" in page and "WeChat" not in page
    targets = (await web.view("targets", ALICE)).text
    assert "LINE added rate" in targets and "WeChat rate" not in targets
