"""Every message the bot sends is rendered here from a Jinja2 template in the person's locale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from assistant.domain.messengers import DEFAULT_MESSENGER, WECHAT, known_messenger
from assistant.i18n import DEFAULT_LOCALE, LOCALES, source_label, t
from assistant.render import formats

TELEGRAM_LIMIT = 4096
TEMPLATES = Path(__file__).parent / "templates"


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split on line breaks so every part stays below Telegram's limit.

    A single line longer than the limit is cut at the limit as a last resort, never inside
    an HTML entity.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = limit
            amp = line.rfind("&", 0, cut)
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp or limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()] or [text[:limit]]


def noun(count: object, singular: str, plural: str | None = None) -> str:
    """The noun for a count: 'lead' for 1, 'leads' otherwise ('reply', 'replies')."""
    return singular if str(count).strip() in {"1", "-1"} else (plural or f"{singular}s")


def counted(count: object, singular: str, plural: str | None = None) -> str:
    """A count with its noun: `{{ n | plural("lead") }}` -> '1 lead', '3 leads'."""
    return f"{count} {noun(count, singular, plural)}"


def _messenger_helpers(locale: str) -> dict[str, Any]:
    """`chat_app()` names the app of the context's `messenger` (the team's; WeChat when a view
    does not say), `chat_app(lead.messenger)` a lead's; `rate_name(key)` names a rate, the
    "added" one after the team's app (转微信率, 加LINE率)."""

    def app_of(context: Context, name: str | None) -> str:
        return known_messenger(name or context.get("messenger"))

    @pass_context
    def chat_app(context: Context, name: str | None = None) -> str:
        return t(locale, f"messengers.{app_of(context, name)}")

    @pass_context
    def chat_added(context: Context, name: str | None = None) -> str:
        return t(locale, f"messenger_added.{app_of(context, name)}")

    @pass_context
    def rate_name(context: Context, key: str, names: str = "analytics.rate") -> str:
        app = app_of(context, None)
        if key == "wechat_rate" and app != WECHAT:
            key = f"{app}_rate"
        return t(locale, f"{names}.{key}")

    return {
        "messenger": DEFAULT_MESSENGER,
        "chat_app": chat_app,
        "chat_added": chat_added,
        "rate_name": rate_name,
    }


class Renderer:
    """One autoescaping Jinja2 environment per locale, built once and reused."""

    def __init__(self) -> None:
        self._environments = {locale: self._environment(locale) for locale in LOCALES}

    @staticmethod
    def _environment(locale: str) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(TEMPLATES / locale),
            autoescape=select_autoescape(["html.j2"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # templates do not change while the bot runs: no stat per reply
        )
        environment.globals["t"] = lambda key, **values: t(locale, key, **values)
        environment.globals["locale"] = locale
        environment.filters["source"] = lambda value: source_label(value, locale)
        environment.filters["plural"] = counted  # English counts; Chinese has no plural
        environment.filters["number"] = "{:,}".format  # 20,000: the way both languages group digits
        for name in ("day", "month", "month_day", "time", "date_time", "short"):
            environment.filters[name] = getattr(formats, name)  # render/formats.py: one of each
        environment.filters["moment"] = lambda value: formats.moment(value, locale)
        environment.globals["noun"] = noun
        environment.globals.update(_messenger_helpers(locale))
        return environment

    def render(self, locale: str, template: str, **context: Any) -> str:
        environment = self._environments.get(locale) or self._environments[DEFAULT_LOCALE]
        return environment.get_template(f"{template}.html.j2").render(**context).strip()

    def messages(self, locale: str, template: str, **context: Any) -> list[str]:
        return split_message(self.render(locale, template, **context))
