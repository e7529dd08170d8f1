"""`python bot.py backup` / `restore`: a consistent copy while the bot is writing, and a restore
that gives back every row and never silently replaces a store in use.

The copy is SQLite's online backup API, so these tests run on SQLite files; on PostgreSQL the
commands explain pg_dump and pg_restore instead (tested below), whose job that is."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.db.backup import BackupError, backup, restore
from bench.bot_processes import ROOT
from tests.databases import SqliteTemplate
from tests.harness import ALICE, Harness, MutableClock


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    with closing(sqlite3.connect(path)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


def _lead_numbers(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as connection:
        return [number for (number,) in connection.execute("SELECT number FROM lead ORDER BY 1")]


def _file(url: str) -> Path:
    return Path(url.split("///", 1)[1])


async def test_a_backup_taken_while_leads_are_added_restores_every_row(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    url = sqlite_template.fresh(tmp_path)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token=None)  # type: ignore[call-arg]
    bot = Harness(settings, MutableClock())
    await bot.start()
    await bot.send("/start")
    writing = True

    async def keep_adding() -> int:
        added = 0
        while writing:
            await bot.send(f"/add 客户{added}")
            added += 1
        return added

    writer = asyncio.create_task(keep_adding())
    for _ in range(600):  # until the writes are well under way
        if len(_lead_numbers(_file(url))) >= 20:
            break
        await asyncio.sleep(0.05)
    before = len(_lead_numbers(_file(url)))
    copy = tmp_path / "backup.db"
    message = await asyncio.to_thread(backup, url, copy)
    await asyncio.sleep(0.2)
    writing = False
    added = await writer
    await bot.stop()

    in_copy = _lead_numbers(copy)
    # One moment's store: every lead saved before the copy began, none half-written, no gaps.
    assert before <= len(in_copy) <= added and in_copy == list(range(1, len(in_copy) + 1))
    assert f"{len(in_copy)} leads" in message

    target = tmp_path / "restored" / "store.db"
    target.parent.mkdir()
    await asyncio.to_thread(restore, f"sqlite+aiosqlite:///{target}", copy)
    assert _rows(target) == _rows(copy)

    restored = Harness(
        Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{target}"),  # type: ignore[call-arg]
        MutableClock(),
    )
    await restored.start()
    try:
        # A new update (the old store's ids are all claimed) sees the last lead of the copy.
        message = restored._message(f"/lead {len(in_copy)}", ALICE, None)
        calls = await restored.process({"message": message}, update_id=1_000_000)
        assert any(f"客户{len(in_copy) - 1}" in call.text for call in calls)
    finally:
        await restored.stop()


def test_restore_over_a_store_that_holds_data_needs_force_and_keeps_the_old_store_aside(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    source_url = sqlite_template.fresh(store)
    with closing(sqlite3.connect(_file(source_url))) as connection, connection:
        connection.execute(
            "INSERT INTO person (tg_user_id, name, locale, timezone, work_minutes, work_days, "
            "quiet_start, quiet_end, morning_at, evening_at, digest_at, morning_on, evening_on, "
            "digest_on, reachable, created_at) VALUES (77, 'Old', 'en', 'UTC', 480, '12345', "
            "'22:00', '08:00', '09:00', '20:00', '09:30', 1, 1, 1, 1, '2026-11-25 00:00:00')"
        )
    copy = tmp_path / "empty-backup.db"
    backup(sqlite_template.fresh(tmp_path), copy)

    with pytest.raises(BackupError, match=r"holds 1 people and 0 leads.*--force"):
        restore(source_url, copy)
    assert _rows(_file(source_url))["person"]  # nothing was changed

    message = restore(source_url, copy, force=True)
    assert _rows(_file(source_url))["person"] == []
    aside = [path for path in _file(source_url).parent.iterdir() if "before-restore" in path.name]
    assert len(aside) == 1 and _rows(aside[0])["person"] and str(aside[0]) in message


def test_the_commands_explain_pg_dump_on_postgresql_and_refuse_to_overwrite_a_backup(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    def bot_py(*args: str, url: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env["DATABASE_URL"] = url
        return subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    postgres = "postgresql+asyncpg://sales:s3cret@db.example:5432/sales"
    dump = bot_py("backup", "x.dump", url=postgres)
    assert dump.returncode == 2 and "pg_dump -h db.example -p 5432 -U sales" in dump.stderr
    assert "s3cret" not in dump.stderr and not (tmp_path / "x.dump").exists()
    back = bot_py("restore", "x.dump", url=postgres)
    assert back.returncode == 2 and "pg_restore" in back.stderr

    existing = tmp_path / "taken.db"
    existing.write_text("mine")
    refused = bot_py("backup", str(existing), url=sqlite_template.fresh(tmp_path))
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert existing.read_text() == "mine"
