"""bot.py caps glibc's malloc arenas unless the environment already does."""

from __future__ import annotations

import pytest

from assistant import arenas


def test_the_arena_cap_is_set_on_linux_with_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(arenas.sys, "platform", "linux")
    assert arenas.limit_malloc_arenas() is True


def test_a_cap_given_in_the_environment_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert arenas.limit_malloc_arenas() is False


def test_other_systems_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(arenas.sys, "platform", "darwin")
    assert arenas.limit_malloc_arenas() is False
