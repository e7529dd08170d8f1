"""zh-Hant: chosen from Telegram's language or /lang, generated from zh-Hans, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.i18n import LOCALES, catalogue, normalize_locale, parse_locale_choice
from assistant.i18n.generate_hant import (
    REGENERATE,
    ROOT,
    GenerationError,
    convert_template,
    convert_text,
    generate,
    stale_files,
    write_files,
)
from assistant.i18n.hant import TypedText, to_simplified
from assistant.render import TEMPLATES
from tests.traditional import simplified_characters


@pytest.mark.parametrize("code", ["zh-hant", "zh-TW", "zh-hk", "zh-mo", "zh-Hant-TW", "zh_TW"])
def test_traditional_telegram_languages_get_traditional_chinese(code: str) -> None:
    assert normalize_locale(code) == "zh-Hant"


@pytest.mark.parametrize("code", ["zh-hans", "zh", "zh-CN", "zh-sg", "zh-Hans-HK"])
def test_simplified_telegram_languages_keep_simplified_chinese(code: str) -> None:
    assert normalize_locale(code) == "zh-Hans"


@pytest.mark.parametrize("typed", ["繁體", "繁体", "zh-Hant", "zh-TW", "正體中文", "繁體中文"])
def test_lang_accepts_traditional_in_either_script(typed: str) -> None:
    assert parse_locale_choice(typed) == "zh-Hant"


def test_lang_accepts_simplified_typed_in_traditional_characters() -> None:
    assert parse_locale_choice("簡體") == "zh-Hans"
    assert parse_locale_choice("英語") == "en"


def test_generated_zh_hant_files_are_up_to_date() -> None:
    stale = [str(path.relative_to(ROOT)) for path in stale_files()]
    assert not stale, (
        f"zh-Hant files are stale (a zh-Hans template, string or script changed): {stale}. "
        f"Run `{REGENERATE}` and commit what it writes."
    )


def test_every_zh_hans_template_has_its_zh_hant_twin() -> None:
    hans = {p.relative_to(TEMPLATES / "zh-Hans") for p in (TEMPLATES / "zh-Hans").rglob("*.j2")}
    hant = {p.relative_to(TEMPLATES / "zh-Hant") for p in (TEMPLATES / "zh-Hant").rglob("*.j2")}
    assert hans - hant == set(), f"missing zh-Hant templates; run `{REGENERATE}`"


def test_no_generated_file_keeps_a_simplified_character() -> None:
    generated = [
        *(TEMPLATES / "zh-Hant").rglob("*.j2"),
        ROOT / "assistant" / "i18n" / "zh-Hant.yaml",
        *(ROOT / "scripts_library" / "zh-Hant").glob("*.yaml"),
    ]
    for path in generated:
        # a library script keeps its zh-Hans title for simplified readers
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not line.strip().startswith("zh-Hans:"))
        assert not simplified_characters(text), path


def test_a_generated_script_is_titled_for_simplified_and_traditional_readers() -> None:
    from assistant.services.scripts import library_scripts

    [script] = [s for s in library_scripts("zh-Hant") if s.id == "price-what-included"]
    assert script.title("zh-Hant") == "把價格拆開看"
    assert script.title("zh-Hans") == "把价格拆开看"


def test_conversion_changes_text_but_never_jinja_names_html_or_commands() -> None:
    source = (
        '{% if lead.source == "转介绍" %}<b>{{ lead.name }}</b> 转介绍{% endif %}'
        '{{ "、".join(items) }} 发 <code>/add 王女士 数据</code>{# 注释 #}'
    )
    converted = convert_template(source)
    assert converted == (
        '{% if lead.source == "轉介紹" %}<b>{{ lead.name }}</b> 轉介紹{% endif %}'
        '{{ "、".join(items) }} 發 <code>/add 王女士 數據</code>{# 注释 #}'
    )


def test_reviewed_overrides_win_over_opencc_taiwan_phrasing() -> None:
    assert convert_text("点击率") == "點擊率"  # s2twp alone: 點選率
    assert convert_text("微信号") == "微信號"  # s2twp alone: 微訊號
    assert convert_text("3天后") == "3天後"  # s2twp alone: 3天后 (the goddess)
    assert convert_text("创建团队并获得邀请链接") == "建立團隊並獲得邀請連結"


def test_a_yaml_key_with_chinese_characters_stops_generation(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match="YAML key"):
        generate("阶段: stage\n", "yaml", tmp_path / "zh-Hans.yaml")


def _mini_project(tmp_path: Path) -> Path:
    templates = tmp_path / "assistant" / "render" / "templates" / "zh-Hans"
    (templates / "errors").mkdir(parents=True)
    (templates / "start.html.j2").write_text("你好，{{ name }}！发 /help 看命令。\n")
    (templates / "errors" / "oops.html.j2").write_text("出错了。\n")
    i18n = tmp_path / "assistant" / "i18n"
    i18n.mkdir()
    (i18n / "zh-Hans.yaml").write_text("stages:\n  new: 新线索\n")
    library = tmp_path / "scripts_library" / "zh-Hans"
    library.mkdir(parents=True)
    (library / "opening.yaml").write_text("situation: opening\nscripts: []\n")
    return tmp_path


def test_staleness_is_found_for_a_changed_missing_or_orphaned_file(tmp_path: Path) -> None:
    root = _mini_project(tmp_path)
    written = write_files(root)
    hant = root / "assistant" / "render" / "templates" / "zh-Hant"
    assert (hant / "start.html.j2").read_text() == "你好，{{ name }}！發 /help 看命令。\n"
    assert "新線索" in (root / "assistant" / "i18n" / "zh-Hant.yaml").read_text()
    assert len(written) == 4 and stale_files(root) == []

    hans = root / "assistant" / "render" / "templates" / "zh-Hans"
    (hans / "start.html.j2").write_text("欢迎，{{ name }}！\n")
    (hant / "errors" / "oops.html.j2").unlink()
    (hant / "gone.html.j2").write_text("舊的\n")
    assert stale_files(root) == sorted(
        [hant / "errors" / "oops.html.j2", hant / "gone.html.j2", hant / "start.html.j2"]
    )
    write_files(root)
    assert stale_files(root) == [] and not (hant / "gone.html.j2").exists()


def test_the_shipped_tree_regenerates_to_itself(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    for part in ("assistant/render/templates", "assistant/i18n", "scripts_library"):
        shutil.copytree(ROOT / part, copy / part)
    assert write_files(copy) == []


@pytest.mark.parametrize(
    "section",
    [
        "stages", "analytics.layer", "analytics.period", "scripts.situation_words",
        "team_sort", "lead_fields", "roles",
    ],
)  # fmt: skip
def test_every_word_a_traditional_reader_is_taught_reads_back_as_the_simplified_word(
    section: str,
) -> None:
    def node(locale: str) -> dict[str, str]:
        found = catalogue(locale)
        for part in section.split("."):
            found = found[part]
        return found

    hans, hant = node("zh-Hans"), node("zh-Hant")
    for key, word in hant.items():
        assert to_simplified(word) == hans[key], f"{section}.{key}: {word}"


def test_traditional_input_is_read_as_simplified_of_the_same_length() -> None:
    typed = "/add 陳小姐 0912345678 婚期 明年五月 轉介紹 諮詢 下週六 著急"
    read = to_simplified(typed)
    assert read == "/add 陈小姐 0912345678 婚期 明年五月 转介绍 咨询 下周六 着急"
    assert len(read) == len(typed)
    assert to_simplified("plain ascii") == "plain ascii"


def test_what_was_typed_comes_back_for_a_piece_of_the_read_text() -> None:
    text = TypedText.of("陳小姐  想要 後天 來店")
    assert text.restore("陈小姐") == "陳小姐"
    assert text.restore("想要 后天") == "想要 後天"  # spaces folded on the way
    assert text.restore("来店看看") == "來店看看"  # not a piece: character by character
    assert TypedText.of("王女士").restore("王女士") == "王女士"


def test_every_locale_has_its_catalogue_and_scripts_words() -> None:
    for locale in LOCALES:
        data = catalogue(locale)
        assert data["script_words"]["product"] and data["lost_reasons"]
    assert yaml.safe_load((ROOT / "assistant/i18n/zh-Hant.yaml").read_text())["lost_reasons"][
        0
    ] == ("價格太高")
