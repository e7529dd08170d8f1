"""Percentiles and a small table printer."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timing:
    name: str
    samples_ms: list[float]
    statements: list[int] = field(default_factory=list)  # SQL statements of each update

    @property
    def statements_cell(self) -> str:
        """Mean SQL statements per update (an executemany counts once); blank if not counted."""
        return f"{statistics.fmean(self.statements):.1f}" if self.statements else ""

    def percentile(self, q: float) -> float:
        ordered = sorted(self.samples_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
        return ordered[index]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    @property
    def per_second(self) -> float:
        mean = statistics.fmean(self.samples_ms)
        return 1000.0 / mean if mean else float("inf")


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [[str(cell) for cell in header], *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
