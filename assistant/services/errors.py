"""Errors a person can fix: each names the template that tells them what to type instead."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Rendered from templates/<locale>/errors/<key>.html.j2 with the given context."""

    def __init__(self, key: str, **context: Any) -> None:
        super().__init__(key)
        self.key = key
        self.context = context
