"""/web: the Mini App. In Telegram a button opens it (and this chat's menu button does from
then on); in console mode, or with `/web link`, a one-time link for a browser, valid 10 minutes.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from assistant.config import Settings
from assistant.i18n import t
from assistant.services import web_access
from assistant.services.errors import UserError
from assistant.tg.common import Reply, Request
from assistant.tg.registry import CommandSpec, Feature

logger = logging.getLogger(__name__)
LINK_WORDS = frozenset({"link", "链接", "连结", "browser", "浏览器"})


def app_address(settings: Settings) -> str | None:
    """Where the Mini App is reached: WEB_APP_URL, else this machine's WEB_PORT."""
    if settings.web_app_url:
        return settings.web_app_url.rstrip("/") + "/"
    if settings.web_port:
        return f"http://127.0.0.1:{settings.web_port}/app/"
    return None


def menu_button(settings: Settings, locale: str) -> MenuButtonWebApp | None:
    if settings.console_mode or not settings.web_app_url:
        return None
    url = app_address(settings)
    assert url is not None
    return MenuButtonWebApp(t(locale, "web.menu"), WebAppInfo(url))


async def web(request: Request) -> Reply:
    settings = request.app.settings
    address = app_address(settings)
    if address is None:
        raise UserError("web_not_served")
    wants_link = request.text.strip().lower() in LINK_WORDS
    button = menu_button(settings, request.locale)
    if button is not None and not wants_link:
        chat = request.update.effective_chat
        try:
            if chat is not None:
                await request.context.bot.set_chat_menu_button(chat.id, button)
        except TelegramError:  # the button below opens the app all the same
            logger.warning("could not set the chat's menu button", exc_info=True)
        opener = InlineKeyboardButton(t(request.locale, "web.open"), web_app=WebAppInfo(address))
        return Reply("web_open", keyboard=InlineKeyboardMarkup([[opener]]))
    secret = await web_access.issue_link(request.session, person=request.person, now=request.now)
    minutes = int(web_access.LINK_LIFETIME.total_seconds() // 60)
    return Reply("web_link", {"url": f"{address}login?t={secret}", "minutes": minutes})


FEATURE = Feature(commands=[CommandSpec("web", "basics", web)])
