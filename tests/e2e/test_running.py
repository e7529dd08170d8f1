"""The bot as a user starts it: `python bot.py`, by real polling or in console mode."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-for-the-polling-smoke-test"


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", **extra})
    return env


def test_bot_answers_start_by_real_polling_through_a_self_hosted_api(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        api.queue_message("/start")
        env = _environment(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=api.base_url)
        process = subprocess.Popen(
            [sys.executable, "bot.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not api.sent_texts():
                assert process.poll() is None, process.communicate()[1]
                time.sleep(0.1)
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=20)
    texts = api.sent_texts()
    assert texts and texts[0].startswith("👋 Hi Polly")
    methods = {method for method, _ in api.calls}
    assert "setMyCommands" in methods
    assert TOKEN not in stderr


def test_console_mode_speaks_the_same_commands_without_a_token(tmp_path: Path) -> None:
    script = "/start\n/help\n/lang en\n/tz Atlantis\n/tz Tokyo\n"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=tmp_path,
        env=_environment(tmp_path),
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "你好" in out and "命令一览" in out
    assert "Language set to English" in out
    assert "can't find the time zone “Atlantis”" in out
    assert "Time zone set to <b>" not in out and "Time zone set to Asia/Tokyo" in out
    assert (tmp_path / "bot.db").exists()


def test_console_mode_keeps_data_between_runs(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    command = [sys.executable, str(ROOT / "bot.py")]
    subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        input="/lang en\n/tz Tokyo\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    second = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        input="/tz\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Your time zone is Asia/Tokyo" in second.stdout
