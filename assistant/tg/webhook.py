"""Webhook mode: Telegram POSTs updates to us over HTTPS, terminated by a proxy in front.

Several processes can run this behind a load balancer against one PostgreSQL database: any
process may receive any update; each update id is claimed in the database
(ProcessedUpdate), so a redelivered or duplicated update is handled once. The same server
answers /healthz and /metrics (assistant/tg/operations.py) and the Mini App under /app
(assistant/web).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from assistant.config import Settings
from assistant.tg.app import build_application, start_application, stop_application
from assistant.tg.operations import operation_routes

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the token so every process agrees on it."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    seed = settings.token or "console"
    return hashlib.sha256(f"webhook:{seed}".encode()).hexdigest()


def webhook_path(settings: Settings) -> str:
    return urlparse(settings.webhook_url or "").path or "/"


def create_app(
    application: Application,  # type: ignore[type-arg]
    *,
    secret: str,
    path: str = "/",
    webhook_url: str | None = None,
    manage_lifecycle: bool = True,
) -> Starlette:
    """The ASGI app. With manage_lifecycle it starts the bot and calls set_webhook on start."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            logger.warning("webhook call with a wrong or missing secret token")
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("bad update", status_code=400)
        if update is None:
            return PlainTextResponse("bad update", status_code=400)
        await application.process_update(update)
        return Response(status_code=200)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if not manage_lifecycle:
            yield
            return
        await start_application(application)
        if webhook_url:
            await application.bot.set_webhook(
                url=webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            logger.info("webhook set")
        try:
            yield
        finally:
            await stop_application(application)

    from assistant.web.app import web_mount

    routes = [
        Route(path, receive, methods=["POST"]),
        *operation_routes(application),
        web_mount(application),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def run_webhook(settings: Settings) -> None:
    """`python bot.py` with WEBHOOK_URL set: serve plain HTTP on WEBHOOK_LISTEN:WEBHOOK_PORT."""
    import uvicorn

    application = build_application(settings, rate_limited=True)
    app = create_app(
        application,
        secret=webhook_secret(settings),
        path=webhook_path(settings),
        webhook_url=settings.webhook_url,
    )
    uvicorn.run(
        app,
        host=settings.webhook_listen,
        port=settings.webhook_port,
        proxy_headers=True,
        forwarded_allow_ips="*",
        log_level=settings.log_level.lower(),
        access_log=False,
    )
