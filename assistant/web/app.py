"""The Mini App: a second front end on the same use cases, served under /app by the bot's own
process (on the webhook server, or on WEB_PORT beside polling and the console).

GET /app/ is a static shell; its one script asks for views with POST /app/v/<name>, a JSON body
of form fields and the initData in `Authorization: tma …`. Every view runs one use case in one
transaction for the person who signed, and returns server-rendered HTML from the person's
locale's templates (render/templates/<locale>/web/). No lead data travels in a URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from assistant.render import formats
from assistant.services import permissions, web_access
from assistant.services.errors import UserError
from assistant.services.people import Profile
from assistant.services.uow import Entered, UnitOfWork
from assistant.tg.common import AppContext
from assistant.web.auth import COOKIE, NotSignedIn, Visitor, visitor_of

logger = logging.getLogger(__name__)
PREFIX: Final = "/app"
STATIC: Final = Path(__file__).parent / "static"
BODY_LIMIT: Final = 16_384
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
FORBIDDEN_KEYS: Final = frozenset(
    {"not_manager", "not_owner", "team_managers_only", "team_needs_team", "no_team"}
)


@dataclass
class Page(Entered):
    """One view request: its unit of work (transaction and the person signed in, resolved
    once) and the submitted fields."""

    uow: UnitOfWork
    fields: dict[str, str]

    @property
    def locale(self) -> str:
        return self.person.locale

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.person.timezone))

    def when(self, moment: datetime | None) -> str:
        return formats.short(self.local(moment)) if moment else ""

    def field(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


@dataclass(frozen=True)
class Push:
    """A chat message the use case owes someone else (a rep given a lead), sent after commit
    as the chat command would send it; `buttons` are (label, action, lead id), signed here."""

    chat_id: int
    locale: str
    template: str
    context: dict[str, Any]
    buttons: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class View:
    template: str  # under render/templates/<locale>/web/
    context: dict[str, Any] = field(default_factory=dict)
    pushes: list[Push] = field(default_factory=list)


PageFn = Callable[[Page], Awaitable[View]]


def _pages() -> dict[str, PageFn]:
    from assistant.web import manager_pages, rep_pages

    return {**rep_pages.PAGES, **manager_pages.PAGES}


class SecurityHeaders:
    """A strict Content-Security-Policy (our own script and styles only) on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _status(error: UserError) -> int:
    if error.key in FORBIDDEN_KEYS:
        return 403
    if error.key.endswith("_not_found"):
        return 404
    return 400


async def _fields(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > BODY_LIMIT:
        return None
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in data.items()
    ):
        return None
    return {key: value.replace("\x00", "") for key, value in data.items()}


async def _profile(app: AppContext, visitor: Visitor, now: datetime) -> Profile | None:
    """Who the unit of work finds (or, for a Telegram user new to the bot, creates with a
    personal space, as their first message would): initData names them; a browser session is
    looked up first."""
    if visitor.profile is not None:
        return visitor.profile
    async with UnitOfWork(app.sessionmaker, clock=app.clock) as uow:
        person = await web_access.session_person(
            uow.session, secret=visitor.session_secret or "", now=now
        )
    if person is None:
        return None
    return Profile(person.tg_user_id, None, person.name, person.username, None)


def web_app(application: Application) -> Starlette:  # type: ignore[type-arg]
    """The Mini App's ASGI app, to be mounted at PREFIX."""
    app: AppContext = application.bot_data["app"]
    pages = _pages()

    def page_html(locale: str, template: str, status: int, **context: Any) -> HTMLResponse:
        html = app.renderer.render(locale, f"web/{template}", **context)
        return HTMLResponse(html, status_code=status)

    def refused(status: int) -> HTMLResponse:
        return page_html(app.settings.default_locale, "signed_out", status)

    async def shell(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def login_page(request: Request) -> Response:
        """The link's page only asks to go on: a link preview (Telegram fetches every link
        it shows) must not use up the link before its person does."""
        secret = request.query_params.get("t", "")
        async with UnitOfWork(app.sessionmaker, clock=app.clock) as uow:
            usable = await web_access.link_is_open(uow.session, secret=secret, now=uow.now)
        if not usable:
            return page_html(app.settings.default_locale, "link_used", 403)
        return page_html(app.settings.default_locale, "link_open", 200, secret=secret)

    async def login(request: Request) -> Response:
        body = await request.body()
        given = (
            parse_qs(body.decode("utf-8", "replace")).get("t", [""]) if len(body) < 400 else [""]
        )
        async with UnitOfWork(app.sessionmaker, clock=app.clock) as uow:
            secret = await web_access.redeem_link(uow.session, secret=given[0], now=uow.now)
        if secret is None:
            return page_html(app.settings.default_locale, "link_used", 403)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        response.set_cookie(
            COOKIE,
            secret,
            max_age=int(web_access.SESSION_LIFETIME.total_seconds()),
            path=PREFIX,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )
        return response

    async def view(request: Request) -> Response:
        name = request.path_params["name"]
        page_fn = pages.get(name)
        if page_fn is None:
            return Response(status_code=404)
        if request.headers.get("x-mini-app") != "1":  # a form posted from another site
            return Response(status_code=403)
        now = app.clock()
        try:
            visitor = visitor_of(request, bot_token=application.bot.token, now=now)
        except NotSignedIn:
            return refused(401)
        fields = await _fields(request)
        if fields is None:
            return Response(status_code=400)
        profile = await _profile(app, visitor, now)
        if profile is None:
            return refused(401)
        locale = app.settings.default_locale
        try:
            uow = UnitOfWork(
                app.sessionmaker, profile=profile, settings=app.settings, clock=app.clock
            )
            async with uow:
                locale = uow.person.locale
                page = Page(uow, fields)
                shown = await page_fn(page)
                actor = await uow.actor()
                manager = permissions.is_manager(actor.member)
                html = app.renderer.render(
                    locale,
                    f"web/{shown.template}",
                    **shown.context,
                    nav={
                        "manager": manager,
                        "team_table": manager and not actor.team.personal,
                        "current": name,
                        "team": actor.team.name,
                    },
                )
        except UserError as error:
            message = app.renderer.render(locale, f"errors/{error.key}", **error.context)
            return page_html(locale, "error", _status(error), message=message)
        for push in shown.pushes:
            await send_push(push)
        return HTMLResponse(html)

    async def send_push(push: Push) -> None:
        rows = [
            [InlineKeyboardButton(label, callback_data=app.signer.sign(action, lead_id))]
            for label, action, lead_id in push.buttons
        ]
        try:
            for part in app.renderer.messages(push.locale, push.template, **push.context):
                await application.bot.send_message(
                    push.chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=InlineKeyboardMarkup(rows) if rows else None,
                )
        except TelegramError:  # the change is saved; the page says so all the same
            logger.warning("could not tell someone about a change made on the web", exc_info=True)

    routes = [
        Route("/", shell, methods=["GET"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/v/{name}", view, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])


def web_mount(application: Application) -> Mount:  # type: ignore[type-arg]
    return Mount(PREFIX, app=web_app(application))
