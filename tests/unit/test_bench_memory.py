"""bench/memory.py reports the measuring process's own peak, not one inherited from its parent."""

from __future__ import annotations

import subprocess
import sys

from bench.memory import peak_resident_mb

PARENT_MB = 200


def test_a_small_child_of_a_big_parent_reports_its_own_small_peak() -> None:
    ballast = bytearray(PARENT_MB * 1024 * 1024)
    ballast[::4096] = b"\1" * len(range(0, len(ballast), 4096))  # touch every page
    assert peak_resident_mb() > PARENT_MB
    child = subprocess.run(
        [sys.executable, "-c", "from bench.memory import peak_resident_mb as p; print(p())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(child.stdout) < PARENT_MB / 2
    del ballast
