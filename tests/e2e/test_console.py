"""Console mode as a person uses it: pictures and files land in a folder, the path is printed,
and the console speaks the terminal's language (issue 15, section 3)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.console import run_console, save_file

ROOT = Path(__file__).resolve().parents[2]


def console_settings(database_url: str, folder: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        telegram_bot_token=None,
        console_files_dir=str(folder),
    )


async def session(settings: Settings, lines: list[str]) -> str:
    output = io.StringIO()
    await run_console(settings, io.StringIO("\n".join(lines) + "\n"), output)
    return output.getvalue()


def saved(output: str, label: str) -> Path:
    match = re.search(rf"\[{label}(.+?)\]", output)
    assert match, output
    return Path(match.group(1).strip())


def is_png(path: Path) -> bool:
    return path.read_bytes().startswith(b"\x89PNG")


async def test_chart_and_export_are_written_to_the_folder_in_english(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    folder = tmp_path / "files"
    output = await session(
        console_settings(database_url, folder),
        ["/add Ms Wang 13800138000 May 1", "/won 1 8800", "/chart month", "/export"],
    )
    assert output.startswith("Sales assistant — console mode.")
    assert "[picture]" not in output and "[file]" not in output
    picture = saved(output, "picture saved: ")
    assert picture.parent == folder.resolve() and picture.name.startswith("chart-")
    assert is_png(picture)
    csv = saved(output, "file saved: ")
    assert csv.parent == folder.resolve() and csv.suffix == ".csv"
    assert "Ms Wang" in csv.read_text(encoding="utf-8-sig")
    assert "Sales funnel" in output  # the caption still follows the path


async def test_the_console_speaks_chinese_and_never_overwrites_a_picture(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    folder = tmp_path / "files"
    output = await session(
        console_settings(database_url, folder),
        ["/add 王女士 13800138000 婚期明年5月", "/chart 本月", "/chart 本月", ":99"],
    )
    assert output.startswith("销售助手 · 终端模式")
    pictures = re.findall(r"\[图片已保存：(.+?)\]", output)
    assert len(pictures) == 2 and pictures[0] != pictures[1]
    assert all(is_png(Path(path)) for path in pictures)
    assert "（没有这个按钮）" in output


async def test_chart_and_export_are_written_to_the_folder_in_chinese(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    folder = tmp_path / "files"
    output = await session(
        console_settings(database_url, folder),
        ["/add 王女士 13800138000 婚期明年5月", "/won 1 8800", "/chart 本月", "/export"],
    )
    assert "[picture]" not in output and "[file]" not in output
    picture = saved(output, "图片已保存：")
    assert picture.parent == folder.resolve() and is_png(picture)
    csv = saved(output, "文件已保存：")
    assert csv.parent == folder.resolve() and csv.suffix == ".csv"
    assert csv.read_text(encoding="utf-8-sig").startswith("编号,姓名")  # Chinese headers
    assert "王女士" in csv.read_text(encoding="utf-8-sig")
    assert "销售漏斗" in output


async def test_a_terminal_in_another_language_gets_the_default_chinese(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    output = await session(console_settings(database_url, tmp_path), ["/start"])
    assert output.startswith("销售助手 · 终端模式") and "你好" in output


async def test_the_console_never_calls_the_person_by_the_os_account_in_chinese(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    output = await session(
        console_settings(database_url, tmp_path),
        ["/start", "/add 王女士 婚期明年5月", "/today", "/name", "/name 小陈", "/today"],
    )
    before, after = output.split("✅ 好的")
    assert "你好，终端用户" in before and "我是我们团队的顾问" in before
    assert "还没有设置名字" in before
    assert "我是我们团队的小陈" in after
    assert "root" not in output


async def test_the_console_never_calls_the_person_by_the_os_account_in_english(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    output = await session(
        console_settings(database_url, tmp_path),
        ["/start", "/add Ms Wang wedding May 2027", "/today", "/name Sam", "/today"],
    )
    before, after = output.split("✅ Done")
    assert "Hi Console user" in before and "your advisor here" in before
    assert "Sam here" in after
    assert "root" not in output


def test_a_file_name_already_taken_gets_a_number_and_a_path_part_is_dropped(
    tmp_path: Path,
) -> None:
    first = save_file(tmp_path, "leads.csv", b"1")
    second = save_file(tmp_path, "../leads.csv", b"2")
    assert (first.name, second.name) == ("leads.csv", "leads-2.csv")
    assert second.parent == tmp_path.resolve() and first.read_bytes() == b"1"


def test_python_bot_py_writes_to_console_files_in_the_working_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CONSOLE_"))}
    env.update(
        {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "LANG": "en_US.UTF-8"}
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=tmp_path,
        env=env,
        input="/export\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    [written] = (tmp_path / "console-files").iterdir()
    assert f"[file saved: {written.resolve()}]" in result.stdout
