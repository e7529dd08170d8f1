"""Fewer glibc malloc arenas: the bot's resident memory at 100,000 leads stays under 150 MB.

glibc gives a thread that allocates while another holds the main arena an arena of its own, up
to eight per core, and an arena's freed memory is rarely returned. aiosqlite runs a thread per
connection and PTB a few more, so a busy bot spreads its peak over many arenas that each keep
their high-water mark. Two arenas cost nothing measurable in latency here (the threads mostly
wait on I/O). The setting must be made before those threads start, so bot.py makes it first.
`MALLOC_ARENA_MAX` in the environment does the same for any process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's arenas at `count` unless MALLOC_ARENA_MAX already says; returns whether the
    cap was set (False on other C libraries and systems, where nothing changes)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)  # musl has none
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, count))
