"""Funnel pictures as PNG (matplotlib, headless Agg), with Chinese labels in a CJK font.

matplotlib is imported lazily, inside the functions, so bot start-up stays fast.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

# The font ships with the package (noto-cjk-sans-otc: Noto Sans CJK 2.004, SIL OFL 1.1), so a
# machine without any system CJK font still draws Chinese. One collection holds every region's
# face; each locale takes the face with its own glyph shapes.
REGION_FAMILIES = {"zh-Hant": "Noto Sans CJK TC"}
DEFAULT_FAMILY = "Noto Sans CJK SC"
LATIN_FALLBACK = "DejaVu Sans"  # matplotlib's own font, for any sign the CJK font lacks
BAR_COLOR = "#4C78A8"
TARGET_COLOR = "#D62728"
DROP_COLOR = "#7F7F7F"
INSIDE_SHARE = 0.12  # a bar at least this share of the longest holds its count inside


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
    locale: str = "zh-Hans"


def _register_packaged_font() -> None:
    """Make the packaged collection known to matplotlib, unless it already is."""
    from matplotlib import font_manager
    from noto_cjk_sans_otc import FONT_PATH

    manager = font_manager.fontManager
    path = str(FONT_PATH)
    if not any(entry.fname == path for entry in manager.ttflist):
        manager.addfont(path)


def cjk_font(locale: str = "zh-Hans") -> str:
    """The family that draws `locale`'s Chinese labels; it is always there."""
    _register_packaged_font()
    return REGION_FAMILIES.get(locale, DEFAULT_FAMILY)


def funnel_png(chart: FunnelChart, *, width: float = 8.0, dpi: int = 110) -> bytes:
    """Horizontal bars per stage, the drop-off % between stages, and target marks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    family = [cjk_font(chart.locale), LATIN_FALLBACK]
    rows = len(chart.labels)
    figure = Figure(figsize=(width, 1.2 + 0.75 * rows), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(rows))[::-1]
    biggest = max([*chart.counts, *(e or 0 for e in chart.expected), 1])
    axes.barh(positions, chart.counts, color=BAR_COLOR, height=0.6)
    axes.set_yticks(positions)
    axes.set_yticklabels(chart.labels, fontfamily=family, fontsize=12)
    axes.set_xlim(0, biggest * 1.35)
    axes.set_ylim(-0.7, rows - 0.3)
    axes.set_title(chart.title, fontfamily=family, fontsize=14, loc="left")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.tick_params(axis="x", labelsize=9)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, count, expected in zip(positions, chart.counts, chart.expected, strict=True):
        _count_label(axes, position, count, expected, biggest, family)
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
            fontfamily=family,
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
        axes.legend(handles=[handle], loc="lower right", prop={"family": family}, frameon=False)
    if not any(chart.counts):
        axes.text(
            biggest * 0.6,
            sum(positions) / max(rows, 1),
            chart.empty_label,
            ha="center",
            va="center",
            fontsize=13,
            color=DROP_COLOR,
            fontfamily=family,
        )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _count_label(
    axes: Any, position: int, count: int, expected: float | None, biggest: float, family: list[str]
) -> None:
    """The count sits on its own bar, inside its end, so a target mark beside the bar is never
    read as its value. A bar too short to hold it gets it just past its end, or just above the
    bar when a target mark stands there."""
    pad = biggest * 0.015
    y: float = position
    if count >= biggest * INSIDE_SHARE:
        x, ha, va, color = count - pad, "right", "center", "white"
    elif expected is not None and count <= expected <= count + biggest * 0.1:
        x, ha, va, color = max(count / 2, pad), "center", "bottom", "black"
        y = position + 0.31
    else:
        x, ha, va, color = count + pad, "left", "center", "black"
    axes.text(x, y, f"{count:,}", ha=ha, va=va, fontsize=11, color=color, fontfamily=family)
