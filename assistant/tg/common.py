"""Shared plumbing for handlers: one unit of work per update, replies rendered from templates."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from assistant import metrics
from assistant.clock import Clock
from assistant.config import Settings
from assistant.db.session import Sessionmaker
from assistant.i18n import normalize_locale
from assistant.i18n.hant import as_typed, reading, to_simplified
from assistant.render import Renderer
from assistant.services.errors import UserError
from assistant.services.people import Profile
from assistant.services.uow import DuplicateUpdate, Entered, UnitOfWork, claim_alone
from assistant.tg.keyboards import Signer

logger = logging.getLogger(__name__)
CAPTION_LIMIT = 1024


@dataclass
class AppContext:
    """Everything a handler needs, built once in the composition root."""

    settings: Settings
    sessionmaker: Sessionmaker
    renderer: Renderer
    clock: Clock
    signer: Signer


@dataclass
class Reply:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    keyboard: InlineKeyboardMarkup | None = None
    edit: bool = False  # replace the message whose button was pressed
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    chat_id: int | None = None  # another chat (e.g. tell a manager); default: this chat
    locale: str | None = None  # the recipient's locale when it is not the sender's
    menu_locale: str | None = None  # this private chat's command menu switches to it
    replace: int | None = None  # a message of ours (a progress note) this reply is written over


@dataclass
class Request(Entered):
    """One update on its way to a use case: the unit of work it entered and what was typed."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    app: AppContext
    uow: UnitOfWork
    args: list[str]
    prepared: Any = None  # what the handler's Prepare step read before the transaction

    @property
    def text(self) -> str:
        """Everything after the command, read as simplified Chinese: what parsers get.

        Traditional characters read like simplified ones, position for position (下週六 is
        下周六); what is stored from it goes back to the typed form through `as_typed`.
        """
        return to_simplified(self.typed_text)

    @property
    def typed_text(self) -> str:
        """Everything after the command, exactly as typed."""
        raw = message_text(self.update)
        if raw.startswith("/"):
            _, _, rest = raw.partition(" ")
            return rest.strip()
        return raw.strip()

    @property
    def locale(self) -> str:
        return self.person.locale

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time in the person's own time zone."""
        return moment.astimezone(ZoneInfo(self.person.timezone))

    @property
    def sign(self) -> Callable[..., str]:
        return self.app.signer.sign


def typed(text: str) -> str:
    """What a person typed, without NUL characters: no keyboard makes one, and PostgreSQL
    text cannot hold it (the database layer drops any that arrive another way)."""
    return text.replace("\x00", "")


HandlerFn = Callable[[Request], Awaitable[Reply | list[Reply] | None]]
# Slow input a handler needs (a file to download and parse), read before its transaction opens
# so that no write lock waits on the network or the CPU; the result is `Request.prepared`.
Prepare = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


def message_text(update: Update) -> str:
    message = update.effective_message
    return typed(message.text or message.caption or "") if message else ""


def app_context(context: ContextTypes.DEFAULT_TYPE) -> AppContext:
    app: AppContext = context.application.bot_data["app"]
    return app


# bot_data key: ids of users whose Telegram first name is a stand-in, not a name to give clients
# (the console's person: "终端用户" is how the team sees them, scripts use a neutral word).
NAMELESS_USERS = "nameless_users"


def profile_of(update: Update, nameless: Collection[int] = ()) -> Profile | None:
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    private_chat = chat.id if chat is not None and chat.type == "private" else None
    return Profile(
        tg_user_id=user.id,
        chat_id=private_chat,
        name=user.full_name,
        username=user.username,
        language_code=user.language_code,
        first_name=None if user.id in nameless else user.first_name,
    )


async def deliver(
    context: ContextTypes.DEFAULT_TYPE, update: Update | None, locale: str, replies: list[Reply]
) -> None:
    app = app_context(context)
    bot = context.bot
    for reply in replies:
        reply_locale = reply.locale or locale
        chat = update.effective_chat if update else None
        chat_id = reply.chat_id or (chat.id if chat else None)
        if chat_id is None:
            continue
        if reply.menu_locale is not None:
            from assistant.tg.app import chat_command_menu

            await chat_command_menu(bot, chat_id, reply.menu_locale)
        if reply.photo is not None:
            caption = app.renderer.render(reply_locale, reply.template, **reply.context)
            photo = InputFile(reply.photo, filename=reply.filename or None)
            await bot.send_photo(
                chat_id, photo, caption=caption[:CAPTION_LIMIT], parse_mode=ParseMode.HTML
            )
            continue
        if reply.document is not None:
            caption = app.renderer.render(reply_locale, reply.template, **reply.context)
            await bot.send_document(
                chat_id,
                InputFile(reply.document, filename=reply.filename),
                caption=caption[:CAPTION_LIMIT],
                parse_mode=ParseMode.HTML,
            )
            continue
        parts = app.renderer.messages(reply_locale, reply.template, **reply.context)
        query = update.callback_query if update else None
        # A keyboard without a button is no keyboard: Telegram answers one with an error.
        keyboard = reply.keyboard if reply.keyboard and reply.keyboard.inline_keyboard else None
        if reply.replace is not None:
            try:
                await bot.edit_message_text(
                    parts[0],
                    chat_id=chat_id,
                    message_id=reply.replace,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard if len(parts) == 1 else None,
                )
                parts = parts[1:]
            except TelegramError:  # the note was deleted meanwhile: the reply comes on its own
                logger.info("could not write the reply over message %s", reply.replace)
        if reply.edit and query is not None and query.message is not None and len(parts) == 1:
            await query.edit_message_text(
                parts[0], parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
            continue
        for index, part in enumerate(parts):
            markup = keyboard if index == len(parts) - 1 else None
            await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=None,
            )


def _as_list(result: Reply | list[Reply] | None) -> list[Reply]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


async def run_handler(
    fn: HandlerFn,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    args: list[str],
    *,
    label: str = "other",
    prepare: Prepare | None = None,
) -> None:
    """Run one use case in one transaction, then send what it returned; counted in /metrics
    under `label` (the command, "button", "text", …)."""
    started = time.perf_counter()
    outcome = "error"
    try:
        with reading(message_text(update)):  # the message, as typed and as read
            outcome = await _handle(fn, update, context, args, prepare)
    finally:
        metrics.UPDATES.labels(label, outcome).inc()
        metrics.UPDATE_SECONDS.labels(label).observe(time.perf_counter() - started)


async def _handle(
    fn: HandlerFn,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    args: list[str],
    prepare: Prepare | None = None,
) -> str:
    """The use case and its reply; returns the outcome: ok, user_error, duplicate, ignored.

    Nothing is sent until the transaction has committed, so a reply never claims a change
    that was rolled back.
    """
    app = app_context(context)
    profile = profile_of(update, context.application.bot_data.get(NAMELESS_USERS, ()))
    if profile is None:
        return "ignored"
    locale = normalize_locale(profile.language_code, app.settings.default_locale)
    uow = UnitOfWork(
        app.sessionmaker,
        update_id=update.update_id,
        profile=profile,
        settings=app.settings,
        clock=app.clock,
    )
    try:
        prepared = await prepare(update, context) if prepare is not None else None
        async with uow:
            locale = uow.person.locale
            replies = _as_list(await fn(Request(update, context, app, uow, args, prepared)))
            locale = uow.person.locale  # /lang may have just changed it
    except DuplicateUpdate:
        logger.info("update %s was already processed", update.update_id)
        return "duplicate"
    except UserError as error:
        # The use case's changes are rolled back, and the claim with them; record the update
        # as handled anyway, or a redelivery (to this process or another) is answered twice.
        if not await claim_alone(app.sessionmaker, update.update_id):
            logger.info("update %s was already processed", update.update_id)
            return "duplicate"
        said = {**error.context}
        if isinstance(said.get("given"), str):  # what the person typed, said back as typed
            said["given"] = as_typed(said["given"])
        await deliver(context, update, locale, [Reply(f"errors/{error.key}", said)])
        await _answer_callback(update)
        return "user_error"
    except Exception:
        await deliver(context, update, locale, [Reply("errors/unexpected")])
        await _answer_callback(update)
        raise
    await deliver(context, update, locale, replies)
    await _answer_callback(update)
    return "ok"


async def _answer_callback(update: Update) -> None:
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except Exception:  # the button still did its work; a late answer is harmless
            logger.debug("could not answer callback query")


def command(
    fn: HandlerFn, label: str | None = None, prepare: Prepare | None = None
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A PTB callback running `fn`; `label` names it in /metrics (default: the function);
    `prepare` runs first, outside the transaction."""
    name = label or fn.__name__.strip("_")

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The words after the command, read as simplified (下週六 is 下周六) for every parser.
        args = [to_simplified(arg) for arg in map(typed, context.args or []) if arg]
        await run_handler(fn, update, context, args, label=name, prepare=prepare)

    handle.__name__ = fn.__name__
    return handle
