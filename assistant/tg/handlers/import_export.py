"""/import and /export in a private chat.

An import reads its file before the transaction opens (`read_upload`, the document's Prepare
step): the download, the parsing and the row checks take seconds for a big file, and a
transaction that has written its update claim holds SQLite's write lock, so another person's
/add would wait behind them and give up after the busy timeout. The transaction that follows
(`document`) only reads the team's phones and WeChat ids and writes the rows.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Final

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from assistant.render import Renderer
from assistant.services import importexport, permissions, pool
from assistant.services import leads as svc
from assistant.services.errors import UserError
from assistant.services.people import find_person
from assistant.services.uow import UnitOfWork
from assistant.tg.common import Reply, Request, app_context
from assistant.tg.registry import CommandSpec, Feature

logger = logging.getLogger(__name__)
IMPORT_FLOW: Final = "lead_import"
BAD_ROWS_SHOWN: Final = 50
PROGRESS_FROM: Final = 1_000  # rows: a shorter import answers before a note would help


def _chat_id(request: Request) -> int:
    chat = request.update.effective_chat
    return chat.id if chat else 0


async def export(request: Request) -> Reply:
    scope = await request.actor()
    data, count = await importexport.export_csv(request.session, scope)
    stamp = request.local(request.now).strftime("%Y%m%d-%H%M")
    return Reply(
        "leads/exported",
        {"count": count, "team": scope.team.name, "whole_team": permissions.sees_all(scope.member)},
        document=data,
        filename=f"leads-{stamp}.csv",
    )


async def import_command(request: Request) -> Reply:
    scope = await request.actor()
    to_pool = pool.is_pool_word(request.text) if request.text else False
    if to_pool:
        permissions.require_manager(scope.member)
    await svc.set_state(
        request.session, scope.person_id, _chat_id(request),
        flow=IMPORT_FLOW, step="file", data={"pool": to_pool}, now=request.now,
    )  # fmt: skip
    return Reply("leads/import_ask", {"limit": importexport.MAX_ROWS, "again": False})


async def import_waiting(request: Request) -> Reply:
    return Reply("leads/import_ask", {"limit": importexport.MAX_ROWS, "again": True})


async def download(bot: Bot, file_id: str) -> bytes:
    """The document's bytes from Telegram (a seam the tests replace)."""
    telegram_file = await bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())


# ---------------------------------------------------------------- before the transaction


class Progress:
    """One message following a long import: rows read, then saving; the result replaces it.

    Edits go out one at a time, each showing the latest count, so a fast check never queues
    more edits than Telegram would take; a failed edit costs nothing but the note.
    """

    def __init__(self, bot: Bot, chat_id: int, renderer: Renderer, locale: str, total: int):
        self.bot, self.chat_id, self.total = bot, chat_id, total
        self.renderer, self.locale = renderer, locale
        self.message_id: int | None = None
        self._latest = self._shown = 0
        self._task: asyncio.Task[None] | None = None

    def _text(self, stage: str, done: int) -> str:
        return self.renderer.render(
            self.locale, "leads/import_progress", stage=stage, done=f"{done:,}",
            total=f"{self.total:,}",
        )  # fmt: skip

    async def start(self) -> None:
        try:
            message = await self.bot.send_message(
                self.chat_id, self._text("read", 0), parse_mode=ParseMode.HTML
            )
        except TelegramError:
            logger.info("could not send the import progress note")
            return
        self.message_id = message.message_id

    def heard(self, done: int) -> None:
        """`done` rows are checked (called on the event loop)."""
        self._latest = done
        if self.message_id is not None and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._show())

    async def _show(self) -> None:
        while self._shown != self._latest:
            self._shown = self._latest
            await self._edit(self._text("read", self._shown))

    async def saving(self, rows: int) -> None:
        if self._task is not None:
            await self._task
        if self.message_id is not None:
            await self._edit(self._text("save", rows))

    async def _edit(self, text: str) -> None:
        try:
            await self.bot.edit_message_text(
                text, chat_id=self.chat_id, message_id=self.message_id, parse_mode=ParseMode.HTML
            )
        except TelegramError:
            logger.debug("could not update the import progress note")


@dataclass
class Upload:
    """A document read before the transaction: its rows, and their checks when the sender was
    known already (a first message ever is checked inside the transaction instead)."""

    table: list[list[str]]
    checked: importexport.CheckedTable | None
    progress_id: int | None = None


async def read_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Upload | None:
    """Download, parse and check a document meant for /import; None for any other document.

    Reads the person, their team and their conversation state in a unit of work of its own (no
    update claim, no person made) that writes nothing and so takes no lock; the transaction
    checks them again.
    """
    message = update.effective_message
    user = update.effective_user
    doc = message.document if message else None
    if message is None or doc is None or user is None:
        return None
    app = app_context(context)
    chat_id = message.chat_id
    words = (message.caption or "").strip().lower().split()
    captioned = bool(words) and words[0].startswith("/import")
    rules = person = None
    async with UnitOfWork(app.sessionmaker) as uow:
        session = uow.session
        person = await find_person(session, tg_user_id=user.id)
        if person is not None:
            assert person.id is not None
            state = await svc.get_state(session, person.id, chat_id)
            waiting = state is not None and state.flow == IMPORT_FLOW
            if not (captioned or waiting):
                return None
            scope = await svc.actor_of(session, person)
            to_pool = any(pool.is_pool_word(word) for word in words[1:]) or bool(
                waiting and state is not None and state.data.get("pool")
            )
            if to_pool:
                permissions.require_manager(scope.member)
            rules = importexport.RowRules.of(scope, app.clock())
        elif not captioned:
            return None
    if doc.file_size and doc.file_size > importexport.MAX_BYTES:
        raise UserError("import_too_big", limit=importexport.MAX_BYTES // (1024 * 1024))
    data = await download(context.bot, doc.file_id)
    name = doc.file_name or "file.csv"
    table = await asyncio.to_thread(importexport.read_table, data, name)
    del data
    if rules is None or person is None:
        return Upload(table, None)
    importexport.check_header(table)
    total = importexport.count_rows(table)
    progress = None
    if total >= PROGRESS_FROM:
        progress = Progress(context.bot, chat_id, app.renderer, person.locale, total)
        await progress.start()
    loop = asyncio.get_running_loop()

    def heard(done: int) -> None:  # on the worker thread
        if progress is not None:
            loop.call_soon_threadsafe(progress.heard, done)

    every = max(PROGRESS_FROM, -(-total // 10 // PROGRESS_FROM) * PROGRESS_FROM)
    checked = await asyncio.to_thread(importexport.check_table, table, rules, heard, every)
    if progress is None:
        return Upload(table, checked)
    await progress.saving(len(checked.good))
    return Upload(table, checked, progress.message_id)


# ---------------------------------------------------------------- in the transaction


async def document(request: Request) -> Reply:
    message = request.update.effective_message
    doc = message.document if message else None
    if doc is None:
        raise UserError("bad_button")
    scope = await request.actor()
    state = await svc.get_state(request.session, scope.person_id, _chat_id(request))
    caption = (message.caption or "").strip().lower() if message else ""
    waiting = state is not None and state.flow == IMPORT_FLOW
    if not caption.startswith("/import") and not waiting:
        return Reply("leads/document_hint")
    upload: Upload | None = request.prepared
    if upload is None:  # the file arrived as /import was being answered: ask for it again
        return await import_waiting(request)
    to_pool = any(pool.is_pool_word(word) for word in caption.split()[1:]) or bool(
        waiting and state is not None and state.data.get("pool")
    )
    if to_pool:
        permissions.require_manager(scope.member)
    checked = upload.checked or importexport.check_table(
        upload.table, importexport.RowRules.of(scope, request.now)
    )
    result = await importexport.store_checked(
        request.session, scope, checked, request.now, pool=to_pool
    )
    await svc.clear_state(request.session, scope.person_id, _chat_id(request))
    return Reply(
        "leads/imported",
        {
            "stored": result.stored,
            "bad": result.bad[:BAD_ROWS_SHOWN],
            "bad_total": len(result.bad),
            "duplicates": result.duplicates,
            "more": max(0, len(result.bad) - BAD_ROWS_SHOWN),
            "pool": to_pool,
        },
        replace=upload.progress_id,
    )


FEATURE = Feature(
    commands=[
        CommandSpec("import", "leads", import_command),
        CommandSpec("export", "leads", export),
    ],
    flows={IMPORT_FLOW: import_waiting},
    messages={"document": document},
    prepare={"document": read_upload},
)
