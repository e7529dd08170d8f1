"""Modules with one job: none in assistant/ grows past 600 lines (the developers' guide)."""

from __future__ import annotations

from pathlib import Path

import assistant

LIMIT = 600


def test_no_module_of_the_assistant_is_longer_than_600_lines() -> None:
    root = Path(assistant.__file__).parent
    sizes = {
        str(path.relative_to(root.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in root.rglob("*.py")
    }
    assert sizes, "no modules found"
    too_long = {name: lines for name, lines in sizes.items() if lines > LIMIT}
    assert too_long == {}, f"split these modules (over {LIMIT} lines): {too_long}"
