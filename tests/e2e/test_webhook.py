"""Webhook mode: updates arrive by HTTP POST with Telegram's secret token header."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.config import Settings
from assistant.tg.app import build_application
from assistant.tg.offline import OfflineRequest
from assistant.tg.webhook import SECRET_HEADER, create_app, webhook_path, webhook_secret
from tests.e2e.fake_bot_api import FakeBotApi
from tests.harness import Harness

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-token_for-tests"


def _update(update_id: int, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": 4242, "type": "private"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Wendy", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def _client(bot: Harness) -> httpx.AsyncClient:
    app = create_app(bot.app, secret=SECRET, path="/tg/hook", manage_lifecycle=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")


async def test_an_update_with_the_right_secret_token_is_answered(bot: Harness) -> None:
    async with _client(bot) as client:
        response = await client.post("/tg/hook", json=_update(7), headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200
    sent = bot.api.sent()
    assert sent and sent[0].params["chat_id"] == 4242 and "Wendy" in sent[0].text


async def test_wrong_or_missing_secret_tokens_are_refused_and_nothing_is_processed(
    bot: Harness,
) -> None:
    async with _client(bot) as client:
        wrong = await client.post("/tg/hook", json=_update(8), headers={SECRET_HEADER: "guess"})
        missing = await client.post("/tg/hook", json=_update(8))
        assert (wrong.status_code, missing.status_code) == (403, 403)
        assert bot.api.sent() == []
        # The same update id with the right token is still new: nothing was recorded before.
        right = await client.post("/tg/hook", json=_update(8), headers={SECRET_HEADER: SECRET})
    assert right.status_code == 200 and len(bot.api.sent()) == 1


async def test_a_redelivered_update_is_answered_once_and_garbage_is_rejected(
    bot: Harness,
) -> None:
    headers = {SECRET_HEADER: SECRET}
    async with _client(bot) as client:
        for _ in range(2):
            assert (
                await client.post("/tg/hook", json=_update(9), headers=headers)
            ).status_code == 200
        bad = await client.post("/tg/hook", content=b"{not json", headers=headers)
        health = await client.get("/healthz")
    assert len(bot.api.sent()) == 1
    assert bad.status_code == 400 and health.text == "ok"


async def test_starting_the_server_registers_the_webhook_with_its_secret(
    tmp_path: Path,
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}",
        telegram_bot_token="123:abc",
        webhook_url="https://bot.example.com/tg/hook",
    )
    api = OfflineRequest()
    application = build_application(settings, request=api)
    app = create_app(
        application,
        secret=webhook_secret(settings),
        path=webhook_path(settings),
        webhook_url=settings.webhook_url,
    )
    async with app.router.lifespan_context(app):
        pass
    hooks = api.sent("setWebhook")
    assert hooks and hooks[0].params["url"] == "https://bot.example.com/tg/hook"
    assert hooks[0].params["secret_token"] == webhook_secret(settings)
    assert "my_chat_member" in json.dumps(hooks[0].params["allowed_updates"])
    assert webhook_path(settings) == "/tg/hook"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the webhook server never started listening")


def test_python_bot_py_serves_the_webhook_when_webhook_url_is_set(tmp_path: Path) -> None:
    port = _free_port()
    with FakeBotApi() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update(
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            TELEGRAM_BOT_TOKEN="123456:TEST-token-for-the-webhook-test",
            TELEGRAM_BASE_URL=api.base_url,
            WEBHOOK_URL="https://bot.example.com/hook",
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
        process = subprocess.Popen(
            [sys.executable, "bot.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(m == "setWebhook" for m, _ in api.calls):
                assert process.poll() is None, process.communicate()[1]
                time.sleep(0.1)
            url = f"http://127.0.0.1:{port}/hook"
            _wait_until_listening(f"http://127.0.0.1:{port}/healthz", deadline)
            refused = httpx.post(url, json=_update(1), headers={SECRET_HEADER: "nope"})
            answered = httpx.post(url, json=_update(2), headers={SECRET_HEADER: SECRET})
        finally:
            process.terminate()
            process.communicate(timeout=20)
    assert (refused.status_code, answered.status_code) == (403, 200)
    hook = next(params for method, params in api.calls if method == "setWebhook")
    assert hook["url"] == "https://bot.example.com/hook" and hook["secret_token"] == SECRET
    assert any("Wendy" in text for text in api.sent_texts())
