import io
import subprocess
import sys

from PIL import Image

from assistant.render.charts import FunnelChart, cjk_font, funnel_png


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


def test_chinese_labels_use_an_installed_cjk_font_not_boxes() -> None:
    family = cjk_font()
    assert family is not None
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=family))
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    assert all(font.get_char_index(ord(ch)) != 0 for ch in "新线索有效已邀约到店成交流失目标")


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
