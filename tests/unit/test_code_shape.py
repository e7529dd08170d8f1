"""The shape of the code: modules of at most 600 lines, one way to write a lead event."""

from __future__ import annotations

import ast
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


def test_lead_events_are_written_only_through_record_event() -> None:
    root = Path(assistant.__file__).parent
    writers = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "LeadEvent"
            ):
                writers.add(str(path.relative_to(root.parent)))
    assert writers == {"assistant/services/leads/events.py"}
