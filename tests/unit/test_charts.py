import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from assistant.domain.pipeline import LOST, PIPELINES
from assistant.render.charts import FunnelChart, cjk_font, funnel_png

ALL_STAGES = sorted({stage for stages in PIPELINES.values() for stage in stages} | {LOST})


def chart(counts: list[int]) -> FunnelChart:
    return FunnelChart(
        title="销售漏斗 · 2026-11",
        labels=["新线索", "有效", "已邀约", "已到店", "成交"],
        counts=counts,
        rates=[None, 65.0, 66.7, 76.9, 42.5] if any(counts) else [None] * 5,
        expected=[None, 84.0, None, 46.8, 20.0] if any(counts) else [None] * 5,
        target_label="目标",
        drop_label="流失",
        empty_label="这段时间还没有数据",
    )


# Run in a child process: matplotlib's font list is process-wide. The child drops every font
# matplotlib did not bring itself, makes the system font search find nothing, proves that a
# system CJK font is then out of reach, and draws with warnings as errors.
_WITHOUT_SYSTEM_FONTS = """
import json, os, sys, warnings
warnings.simplefilter("error")
import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

own = os.path.realpath(matplotlib.get_data_path())
manager = font_manager.fontManager
manager.ttflist = [f for f in manager.ttflist if os.path.realpath(f.fname).startswith(own)]
manager._findfont_cached.cache_clear()
search = font_manager.findSystemFonts
font_manager.findSystemFonts = lambda fontpaths=None, fontext="ttf": (
    [] if fontpaths is None else search(fontpaths, fontext)
)
hidden = font_manager.findfont(
    font_manager.FontProperties(family="WenQuanYi Micro Hei"), fallback_to_default=True
)

from assistant.render.charts import cjk_font, funnel_png
from tests.unit.test_charts import chart, traditional_chart

result = {"hidden": os.path.basename(hidden), "charts": {}}
for locale, picture in (("zh-Hans", chart([120, 78, 52, 40, 17])),
                        ("zh-Hant", traditional_chart())):
    png = funnel_png(picture)
    family = cjk_font(locale)
    [path] = manager._find_fonts_by_props(font_manager.FontProperties(family=family))[:1]
    font = FT2Font(path.path, face_index=path.face_index)
    text = "".join([picture.title, *picture.labels, picture.target_label, picture.drop_label,
                    picture.empty_label])
    missing = sorted({ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0})
    result["charts"][locale] = {"bytes": len(png), "font": font.family_name,
                                "file": os.path.basename(path.path), "missing": missing}
print(json.dumps(result))
"""


def traditional_chart() -> FunnelChart:
    """The store funnel as a zh-Hant reader's /chart labels it: every label from the catalogue."""
    from assistant.i18n import t

    stages = PIPELINES["store"]
    return FunnelChart(
        title=f"{t('zh-Hant', 'analytics.chart.title')} · 2026-11",
        labels=[t("zh-Hant", f"analytics.stage.{stage}") for stage in stages],
        counts=[60, 40, 30, 20, 9],
        rates=[None, 66.7, 75.0, 66.7, 45.0],
        expected=[None, 42.0, None, 24.0, 10.0],
        target_label=t("zh-Hant", "analytics.chart.target"),
        drop_label=t("zh-Hant", "analytics.chart.drop"),
        empty_label=t("zh-Hant", "analytics.chart.empty"),
        locale="zh-Hant",
    )


def test_chinese_charts_draw_without_any_system_cjk_font_and_without_glyph_warnings(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "PYTHONWARNINGS": "error"}
    env["FONTCONFIG_FILE"] = str(tmp_path / "fonts.conf")  # fontconfig lists no font either
    (tmp_path / "fonts.conf").write_text("<fontconfig></fontconfig>")
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SYSTEM_FONTS],
        capture_output=True, text=True, env=env, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    drawn = json.loads(result.stdout)
    assert drawn["hidden"] == "DejaVuSans.ttf"  # the system's CJK font really was out of reach
    simplified, traditional = drawn["charts"]["zh-Hans"], drawn["charts"]["zh-Hant"]
    assert simplified["font"] == "Noto Sans CJK SC" and simplified["missing"] == []
    assert traditional["font"] == "Noto Sans CJK TC" and traditional["missing"] == []
    assert traditional["bytes"] > 10_000
    assert simplified["file"] == "NotoSansCJK-Regular.ttc" and simplified["bytes"] > 10_000


def test_the_traditional_chart_labels_are_written_in_traditional_characters() -> None:
    from tests.traditional import simplified_characters

    picture = traditional_chart()
    text = "".join([picture.title, *picture.labels, picture.target_label, picture.drop_label])
    assert "銷售" in picture.title and "新線索" in picture.labels
    assert not simplified_characters(text + picture.empty_label)


def test_every_label_our_catalogues_put_on_a_chart_has_a_glyph_in_the_packaged_font() -> None:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from assistant.i18n import LOCALES, t

    for locale in LOCALES:
        family = cjk_font(locale)
        [path] = font_manager.fontManager._find_fonts_by_props(
            font_manager.FontProperties(family=family)
        )[:1]
        font = FT2Font(path.path, face_index=path.face_index)
        keys = [f"analytics.stage.{stage}" for stage in ALL_STAGES]
        keys += [f"analytics.chart.{key}" for key in ("title", "target", "drop", "empty")]
        text = "".join(t(locale, key) for key in keys) + "↓%·–0123456789"
        assert [ch for ch in text if ch != " " and font.get_char_index(ord(ch)) == 0] == []


def test_a_count_sits_on_its_own_bar_not_beside_the_target_mark() -> None:
    from matplotlib.axes import Axes

    drawn: list[tuple[float, float, str]] = []
    original = Axes.text

    def record(self: Axes, x: float, y: float, s: str, *args: Any, **kwargs: Any) -> Any:
        drawn.append((x, y, s))
        return original(self, x, y, s, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Axes, "text", record)
        funnel_png(chart([120, 78, 52, 40, 17]))
    positions = {s: (x, y) for x, y, s in drawn}
    # 有效: 78 leads against a target mark at 84. Its count is drawn inside its bar (x < 78),
    # on the bar's row, not past the target mark where it read as the target's value.
    x, y = positions["78"]
    assert x < 78 and y == 3
    for count, row in ((120, 4), (52, 2), (40, 1), (17, 0)):
        x, y = positions[str(count)]
        assert x <= count and y == row


def test_the_funnel_chart_is_a_png_of_a_phone_friendly_size() -> None:
    png = funnel_png(chart([120, 78, 52, 40, 17]))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert (image.size[0], image.size[1]) == (880, 544)
    colors = image.convert("RGB").getcolors(maxcolors=100000) or []
    assert len(colors) > 50  # bars, labels and marks were drawn, not a blank canvas


def test_an_empty_period_still_draws_a_chart() -> None:
    image = Image.open(io.BytesIO(funnel_png(chart([0, 0, 0, 0, 0]))))
    assert image.size[0] > 0


def test_starting_the_bot_does_not_import_matplotlib() -> None:
    code = "import sys, assistant.tg.app; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
