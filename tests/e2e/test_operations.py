"""/healthz and /metrics, as a load balancer and Prometheus see them."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from telegram import Bot
from telegram.error import RetryAfter

from assistant.db.session import make_engine, make_sessionmaker, transaction
from assistant.scheduling.outbox import enqueue
from assistant.tg.app import OFFLINE_TOKEN
from assistant.tg.common import AppContext
from assistant.tg.jobs import leadership_of
from assistant.tg.metered import MeteredRequest
from assistant.tg.offline import Call, Failure, OfflineRequest
from assistant.tg.webhook import create_app
from bench.bot_processes import ROOT, free_port
from bench.fanout import drafts
from tests.e2e.fake_bot_api import FakeBotApi
from tests.harness import ALICE, Harness


def _client(bot: Harness) -> httpx.AsyncClient:
    app = create_app(bot.app, secret="s", path="/hook", manage_lifecycle=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_healthz_says_ok_only_while_the_database_answers(
    bot: Harness, database_url: str
) -> None:
    async with _client(bot) as client:
        healthy = await client.get("/healthz")
        app: AppContext = bot.app.bot_data["app"]
        gone = (
            "sqlite+aiosqlite:////nonexistent-directory/bot.db"
            if database_url.startswith("sqlite")
            else "postgresql+asyncpg://postgres@127.0.0.1:1/bot"
        )
        engine = make_engine(gone)
        bot.app.bot_data["app"] = dataclasses.replace(app, sessionmaker=make_sessionmaker(engine))
        try:
            unhealthy = await client.get("/healthz")
        finally:
            bot.app.bot_data["app"] = app
            await engine.dispose()
    assert (healthy.status_code, healthy.text) == (200, "ok")
    assert unhealthy.status_code == 503 and "database" in unhealthy.text


async def test_metrics_count_updates_per_command_with_their_latency_and_errors(
    bot: Harness,
) -> None:
    before_ok = _sample("sales_bot_updates_total", command="/start", outcome="ok")
    before_error = _sample("sales_bot_updates_total", command="/lead", outcome="user_error")
    before_timed = _sample("sales_bot_update_seconds_count", command="/start")
    before_sent = _sample("sales_bot_telegram_messages_sent_total", method="sendMessage")
    await bot.send("/start", ALICE)
    await bot.send("/lead 999", ALICE)  # no such lead: a user error
    async with _client(bot) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'sales_bot_update_seconds_bucket{command="/start",le="0.005"}' in text
    assert _sample("sales_bot_updates_total", command="/start", outcome="ok") == before_ok + 1
    assert (
        _sample("sales_bot_updates_total", command="/lead", outcome="user_error")
        == before_error + 1
    )
    assert _sample("sales_bot_update_seconds_count", command="/start") == before_timed + 1
    assert _sample("sales_bot_telegram_messages_sent_total", method="sendMessage") >= (
        before_sent + 2
    )
    assert "sales_bot_leader " in text and "process_resident_memory_bytes" in text


async def test_metrics_show_the_outbox_backlog_and_whether_this_process_leads(
    bot: Harness, database_url: str
) -> None:
    async with transaction(bot.app.bot_data["app"].sessionmaker) as session:
        await enqueue(session, drafts(3, bot.clock() - timedelta(minutes=2)), bot.clock())
    leadership = leadership_of(bot.app)
    await leadership.attempt()
    async with _client(bot) as client:
        await client.get("/metrics")
    assert _sample("sales_bot_outbox_due") == 3
    assert _sample("sales_bot_outbox_oldest_due_seconds") == pytest.approx(120, abs=1)
    assert _sample("sales_bot_leader") == 1  # alone on its database, it leads
    await leadership.release()
    if database_url.startswith("postgresql"):
        assert _sample("sales_bot_leader") == 0


async def test_every_429_from_telegram_is_counted() -> None:
    def refuse(call: Call) -> Failure | None:
        return 429, "Too Many Requests: retry after 3", {"parameters": {"retry_after": 3}}

    bot = Bot(OFFLINE_TOKEN, request=MeteredRequest(OfflineRequest(on_call=refuse)))
    before = _sample("sales_bot_telegram_429_total")
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "hello")
    assert _sample("sales_bot_telegram_429_total") == before + 1


def test_a_polling_bot_serves_health_and_metrics_on_metrics_port(tmp_path: Path) -> None:
    port = free_port()
    with FakeBotApi() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update(
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            TELEGRAM_BOT_TOKEN="123456:TEST-token-for-the-metrics-port",
            TELEGRAM_BASE_URL=api.base_url,
            WEBHOOK_LISTEN="127.0.0.1",
            METRICS_PORT=str(port),
        )
        process = subprocess.Popen(
            [sys.executable, "bot.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            health = None
            while health is None and time.monotonic() < deadline:
                assert process.poll() is None, process.communicate()[1]
                try:
                    health = httpx.get(f"http://127.0.0.1:{port}/healthz")
                except httpx.TransportError:
                    time.sleep(0.1)
            exposition = httpx.get(f"http://127.0.0.1:{port}/metrics")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
    assert health is not None and (health.status_code, health.text) == (200, "ok")
    assert "sales_bot_leader 1.0" in exposition.text  # one process on SQLite: the leader
    assert process.returncode == 0, stderr
