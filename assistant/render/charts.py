"""Funnel pictures as PNG (matplotlib, headless Agg), with Chinese labels in a CJK font.

matplotlib is imported lazily, inside the functions, so bot start-up stays fast.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

logger = logging.getLogger(__name__)

# Family names of CJK fonts, best first; Debian's fonts-wqy-microhei is what .ci/run installs.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Heiti SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
_FILE_HINTS = (
    "wqy",
    "notosanscjk",
    "notosanssc",
    "sourcehan",
    "msyh",
    "simhei",
    "droidsansfallback",
)
BAR_COLOR = "#4C78A8"
TARGET_COLOR = "#D62728"
DROP_COLOR = "#7F7F7F"


@dataclass(frozen=True)
class FunnelChart:
    title: str
    labels: list[str]  # stage names, top to bottom
    counts: list[int]
    rates: list[float | None]  # conversion from the stage above, percent; None for the first
    expected: list[float | None]  # the count the team target expects; None where none applies
    target_label: str
    drop_label: str
    empty_label: str


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None (labels would then show boxes)."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for path in font_manager.findSystemFonts():
        name = path.lower().replace("-", "").replace("_", "")
        if any(hint in name for hint in _FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
                return str(font_manager.FontProperties(fname=path).get_name())
            except (OSError, RuntimeError, ValueError):
                continue
    logger.warning("no CJK font found; install fonts-wqy-microhei for Chinese chart labels")
    return None


def funnel_png(chart: FunnelChart, *, width: float = 8.0, dpi: int = 110) -> bytes:
    """Horizontal bars per stage, the drop-off % between stages, and target marks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    family = cjk_font()
    rc: dict[str, Any] = {"family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"]}
    rows = len(chart.labels)
    figure = Figure(figsize=(width, 1.2 + 0.75 * rows), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(rows))[::-1]
    biggest = max([*chart.counts, *(e or 0 for e in chart.expected), 1])
    axes.barh(positions, chart.counts, color=BAR_COLOR, height=0.6)
    axes.set_yticks(positions)
    axes.set_yticklabels(chart.labels, fontfamily=rc["family"], fontsize=12)
    axes.set_xlim(0, biggest * 1.35)
    axes.set_ylim(-0.7, rows - 0.3)
    axes.set_title(chart.title, fontfamily=rc["family"], fontsize=14, loc="left")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.tick_params(axis="x", labelsize=9)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, count, expected in zip(positions, chart.counts, chart.expected, strict=True):
        axes.text(
            max(count, expected or 0) + biggest * 0.02,
            position,
            str(count),
            va="center",
            fontsize=11,
            fontfamily=rc["family"],
        )
    for index in range(1, rows):
        rate = chart.rates[index]
        if rate is None:
            continue
        middle = (positions[index - 1] + positions[index]) / 2
        axes.text(
            biggest * 1.33,
            middle,
            f"↓ {rate:.1f}%   {chart.drop_label} {100 - rate:.1f}%",
            va="center",
            ha="right",
            fontsize=9,
            color=DROP_COLOR,
            fontfamily=rc["family"],
        )
    marked = False
    for position, expected in zip(positions, chart.expected, strict=True):
        if expected is None:
            continue
        axes.plot(
            [expected, expected], [position - 0.38, position + 0.38], color=TARGET_COLOR, lw=2.5
        )
        marked = True
    if marked:
        handle = Line2D([0], [0], color=TARGET_COLOR, lw=2.5, label=chart.target_label)
        axes.legend(
            handles=[handle], loc="lower right", prop={"family": rc["family"]}, frameon=False
        )
    if not any(chart.counts):
        axes.text(
            biggest * 0.6,
            sum(positions) / max(rows, 1),
            chart.empty_label,
            ha="center",
            va="center",
            fontsize=13,
            color=DROP_COLOR,
            fontfamily=rc["family"],
        )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
