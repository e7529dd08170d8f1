"""`/healthz` and `/metrics`: served by the webhook server, or in polling mode on METRICS_PORT.

/healthz answers 200 "ok" only when the database answers a query within 2 seconds (else 503),
so a load balancer stops sending updates to a process that could not handle them.
/metrics is the Prometheus text format (assistant/metrics.py); the outbox figures are read from
the database at each scrape.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram.ext import Application

from assistant import metrics
from assistant.config import Settings
from assistant.scheduling.outbox import due_backlog
from assistant.tg.common import AppContext

logger = logging.getLogger(__name__)
DATABASE_TIMEOUT = 2.0


def _app(application: Application) -> AppContext:  # type: ignore[type-arg]
    app: AppContext = application.bot_data["app"]
    return app


async def _database_answers(app: AppContext) -> bool:
    async def ping() -> None:
        async with app.sessionmaker() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]

    try:
        await asyncio.wait_for(ping(), DATABASE_TIMEOUT)
    except Exception as error:
        logger.warning("health check: the database did not answer (%s)", type(error).__name__)
        return False
    return True


async def _refresh_outbox(app: AppContext) -> None:
    async def read() -> None:
        now = app.clock()
        async with app.sessionmaker() as session:
            due, oldest = await due_backlog(session, now)
        metrics.OUTBOX_DUE.set(due)
        metrics.OUTBOX_OLDEST_SECONDS.set((now - oldest).total_seconds() if oldest else 0.0)

    try:
        await asyncio.wait_for(read(), DATABASE_TIMEOUT)
    except Exception as error:  # the other figures are still worth a scrape
        logger.warning("metrics: could not read the outbox (%s)", type(error).__name__)


def operation_routes(application: Application) -> list[Route]:  # type: ignore[type-arg]
    async def health(_: Request) -> Response:
        if await _database_answers(_app(application)):
            return PlainTextResponse("ok")
        return PlainTextResponse("database unavailable", status_code=503)

    async def exposition(_: Request) -> Response:
        await _refresh_outbox(_app(application))
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    return [
        Route("/healthz", health, methods=["GET"]),
        Route("/metrics", exposition, methods=["GET"]),
    ]


def serve_operations_while_polling(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Long polling has no HTTP server of its own: with METRICS_PORT set, run one for /healthz
    and /metrics on WEBHOOK_LISTEN:METRICS_PORT beside the bot, started and stopped with it."""
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # python-telegram-bot handles the signals and stops the bot

    server = _Server(
        uvicorn.Config(
            Starlette(routes=operation_routes(application)),
            host=settings.webhook_listen,
            port=settings.metrics_port or 0,
            log_level="warning",
            access_log=False,
        )
    )
    started, stopped = application.post_init, application.post_shutdown

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if started is not None:
            await started(app)
        app.bot_data["operations"] = asyncio.create_task(server.serve())

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        server.should_exit = True
        task: asyncio.Task[None] | None = app.bot_data.pop("operations", None)
        if task is not None:
            await task
        if stopped is not None:
            await stopped(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
