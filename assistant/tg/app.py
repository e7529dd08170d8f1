"""The composition root: builds the Application and registers every feature."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from assistant.clock import Clock, system_clock
from assistant.config import Settings
from assistant.db.migrate import upgrade_to_head
from assistant.db.session import checkpoints, make_engine, make_sessionmaker
from assistant.i18n import t
from assistant.render import Renderer
from assistant.services import conversation
from assistant.services.errors import UserError
from assistant.tg.common import AppContext, HandlerFn, Reply, Request, command, run_handler
from assistant.tg.handlers import (
    basics,
    groups,
    import_export,
    leads,
    manager,
    messages,
    numbers,
    reminders,
    teams,
    web,
)
from assistant.tg.handlers import pool as pool_feature
from assistant.tg.handlers import scripts as scripts_feature
from assistant.tg.handlers import spaces as spaces_feature
from assistant.tg.handlers import today as today_handlers
from assistant.tg.jobs import install_jobs, step_down
from assistant.tg.keyboards import Signer
from assistant.tg.metered import MeteredRequest
from assistant.tg.ordering import PersonOrder
from assistant.tg.registry import CommandSpec, Feature, routes

logger = logging.getLogger(__name__)

# A syntactically valid token for console mode and tests; it never reaches Telegram.
OFFLINE_TOKEN = "1:offline-console-token"
TASK_ORDER = ("basics", "leads", "work", "numbers", "scripts", "teams", "pool", "group")


FEATURES: list[Feature] = [
    basics.FEATURE,
    teams.FEATURE,
    spaces_feature.FEATURE,
    leads.FEATURE,
    import_export.FEATURE,
    messages.FEATURE,
    groups.FEATURE,
    numbers.FEATURE,
    scripts_feature.FEATURE,
    today_handlers.FEATURE,
    reminders.FEATURE,
    manager.FEATURE,
    pool_feature.FEATURE,
    web.FEATURE,
]
# Checked here, at start-up: a callback code or flow claimed by two features stops the bot.
ROUTES = routes(FEATURES)


def all_commands() -> list[CommandSpec]:
    return [spec for feature in FEATURES for spec in feature.commands]


def help_sections() -> list[tuple[str, list[str]]]:
    """Commands grouped by task, in the order a newcomer needs them."""
    by_task: dict[str, list[str]] = {}
    for spec in all_commands():
        by_task.setdefault(spec.task, []).append(spec.name)
    ordered = [task for task in TASK_ORDER if task in by_task]
    ordered += [task for task in by_task if task not in TASK_ORDER]
    return [(task, by_task[task]) for task in ordered]


def _bot_commands(locale: str, *, group: bool) -> list[BotCommand]:
    return [
        BotCommand(spec.name, t(locale, f"commands.{spec.name}"))
        for spec in all_commands()
        if (spec.group if group else spec.private)
    ]


# Telegram keys command menus by a two-letter language code, so "zh" (every Chinese client) gets
# the simplified menu; a chat whose person reads traditional Chinese gets its own menu instead
# (chat_command_menu, on /start and /lang).
MENU_LANGUAGES = {"zh-Hans": "zh", "en": "en"}


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    bot = application.bot
    for locale, language in MENU_LANGUAGES.items():
        await bot.set_my_commands(
            _bot_commands(locale, group=False),
            scope=BotCommandScopeAllPrivateChats(),
            language_code=language,
        )
        await bot.set_my_commands(
            _bot_commands(locale, group=True),
            scope=BotCommandScopeAllGroupChats(),
            language_code=language,
        )
    await bot.set_my_commands(_bot_commands("zh-Hans", group=False), scope=BotCommandScopeDefault())


async def chat_command_menu(bot: Bot, chat_id: int, locale: str) -> None:
    """The command menu of one private chat, in the locale its person chose."""
    try:
        await bot.set_my_commands(
            _bot_commands(locale, group=False), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError:  # the menu is a convenience; the reply already went out
        logger.warning("could not set the command menu of a chat", exc_info=True)


async def _unknown_command(request: Request) -> Reply:
    return Reply("errors/unknown_command")


async def _bad_button(request: Request) -> Reply:
    raise UserError("bad_button")


async def _text(request: Request) -> Reply | list[Reply] | None:
    assert request.person.id is not None
    chat = request.update.effective_chat
    state = await conversation.get_state(request.session, request.person.id, chat.id if chat else 0)
    flow = ROUTES.flows.get(state.flow) if state is not None else None
    if flow is not None:
        return await flow(request)
    return await messages.free_text(request)  # a pasted lead, or the hint


async def _dispatch_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    app: AppContext = context.application.bot_data["app"]
    parts = app.signer.verify(query.data or "")
    handler: HandlerFn = _bad_button
    args: list[str] = []
    if parts and parts[0] in ROUTES.callbacks:
        handler, args = ROUTES.callbacks[parts[0]], parts[1:]
    await run_handler(handler, update, context, args, label="button")


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=context.error)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    app: AppContext = application.bot_data["app"]
    await upgrade_to_head(application.bot_data["engine"])
    install_jobs(application)
    try:
        await register_commands(application)
    except Exception:  # commands are a convenience; the bot works without them
        logger.warning("could not register the command menu", exc_info=True)
    button = web.menu_button(app.settings, app.settings.default_locale)
    if button is not None:
        try:  # every private chat's menu button opens the Mini App
            await application.bot.set_chat_menu_button(menu_button=button)
        except Exception:
            logger.warning("could not set the menu button", exc_info=True)
    engine: AsyncEngine = application.bot_data["engine"]
    if engine.dialect.name == "sqlite":
        application.bot_data["checkpoints"] = asyncio.create_task(checkpoints(engine))
    logger.info("bot ready (database %s)", app.settings.database_url.split("://", 1)[0])
    if gc.get_freeze_count() == 0:
        # What start-up left alive (modules, SQLAlchemy and PTB machinery, about 130k objects)
        # is out of the collector's sight from now on: a full collection walked it all, a
        # pause of about 0.3 s for whichever update happened to trigger one. Once per process.
        gc.freeze()


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    task: asyncio.Task[None] | None = application.bot_data.pop("checkpoints", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await step_down(application)
    await application.bot_data["engine"].dispose()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock = system_clock,
    rate_limited: bool = False,
) -> Application:  # type: ignore[type-arg]
    builder = (
        ApplicationBuilder()
        .token(settings.token or OFFLINE_TOKEN)
        .base_url(settings.telegram_base_url)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(PersonOrder(settings.update_concurrency))
    )
    # Replies and pushes go through the metered request (messages sent, 429s for /metrics);
    # long polling keeps a plain connection of its own, as PTB sets it up by default.
    builder = builder.request(MeteredRequest(request or HTTPXRequest(connection_pool_size=256)))
    if request is not None:
        builder = builder.get_updates_request(request)
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    application = builder.build()
    engine = make_engine(settings.database_url)
    application.bot_data["engine"] = engine
    application.bot_data["app"] = AppContext(
        settings=settings,
        sessionmaker=make_sessionmaker(engine),
        renderer=Renderer(),
        clock=clock,
        signer=Signer(settings.signing_key()),
    )
    _register_handlers(application, FEATURES)
    application.add_error_handler(_on_error)
    return application


def _register_handlers(application: Application, features: Sequence[Feature]) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    for feature in features:
        for spec in feature.commands:
            chats = private if not spec.group else (filters.ChatType.GROUPS | private)
            if spec.group and not spec.private:
                chats = filters.ChatType.GROUPS
            callback = command(spec.handler, f"/{spec.name}")
            application.add_handler(CommandHandler(spec.name, callback, filters=chats))
        if feature.chat_member is not None:
            application.add_handler(
                ChatMemberHandler(command(feature.chat_member), ChatMemberHandler.MY_CHAT_MEMBER)
            )
    kinds = {
        "contact": filters.CONTACT & private,
        "document": filters.Document.ALL & private,
        "forwarded": filters.FORWARDED & filters.TEXT & ~filters.COMMAND & private,
        "migrated": filters.StatusUpdate.MIGRATE,
    }
    for feature in features:
        for kind, handler in feature.messages.items():
            callback = command(handler, kind, feature.prepare.get(kind))
            application.add_handler(MessageHandler(kinds[kind], callback))
    application.add_handler(CallbackQueryHandler(_dispatch_callback))
    application.add_handler(MessageHandler(filters.COMMAND & private, command(_unknown_command)))
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, command(_text))
    )


async def start_application(application: Application) -> None:  # type: ignore[type-arg]
    """Initialise and start without polling, as console mode and the tests do."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()


async def stop_application(application: Application) -> None:  # type: ignore[type-arg]
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
