"""The Mini App beside long polling or the console: a uvicorn server on WEBHOOK_LISTEN:WEB_PORT
in the bot's own event loop, started after the bot and stopped before it. (In webhook mode the
webhook server serves it: assistant/tg/webhook.py.)"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

from starlette.applications import Starlette
from telegram.ext import Application

from assistant.config import Settings
from assistant.web.app import web_mount


class _Server:
    def __init__(self, application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield  # the bot (or the console) handles the signals

        self.server = Server(
            uvicorn.Config(
                Starlette(routes=[web_mount(application)]),
                host=settings.webhook_listen,
                port=settings.web_port or 0,
                proxy_headers=True,
                log_level="warning",
                access_log=False,
            )
        )
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


@contextlib.asynccontextmanager
async def serving(application: Application, settings: Settings) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Serve the Mini App while the block runs (nothing without WEB_PORT)."""
    if not settings.web_port:
        yield
        return
    server = _Server(application, settings)
    server.start()
    try:
        yield
    finally:
        await server.stop()


def serve_web_while_polling(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    server = _Server(application, settings)
    started, stopped = application.post_init, application.post_shutdown

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if started is not None:
            await started(app)
        server.start()

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        await server.stop()
        if stopped is not None:
            await stopped(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
