"""Start-up: seconds from `python bot.py` to the first answer, migrations included."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure_startup(url: str | None = None) -> float:
    """Console mode on a fresh database: time until the reply to /start is printed."""
    directory = Path(tempfile.mkdtemp(prefix="bench-start-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env["DATABASE_URL"] = url or f"sqlite+aiosqlite:///{directory / 'start.db'}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=directory,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/start\n")
    process.stdin.flush()
    elapsed = float("nan")
    for line in process.stdout:
        if "👋" in line:
            elapsed = time.perf_counter() - started
            break
    process.stdin.close()
    process.wait(timeout=30)
    return elapsed


def main() -> None:
    runs = [measure_startup() for _ in range(3)]
    print(f"start-up to first answer: best {min(runs):.2f} s of {len(runs)} (goal ≤ 2 s)")


if __name__ == "__main__":
    main()
