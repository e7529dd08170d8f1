"""`python bot.py` webhook processes for the multi-process benchmark and tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:SCALEOUT-token-for-local-runs"
SECRET = "scaleout-webhook-secret"
HOOK_PATH = "/hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    _output: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        self._output.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._output.close()


def start_bot(
    name: str, *, database_url: str, api_base_url: str, logs: Path, **settings: str
) -> BotProcess:
    """One webhook process on a free loopback port; `settings` are extra environment values."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        DATABASE_URL=database_url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=api_base_url,
        WEBHOOK_URL=f"https://bot.example.com{HOOK_PATH}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        **settings,
    )
    log = logs / f"{name}.log"
    output = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    return BotProcess(name, port, process, log, output)


def stop_all(bots: list[BotProcess]) -> None:
    """SIGTERM to every process at once, then wait for each (they stop in parallel)."""
    for bot in bots:
        if bot.alive():
            bot.process.terminate()
    for bot in bots:
        bot.stop()


def wait_healthy(bots: list[BotProcess], timeout: float = 60.0) -> None:
    """Until every process answers /healthz; raises with the log of one that exited."""
    deadline = time.monotonic() + timeout
    waiting = list(bots)
    while waiting:
        for bot in list(waiting):
            if not bot.alive():
                raise RuntimeError(f"{bot.name} exited at start-up:\n{bot.output()[-3000:]}")
            try:
                if httpx.get(f"{bot.url}/healthz", timeout=1.0).status_code == 200:
                    waiting.remove(bot)
            except httpx.TransportError:
                pass
        if time.monotonic() > deadline:
            names = ", ".join(bot.name for bot in waiting)
            raise RuntimeError(f"not healthy after {timeout:.0f} s: {names}")
        time.sleep(0.1)
