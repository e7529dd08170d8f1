"""Several `python bot.py` processes on one PostgreSQL database, as `replicas: 3` starts them."""

from __future__ import annotations

from pathlib import Path

import httpx

from bench.bot_processes import HOOK_PATH, SECRET, start_bot, stop_all, wait_healthy
from bench.scaleout import webhook_update
from tests.databases import empty_postgres
from tests.e2e.fake_bot_api import FakeBotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def test_three_replicas_started_at_once_on_a_fresh_database_all_come_up_and_answer(
    tmp_path: Path,
) -> None:
    with empty_postgres() as url, FakeBotApi() as api:
        bots = [
            start_bot(f"bot{i}", database_url=url, api_base_url=api.base_url, logs=tmp_path)
            for i in range(3)
        ]
        try:
            wait_healthy(bots)  # a replica that lost a migration race would have exited
            for number, bot in enumerate(bots, start=1):
                response = httpx.post(
                    f"{bot.url}{HOOK_PATH}",
                    json=webhook_update(number, 7000 + number, "/start"),
                    headers={SECRET_HEADER: SECRET},
                    timeout=30,
                )
                assert response.status_code == 200
        finally:
            stop_all(bots)
    greeted = {int(params["chat_id"]) for method, params in api.calls if method == "sendMessage"}
    assert greeted == {7001, 7002, 7003}
