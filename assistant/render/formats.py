"""The one money formatter every view uses (templates show what it returns)."""

from __future__ import annotations


def money(value: float, *, whole: bool = False) -> str:
    """An amount as people write it: thousands separated, cents only when there are any
    (12,800 and 12,800.50). `whole` rounds to whole units, for estimates such as a forecast."""
    if whole or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"
