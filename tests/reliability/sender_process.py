"""A sender process for the restart test: drains the outbox to a fake Bot API with Telegram's
limits, writing every accepted message to a journal, until killed.

python -m tests.reliability.sender_process DATABASE_URL JOURNAL LEASE_SECONDS
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import bench.fanout  # noqa: F401  (registers the "bench" push kind)
from assistant.config import Settings
from assistant.tg.app import build_application
from assistant.tg.channel import telegram_sender
from assistant.tg.common import AppContext
from bench.fake_telegram import limited_api


async def main(url: str, journal: Path, lease: float) -> None:
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    api, _limits = limited_api(journal=journal)
    application = build_application(settings, request=api)
    await application.bot.initialize()
    app: AppContext = application.bot_data["app"]
    sender = telegram_sender(app, application.bot, lease=timedelta(seconds=lease), batch=10)
    print("ready", flush=True)
    while True:
        await sender.drain()
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])))
