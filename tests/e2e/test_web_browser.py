"""A real headless Chromium (Debian's chromium and chromium-driver, through Selenium) opens the
Mini App the way Telegram does, with signed initData in the address's fragment: the manager's
team table agrees with /team, and a lead moved on the rep's board shows its new stage in /lead.
The pages are photographed (zh-Hans, phone-sized): into docs/ for the README with
`UPDATE_SCREENSHOTS=1`, else into the test's temporary folder, so a test run leaves the work
tree as it was.

Without the browser the test is skipped on a developer's machine and fails in CI (CI=true),
where .ci/run installs it.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from starlette.applications import Starlette

from assistant.config import Settings
from assistant.web.app import web_mount
from tests.e2e.web_support import bridal_team, signed
from tests.harness import ALICE, BOB, Harness, User

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = ("mini-app-manager-zh.png", "mini-app-rep-zh.png")
THEME = '{"bg_color":"#ffffff","text_color":"#000000","button_color":"#3390ec"}'
WAIT_SECONDS = 20


def _browser_or_skip() -> None:
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER):
        return
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are missing: .ci/run installs them")
    pytest.skip("install Debian's chromium and chromium-driver to run the browser test")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, telegram_bot_token=None, web_port=8089
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def served(bot: Harness) -> AsyncIterator[str]:
    """The Mini App on a real port, in this test's event loop (the database's)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[web_mount(bot.app)]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}/app/"
    server.should_exit = True
    await task


@pytest.fixture
def driver() -> Iterator[Any]:
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    arguments = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=390,844", "--lang=zh-CN")  # fmt: skip
    for argument in arguments:
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def _opened_in_telegram(driver: Any, address: str, bot: Harness, user: User) -> None:
    init_data = signed(user, bot.app.bot.token, bot.clock())
    driver.get("about:blank")  # a new fragment alone would not load the page again
    fragment = f"tgWebAppData={quote(init_data)}&tgWebAppThemeParams={quote(THEME)}"
    driver.get(f"{address}#{fragment}")


def _wait_for(driver: Any, css: str, text: str = "") -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, WAIT_SECONDS)
    if text:
        wait.until(expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def _table_rows(driver: Any) -> dict[str, tuple[str, ...]]:
    from selenium.webdriver.common.by import By

    rows = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "#team-table tbody tr"):
        cells = [cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "td")]
        rows[cells[0]] = tuple(cells[1:6])  # leads, contacts, visits, deals, overdue
    return rows


def _chat_rows(text: str) -> dict[str, tuple[str, ...]]:
    """Each member's figures in /team's reply (zh-Hans)."""
    rows = {}
    pattern = re.compile(
        r"\d+\. <b>(?P<name>[^<]+)</b>[^\n]*\n\s*线索 (?P<leads>\d+) · 跟进 (?P<contacts>\d+)"
        r" · \S+ (?P<visits>\d+) · 成交 (?P<deals>\d+)\n[^\n]*\n\s*"
        r"(?P<overdue>⏰ 逾期 \d+|没有逾期)"
    )
    for found in pattern.finditer(text):
        overdue = re.sub(r"\D", "", found["overdue"]) or "0"
        rows[found["name"]] = (found["leads"], found["contacts"], found["visits"],
                               found["deals"], overdue)  # fmt: skip
    return rows


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path


async def test_in_a_browser_the_team_table_agrees_with_team_and_a_board_move_reaches_lead(
    bot: Harness, served: str, driver: Any, shots: Path
) -> None:
    await bridal_team(bot)
    for user in (ALICE, BOB):
        await bot.send("/lang zh", user)
    await bot.send("/move 3 有效", BOB)

    # The manager: the team table, as /team counts it.
    await asyncio.to_thread(_opened_in_telegram, driver, served, bot, ALICE)
    await asyncio.to_thread(_wait_for, driver, "#team-table")
    shown = await asyncio.to_thread(_table_rows, driver)
    chat = _chat_rows(await bot.reply_text("/team 本月", ALICE))
    assert set(shown) == {"Alice", "Dave", "Bob", "Eve"}
    assert shown == chat
    assert shown["Bob"][4] == "1"  # Bob's lead #1 is 4 days overdue
    await asyncio.to_thread(driver.save_screenshot, str(shots / SHOTS[0]))

    # The rep: tap lead #2 on the board, tap a stage; /lead shows it.
    from selenium.webdriver.common.by import By

    await asyncio.to_thread(_opened_in_telegram, driver, served, bot, BOB)
    await asyncio.to_thread(_wait_for, driver, ".board")
    await asyncio.to_thread(driver.save_screenshot, str(shots / SHOTS[1]))
    card = await asyncio.to_thread(
        driver.find_element, By.XPATH, "//button[starts-with(normalize-space(), '#2 ')]"
    )
    await asyncio.to_thread(card.click)
    await asyncio.to_thread(_wait_for, driver, "#stage", "新线索")
    stage = await asyncio.to_thread(
        driver.find_element, By.CSS_SELECTOR, "button[name='stage'][value='invited']"
    )
    await asyncio.to_thread(stage.click)
    await asyncio.to_thread(_wait_for, driver, "#stage", "已邀约")
    assert "已从「新线索」移到「已邀约」" in await asyncio.to_thread(lambda: driver.page_source)
    assert "已邀约" in await bot.reply_text("/lead 2", BOB)
    assert all((shots / name).stat().st_size > 0 for name in SHOTS)
