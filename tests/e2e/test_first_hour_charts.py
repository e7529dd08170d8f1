"""Issue 15, section 2: on a machine with no CJK font of its own, /chart still draws Chinese."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import matplotlib
import pytest
from matplotlib import font_manager

from assistant.db.session import Sessionmaker
from tests.e2e.test_numbers import alice_with_a_day_of_work
from tests.harness import ALICE, BOB, Harness


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only the fonts matplotlib brings itself, and a system font search that finds nothing."""
    own = os.path.realpath(matplotlib.get_data_path())
    manager = font_manager.fontManager
    kept = [f for f in manager.ttflist if os.path.realpath(f.fname).startswith(own)]
    search = font_manager.findSystemFonts

    def no_system_search(fontpaths: object = None, fontext: str = "ttf") -> list[str]:
        return [] if fontpaths is None else search(fontpaths, fontext)

    monkeypatch.setattr(manager, "ttflist", kept)
    monkeypatch.setattr(font_manager, "findSystemFonts", no_system_search)
    manager._findfont_cached.cache_clear()
    wqy = font_manager.FontProperties(family="WenQuanYi Micro Hei")
    assert os.path.basename(manager.findfont(wqy)) == "DejaVuSans.ttf"  # really hidden
    yield
    monkeypatch.undo()
    manager._findfont_cached.cache_clear()


async def test_chart_draws_chinese_and_english_with_no_system_font_and_no_glyph_warning(
    bot: Harness, sessionmaker: Sessionmaker, no_system_fonts: None
) -> None:
    await alice_with_a_day_of_work(bot, sessionmaker)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would fail here
        chinese = await bot.send("/chart today", ALICE)
        english = await bot.send("/chart today", BOB)
    [zh_photo] = [call for call in chinese if call.method == "sendPhoto"]
    [en_photo] = [call for call in english if call.method == "sendPhoto"]
    assert zh_photo.files["photo"].startswith(b"\x89PNG") and "销售漏斗" in zh_photo.text
    assert en_photo.files["photo"].startswith(b"\x89PNG") and "Sales funnel" in en_photo.text
    families = {entry.name for entry in font_manager.fontManager.ttflist}
    assert "Noto Sans CJK SC" in families  # the packaged font was registered and used
