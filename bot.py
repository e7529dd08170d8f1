"""Run the sales assistant: long polling with a token, a webhook server with WEBHOOK_URL,
console mode without a token."""

from __future__ import annotations

import argparse
import asyncio

from telegram import Update

from assistant.config import Settings
from assistant.console import run_console
from assistant.logs import configure_logging
from assistant.tg.app import build_application


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--console",
        action="store_true",
        help="talk to the bot in this terminal even when a token is set",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.console or settings.console_mode:
        configure_logging("WARNING")
        asyncio.run(run_console(settings))
        return
    configure_logging(settings.log_level)
    if settings.webhook_url:
        from assistant.tg.webhook import run_webhook

        run_webhook(settings)
        return
    application = build_application(settings, rate_limited=True)
    if settings.metrics_port:
        from assistant.tg.operations import serve_operations_while_polling

        serve_operations_while_polling(application, settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
