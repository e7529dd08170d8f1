"""`python bot.py --demo`: a manager evaluating the bot sees a month of a team of five at once,
on a throw-away database (issue 15, section 8)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.demo import run_demo

ROOT = Path(__file__).resolve().parents[2]


async def demo_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, lines: list[str]
) -> str:
    monkeypatch.setenv("LANG", lang)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'mine.db'}",
        console_files_dir=str(tmp_path / "files"),
    )
    output = io.StringIO()
    await run_demo(settings, io.StringIO("\n".join(lines) + "\n"), output)
    assert list(scratch.iterdir()) == []  # the throw-away database is gone
    assert not (tmp_path / "mine.db").exists()  # the person's own store was never touched
    return output.getvalue()


def exists(path: str) -> bool:
    return Path(path).exists()


def figure(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, text
    return int(match.group(1).replace(",", ""))


async def test_the_english_demo_shows_a_month_of_a_team_of_five(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await demo_session(
        tmp_path,
        monkeypatch,
        "en_US.UTF-8",
        ["/team month", "/summary month", "/leaderboard month", "/today", "/chart month"],
    )
    assert "Demo: “Starlight Bridal”, a team of five" in out
    team = out.split("👥 Starlight Bridal · This month")[1].split("📊")[0]
    assert len(re.findall(r"^\d\. ", team, re.M)) == 5 and "(owner)" in team
    assert figure(r"Team: leads (\d+)", team) > 0
    assert figure(r"contacts (\d+)", team) > 0 and figure(r"deals (\d+) ·", team) > 0
    summary = out.split("📊 My numbers · This month")[1]
    assert figure(r"New leads (\d+)", summary) > 0
    assert figure(r"Revenue ([\d,]+)", summary) > 0
    assert "🥇" in out and "Today's plan" in out
    assert re.search(r"[a-zA-Z] [A-Z][a-z]+ · \d+ min", out)  # English client names
    assert exists(re.findall(r"\[picture saved: (.+?)\]", out)[0])


async def test_the_chinese_demo_answers_in_chinese_with_chinese_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await demo_session(tmp_path, monkeypatch, "zh_CN.UTF-8", ["/team 本月", "/summary 本月"])
    assert "演示：「星光婚纱摄影」" in out
    assert figure(r"团队合计：线索 (\d+)", out) > 0
    assert figure(r"新线索 (\d+) ·", out) > 0 and figure(r"成交额 ([\d,]+)", out) > 0
    assert "陈静（所有者）" in out


async def test_a_traditional_chinese_terminal_gets_the_demo_in_traditional_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await demo_session(tmp_path, monkeypatch, "zh_TW.UTF-8", ["/summary 本月"])
    assert "「星光婚紗攝影」" in out and "陳靜" not in out.split("演示")[0]
    assert figure(r"新線索 (\d+) ·", out) > 0


def test_python_bot_py_demo_starts_and_leaves_nothing_behind(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update({"LANG": "en_US.UTF-8", "TMPDIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--demo"],
        cwd=tmp_path,
        env=env,
        input="/summary month\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert figure(r"New leads (\d+)", result.stdout) > 0
    assert list(tmp_path.iterdir()) == []  # no database, no folder left
