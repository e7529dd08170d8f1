"""A regular `pip install .` packages only folders that are Python packages: every folder of
code under assistant/ needs its __init__.py, or it is left out (the Mini App once was)."""

from __future__ import annotations

from pathlib import Path

import assistant

ROOT = Path(assistant.__file__).parent


def test_every_folder_of_code_in_assistant_is_a_package() -> None:
    folders = {path.parent for path in ROOT.rglob("*.py")}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert missing == []
