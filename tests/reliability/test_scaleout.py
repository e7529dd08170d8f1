"""The multi-process proof of bench/scaleout.py, small: three real `python bot.py` processes on
one PostgreSQL database, a real HTTP Bot API with Telegram's limits, the leader killed with
SIGKILL half-way through 200 pushes."""

from __future__ import annotations

from bench.scaleout import run
from tests.databases import empty_postgres


def test_three_processes_keep_telegrams_limits_survive_the_leader_and_apply_updates_once() -> None:
    with empty_postgres() as url:
        result = run(processes=3, users=50, pushes=200, database_url=url, planner_seconds=2)
    assert result.updates == 100 and result.applied_once == result.updates, result.line()
    assert (result.delivered, result.lost) == (200, 0), result.line()
    assert result.duplicated <= 1, result.line()  # the one push on the wire when killed
    assert result.refused_429 == 0, f"{result.line()} ({result.refused_by})"
    assert result.takeover <= 10, result.line()
