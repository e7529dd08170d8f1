"""`python bot.py backup FILE` and `python bot.py restore FILE [--force]`.

SQLite: the online backup API copies a consistent snapshot while the bot keeps running (in WAL
mode writers are not blocked), into a temporary file renamed into place only once it is whole
and passes `PRAGMA integrity_check`. Restore refuses to replace a store that holds data or is
open (its `-wal` file is there) unless `--force` is given; then the current store is first
copied aside (`<store>.before-restore-<time>.db`), the backup is copied in through the same
API (so a bot still holding the file sees either the old or the new store, never a mix), and
the schema is brought up to this version's head.

PostgreSQL has its own tools, which do this better than we could (consistent dumps of a live
database, parallel restore): we explain how to call them instead.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from assistant.db.migrate import upgrade_to_head
from assistant.db.session import make_engine

# Rows that tell whether a store is in use (a person exists as soon as anyone said /start).
_PEOPLE_AND_LEADS = "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM lead)"


class BackupError(Exception):
    """A friendly explanation of why nothing was done."""


def _sqlite_file(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL points at an in-memory database: there is nothing to copy.")
    return Path(url.database)


def _postgres_advice(database_url: str, action: str) -> str:
    url = make_url(database_url)
    where = f"-h {url.host or 'localhost'} -p {url.port or 5432} -U {url.username or 'postgres'}"
    name = url.database or "<database>"
    if action == "backup":
        return (
            "This bot keeps its data in PostgreSQL, which has its own backup tool; use it "
            "(it is safe while the bot runs):\n"
            f"  pg_dump {where} -Fc -f sales-assistant.dump {name}\n"
            "Nothing was written."
        )
    return (
        "This bot keeps its data in PostgreSQL; restore a pg_dump file with its own tool, "
        "with every bot process stopped:\n"
        f"  pg_restore {where} --clean --if-exists -d {name} sales-assistant.dump\n"
        "Nothing was changed."
    )


def _check(path: Path) -> tuple[int, int]:
    """Integrity and contents of a store file: (people, leads); BackupError if unusable."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{path} is damaged ({verdict}).")
            people, leads = connection.execute(_PEOPLE_AND_LEADS).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a backup of this bot ({error}).") from error
    return int(people), int(leads)


def _holdings(store: Path) -> tuple[int, int]:
    """(people, leads) in the store; (0, 0) for a file with no tables yet."""
    with closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as connection:
        try:
            people, leads = connection.execute(_PEOPLE_AND_LEADS).fetchone()
        except sqlite3.OperationalError:  # no such table: never migrated
            return 0, 0
    return int(people), int(leads)


def _copy(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin,
        closing(sqlite3.connect(target)) as destination,
    ):
        origin.execute("PRAGMA busy_timeout=5000")
        destination.execute("PRAGMA busy_timeout=5000")
        origin.backup(destination)  # one step: one consistent snapshot of the source


def backup(database_url: str, target: Path) -> str:
    store = _sqlite_file(database_url)
    if store is None:
        raise BackupError(_postgres_advice(database_url, "backup"))
    if not store.exists():
        raise BackupError(f"There is no store at {store} yet: nothing to back up.")
    if target.exists():
        raise BackupError(f"{target} already exists; give a new file name, nothing was written.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(store, partial)
        with closing(sqlite3.connect(partial)) as copy:
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        people, leads = _check(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up {people} people and {leads} leads from {store} to {target}."


def restore(database_url: str, source: Path, *, force: bool = False) -> str:
    store = _sqlite_file(database_url)
    if store is None:
        raise BackupError(_postgres_advice(database_url, "restore"))
    if not source.exists():
        raise BackupError(f"There is no file {source}.")
    people, leads = _check(source)
    aside = ""
    if store.exists():
        in_use = Path(f"{store}-wal").exists()
        held = (0, 0) if in_use else _holdings(store)
        if not force and (in_use or any(held)):
            what = (
                "is open (a bot may be running on it)"
                if in_use
                else f"holds {held[0]} people and {held[1]} leads"
            )
            raise BackupError(
                f"The store {store} {what}; restoring would replace it. Stop the bot, then run "
                "the same command with --force (the current store is copied aside first). "
                "Nothing was changed."
            )
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = store.with_name(f"{store.name}.before-restore-{stamp}.db")
        _copy(store, kept)
        aside = f" The store it replaced was copied to {kept}."
    _copy(source, store)
    asyncio.run(_migrate(database_url))
    return f"Restored {people} people and {leads} leads from {source} into {store}.{aside}"


async def _migrate(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
