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
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from telegram.ext import Application

from assistant.db.models import Person
from assistant.db.session import transaction
from assistant.services import leads as lead_service
from assistant.services import web_access
from assistant.services.errors import UserError
from assistant.services.people import find_person
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
class Page:
    """One view request: the signed-in person, their transaction and the submitted fields."""

    session: AsyncSession
    person: Person
    now: datetime
    fields: dict[str, str]
    _scope: lead_service.Scope | None = field(default=None, repr=False)

    @property
    def locale(self) -> str:
        return self.person.locale

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.person.timezone))

    def when(self, moment: datetime | None) -> str:
        return self.local(moment).strftime("%m-%d %H:%M") if moment else ""

    async def scope(self) -> lead_service.Scope:
        if self._scope is None:
            self._scope = await lead_service.scope_of(self.session, self.person)
        return self._scope

    def field(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


@dataclass
class View:
    template: str  # under render/templates/<locale>/web/
    context: dict[str, Any] = field(default_factory=dict)


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


async def _person(session: AsyncSession, visitor: Visitor, now: datetime) -> Person | None:
    if visitor.tg_user_id is not None:
        return await find_person(session, tg_user_id=visitor.tg_user_id)
    return await web_access.session_person(session, secret=visitor.session_secret or "", now=now)


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

    async def login(request: Request) -> Response:
        now = app.clock()
        async with transaction(app.sessionmaker) as session:
            secret = await web_access.redeem_link(
                session, secret=request.query_params.get("t", ""), now=now
            )
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
        locale = app.settings.default_locale
        try:
            async with transaction(app.sessionmaker) as session:
                person = await _person(session, visitor, now)
                if person is None:
                    return refused(401)
                locale = person.locale
                page = Page(session, person, now, fields)
                shown = await page_fn(page)
                scope = await page.scope()
                html = app.renderer.render(
                    locale,
                    f"web/{shown.template}",
                    **shown.context,
                    nav={
                        "manager": scope.sees_all,
                        "team_table": scope.sees_all and not scope.team.personal,
                        "current": name,
                        "team": scope.team.name,
                    },
                )
        except UserError as error:
            message = app.renderer.render(locale, f"errors/{error.key}", **error.context)
            return page_html(locale, "error", _status(error), message=message)
        return HTMLResponse(html)

    routes = [
        Route("/", shell, methods=["GET"]),
        Route("/login", login, methods=["GET"]),
        Route("/v/{name}", view, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])


def web_mount(application: Application) -> Mount:  # type: ignore[type-arg]
    return Mount(PREFIX, app=web_app(application))
