"""Run the sales assistant: long polling with a token, a webhook server with WEBHOOK_URL,
console mode without a token."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from telegram import Update

from assistant.arenas import limit_malloc_arenas
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
    parser.add_argument(
        "--demo",
        action="store_true",
        help="console mode on a throw-away database holding a month of a team of five",
    )
    parser.add_argument(
        "action",
        nargs="?",
        choices=["backup", "restore"],
        help="backup FILE: copy the store to FILE (safe while the bot runs); "
        "restore FILE: put a backup back",
    )
    parser.add_argument("file", nargs="?", type=Path, help="the backup file")
    parser.add_argument(
        "--force",
        action="store_true",
        help="restore over a store that holds data or is open (it is copied aside first)",
    )
    args = parser.parse_args(argv)
    limit_malloc_arenas()  # before any thread starts (assistant/arenas.py)
    settings = Settings()
    if args.action is not None:
        if args.file is None:
            parser.error(f"give the backup file: python bot.py {args.action} <file>")
        sys.exit(_backup_or_restore(settings, args.action, args.file, force=args.force))
    if args.demo:
        from assistant.demo import run_demo

        configure_logging("WARNING")
        asyncio.run(run_demo(settings))
        return
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
    if settings.web_port:
        from assistant.web.server import serve_web_while_polling

        serve_web_while_polling(application, settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def _backup_or_restore(settings: Settings, action: str, file: Path, *, force: bool) -> int:
    from assistant.db.backup import BackupError, backup, restore

    try:
        if action == "backup":
            print(backup(settings.database_url, file))
        else:
            print(restore(settings.database_url, file, force=force))
    except BackupError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    main()
