"""The two reference bots of PRODUCT.md section 10, measured in the same run as ours.

- bare: a python-telegram-bot echo bot, nothing else.
- template: a typical template bot: a new SQLModel AsyncSession per update, insert, commit, count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, event, func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from assistant.tg.app import OFFLINE_TOKEN
from assistant.tg.offline import OfflineRequest

_metadata = MetaData()
_notes = Table("note", _metadata, Column("id", Integer, primary_key=True), Column("text", String))


def _wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def bare_echo_bot() -> tuple[Application, OfflineRequest]:  # type: ignore[type-arg]
    request = OfflineRequest()
    application = ApplicationBuilder().token(OFFLINE_TOKEN).request(request).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application, request


async def template_bot(directory: Path) -> tuple[Application, OfflineRequest]:  # type: ignore[type-arg]
    request = OfflineRequest()
    application = ApplicationBuilder().token(OFFLINE_TOKEN).request(request).build()
    # A typical engine: stock aiosqlite with WAL, not the bot's tuned one (assistant/db).
    engine = create_async_engine(f"sqlite+aiosqlite:///{directory / 'template-bot.db'}")
    event.listen(engine.sync_engine, "connect", _wal)
    async with engine.begin() as connection:
        await connection.run_sync(_metadata.create_all)
    sessionmaker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    application.bot_data["engine"] = engine

    async def store_and_count(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        session: AsyncSession
        async with sessionmaker() as session:
            await session.exec(insert(_notes).values(text=update.effective_message.text))  # type: ignore[call-overload]
            await session.commit()
            count = (await session.exec(select(func.count()).select_from(_notes))).one()  # type: ignore[call-overload]
        await update.effective_message.reply_text(f"{count} notes")

    application.add_handler(MessageHandler(filters.TEXT, store_and_count))
    return application, request
