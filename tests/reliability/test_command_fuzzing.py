"""Every registered command, sent generated text through the real Application: each answer is
a reply of its own (or a friendly refusal), never "something went wrong" and never an ERROR log.

The commands come from the Application's CommandHandlers, so a command added later is fuzzed
too. One bot serves the whole module (its state drifts as the examples run, as a real team's
would). It runs on SQLite only: every example is a full update with its transaction, and both
databases would double a run that is already the suite's longest; the extremes that behave
differently on PostgreSQL (integers beyond 64 bits, dates at the ends of the calendar) have
targeted tests on both databases in tests/e2e/test_extreme_input.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram.ext import CommandHandler

from assistant.config import Settings
from assistant.i18n import LOCALES
from assistant.render import Renderer
from assistant.tg.app import build_application
from assistant.tg.offline import OfflineRequest
from tests.databases import SqliteTemplate
from tests.e2e.test_teams import join_code
from tests.harness import ALICE, BOB, Harness, MutableClock, User

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))  # per command; raise it to hunt locally
GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Bridal team"}

# What a person could type after a command, biased towards the values that broke things:
# calendar ends, numbers beyond any column, unbounded ranges, odd unicode, nothing at all.
EXTREMES = [
    "0001-01-01", "9999-12-31", "9999-12", "0001-01", "10000-01-01", "9999-12-31 23:59",
    "12-31 23:59", "99999999999999999999", "-99999999999999999999", "1-5000", "1-99999999999",
    "99999999999999999998-99999999999999999999", "#99999999999999999999", "1e308", "1e400",
    "nan", "inf", "-0", "0", "-1", "½", "٣", "１２", "1.2万", "999999999亿", "12k", "", " ",
    "\x00", "\u202e", "\u200b", "\ufeff", "👨‍👩‍👧", "好" * 300, "a" * 4100, "{{ lead.name }}",
    "{% for x in y %}", "<b>", "&amp;", "|", "@", "#", "me", "all", "pool", "auto", "off", "on",
    "first 10", "前99999", "明年", "下个月", "周五下午3点", "tomorrow 3pm", "in 99999 years",
    "week", "month", "last week", "10月", "2026-02-30", "25:99", "-12:00", "+14", "UTC+99",
]  # fmt: skip
WORDS = [
    "展现", "花费", "cost", "到店", "visited", "won", "lost", "A", "B", "auto", "manager", "rep",
    "owner", "stale", "claim", "mode", "goal", "digest", "days", "quiet", "morning", "add",
    "edit", "retire", "stats", "set", "list", "revoke", "once", "name", "phone", "date",
]  # fmt: skip
token = st.one_of(
    st.sampled_from(EXTREMES),
    st.sampled_from(WORDS),
    st.sampled_from(["1", "2", "3", "bob", "alice", "2 1"]),  # leads and members that exist
    st.integers(-(10**25), 10**25).map(str),
    st.text(max_size=12),
)
arguments = st.one_of(
    st.lists(token, max_size=4).map(" ".join),
    st.text(max_size=80),
)
# Tried for every command before the generated ones: each extreme alone, and after a lead
# number or a member, where most commands expect them.
EXPLICIT = [
    "", "0001-01-01", "9999-12-31", "9999-12", "0001-01-01 9999-12-31", "99999999999999999999",
    "1 99999999999999999999", "1 9999-12-31", "1 9999-12-31 23:59", "1 0001-01-01",
    "20 9999-12", "2 1 99999999999999999999", "99999999999999999999 bob", "1-5000 5001-10000 bob",
    "1e400", "1 1e308", "\x00", "1 \x00", "a" * 5000, "\u202e\u200b",
]  # fmt: skip


def with_extremes(test: Any) -> Any:
    for text in reversed(EXPLICIT):
        test = example(text=text, user=ALICE, in_group=False)(test)
    return test


def registered_commands() -> list[str]:
    """Every command a CommandHandler of the Application answers."""
    offline = Settings(_env_file=None, database_url="sqlite+aiosqlite://", telegram_bot_token=None)  # type: ignore[call-arg]
    application = build_application(offline, request=OfflineRequest())
    names = {
        name
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    return sorted(names)


@dataclass
class ErrorLog(logging.Handler):
    records: list[logging.LogRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __hash__(self) -> int:
        return id(self)


@dataclass
class Fuzzed:
    runner: asyncio.Runner
    bot: Harness
    errors: ErrorLog
    unexpected: list[str]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    template = SqliteTemplate(tmp_path_factory.mktemp("fuzz-template"))
    url = template.fresh(tmp_path_factory.mktemp("fuzz"))
    settings_ = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    runner = asyncio.Runner()
    bot = Harness(settings_, MutableClock())
    runner.run(bot.start())
    runner.run(_a_team_with_leads(bot))
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    renderer = Renderer()
    unexpected = [renderer.render(locale, "errors/unexpected") for locale in LOCALES]
    try:
        yield Fuzzed(runner, bot, errors, unexpected)
    finally:
        logging.getLogger().removeHandler(errors)
        runner.run(bot.stop())
        runner.close()


async def _a_team_with_leads(bot: Harness) -> None:
    """Alice owns a team with Bob in it, a linked group and leads in most states."""
    code = join_code(await bot.reply_text("/newteam Bridal", ALICE))
    await bot.send(f"/start join_{code}", BOB)
    await bot.send("/link", ALICE, GROUP)
    await bot.send("/tz America/Los_Angeles", ALICE)  # a western zone: the year 9999 is near
    for line in ("王女士 13800138000 婚期 明年5月", "李先生 wx:li_88 抖音", "赵女士 pool"):
        await bot.send(f"/add {line}", ALICE)
    await bot.send("/won 1 8800", ALICE)
    await bot.send("/assign 3 bob", ALICE)


COMMANDS = registered_commands()


@pytest.mark.parametrize("command", COMMANDS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@with_extremes
@given(text=arguments, user=st.sampled_from([ALICE, BOB]), in_group=st.booleans())
def test_every_command_answers_generated_text_without_failing(
    fuzzed: Fuzzed, command: str, text: str, user: User, in_group: bool
) -> None:
    fuzzed.errors.records.clear()
    message = f"/{command} {text}" if text else f"/{command}"
    calls = fuzzed.runner.run(fuzzed.bot.send(message, user, GROUP if in_group else None))
    failed = [call.text for call in calls if any(text in call.text for text in fuzzed.unexpected)]
    logged = [
        f"{record.getMessage()}: {record.exc_info[1]!r}" if record.exc_info else record.getMessage()
        for record in fuzzed.errors.records
    ]
    assert not failed and not logged, (message, logged)
