"""The shipped scripts library: every file loads, renders, covers the pipelines; bad files
are refused with their file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from assistant.db.models import Lead
from assistant.domain import scripts as domain
from assistant.domain.pipeline import PIPELINES
from assistant.i18n import LOCALES
from assistant.services import scripts
from assistant.services.scripts import LibraryError, load_library

LIBRARY = scripts.library_root()
GOOD = """\
situation: too_expensive
scripts:
  - id: price-ok
    stages: [valid]
    grades: [A, B]
    text: >-
      {{ lead.name }}, which part feels too much?
    why: Short and kind.
    title: {zh-Hans: 问哪部分贵, en: Which part is too much}
"""


def write_library(tmp_path: Path, name: str, body: str) -> Path:
    for locale in ("zh-Hans", "en"):
        (tmp_path / locale).mkdir(parents=True, exist_ok=True)
        (tmp_path / locale / "too_expensive.yaml").write_text(GOOD, encoding="utf-8")
    path = tmp_path / "en" / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("locale", LOCALES)
def test_every_shipped_script_loads_and_renders_for_a_sample_lead(locale: str) -> None:
    loaded = load_library()[locale]
    assert len(loaded) >= 40
    lead = Lead(team_id=1, number=7, name="李小姐", event_date=date(2027, 3, 8), stage="valid")
    for script in loaded:
        rendered = scripts.render_for_lead(
            script, lead=lead, locale=locale, rep_name="Lin", team_name="Demo", team_settings={}
        )
        assert "李小姐" in rendered.text, script.id
        assert "{{" not in rendered.text and "}}" not in rendered.text
        assert len(rendered.text) <= domain.FIRST_MESSAGE_LIMIT, script.id
        assert 1 <= domain.count_questions(rendered.text) <= 3, script.id
        assert script.why
        assert script.title("zh-Hans") and script.title("en"), script.id


@pytest.mark.parametrize("locale", LOCALES)
def test_every_file_is_one_situation_and_every_situation_has_a_file(locale: str) -> None:
    names = {path.stem for path in (LIBRARY / locale).glob("*.yaml")}
    assert names == set(domain.SITUATIONS)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("pipeline", ["store", "b2b"])
def test_every_stage_and_grade_of_both_pipelines_has_a_script(locale: str, pipeline: str) -> None:
    loaded = load_library()[locale]
    for stage in (*PIPELINES[pipeline], "lost"):
        for grade in domain.GRADES:
            fits = [s for s in loaded if stage in s.stages and grade in s.grades]
            assert fits, f"{locale} {pipeline}: nothing for {stage} × {grade}"
            assert [s for s in fits if not s.needs_date], f"{stage} × {grade} needs a dateless one"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_library_covers_every_objection_and_the_grade_guidance(locale: str) -> None:
    loaded = load_library()[locale]
    situations = {s.situation for s in loaded}
    assert set(domain.OBJECTIONS) <= situations
    assert any(s.situation == "dream" and "B" in s.grades for s in loaded)
    assert any(s.situation == "brand" and "C" in s.grades for s in loaded)
    assert any(s.situation == "light_touch" and "D" in s.grades for s in loaded)


def test_zh_and_en_scripts_are_written_separately_not_shared_ids() -> None:
    loaded = load_library()
    zh = {s.text for s in loaded["zh-Hans"]}
    en = {s.text for s in loaded["en"]}
    assert not zh & en


def test_a_bad_stage_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    path = write_library(
        tmp_path,
        "comparing.yaml",
        GOOD.replace("too_expensive", "comparing").replace("[valid]", "[valid, shipped]"),
    )
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    assert caught.value.path == path
    assert caught.value.line == 4
    assert "shipped" in str(caught.value) and "comparing.yaml:4" in str(caught.value)


def test_an_unknown_placeholder_is_reported_on_the_text_line(tmp_path: Path) -> None:
    body = GOOD.replace("{{ lead.name }}", "{{ lead.phone }}")
    write_library(tmp_path, "too_expensive.yaml", body)
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    assert caught.value.line == 6 and "lead.phone" in caught.value.message


def test_a_duplicate_id_names_both_places(tmp_path: Path) -> None:
    write_library(tmp_path, "comparing.yaml", GOOD.replace("too_expensive", "comparing"))
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    assert "duplicate id 'price-ok'" in caught.value.message
    assert caught.value.path.name == "too_expensive.yaml" and caught.value.line == 3


def test_broken_yaml_points_at_the_line(tmp_path: Path) -> None:
    write_library(tmp_path, "too_expensive.yaml", GOOD.replace("grades: [A, B]", "grades: [A, B"))
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    assert "not valid YAML" in caught.value.message and caught.value.line >= 5


def test_a_missing_field_and_too_many_questions_are_refused(tmp_path: Path) -> None:
    write_library(tmp_path, "too_expensive.yaml", GOOD.replace("    why: Short and kind.\n", ""))
    with pytest.raises(LibraryError, match="missing field"):
        load_library(tmp_path)
    write_library(tmp_path, "too_expensive.yaml", GOOD.replace("too much?", "too much? A? B? C?"))
    with pytest.raises(LibraryError, match="4 questions"):
        load_library(tmp_path)


def test_a_script_longer_than_a_first_message_is_refused(tmp_path: Path) -> None:
    write_library(
        tmp_path,
        "too_expensive.yaml",
        GOOD.replace("Short", "x").replace("which part", "which part " + "really " * 50),
    )
    with pytest.raises(LibraryError, match="keep it under 300") as caught:
        load_library(tmp_path)
    assert caught.value.line == 6


def test_a_file_whose_situation_does_not_match_its_name_is_refused(tmp_path: Path) -> None:
    write_library(tmp_path, "bad_timing.yaml", GOOD)
    with pytest.raises(LibraryError, match="situation must be 'bad_timing'") as caught:
        load_library(tmp_path)
    assert caught.value.line == 1


def test_chinese_lines_join_without_a_stray_space() -> None:
    text = scripts.render_text("你好，\n我们一起看看？", {})
    assert text == "你好，我们一起看看？"


WE = {
    "zh-Hans": re.compile("我们|一起"),
    "en": re.compile(r"\b(we|we'll|we've|we're|us|our|let's|together)\b", re.I),
    "zh-Hant": re.compile("我們|一起"),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_script_speaks_as_we_and_together(locale: str) -> None:
    for script in load_library()[locale]:
        assert WE[locale].search(script.text), script.id


def test_a_script_without_a_title_in_every_language_is_refused_on_its_title_line(
    tmp_path: Path,
) -> None:
    write_library(tmp_path, "too_expensive.yaml", GOOD.replace(", en: Which part is too much", ""))
    with pytest.raises(LibraryError, match="title must name the script in zh-Hans, en") as caught:
        load_library(tmp_path)
    assert caught.value.line == 9


@pytest.mark.parametrize("locale", ["zh-Hans", "en"])
def test_chinese_titles_are_chinese_and_english_titles_english(locale: str) -> None:
    for script in load_library()[locale]:
        chinese, english = script.title("zh-Hans") or "", script.title("en") or ""
        assert not re.search(r"[A-Za-z]", chinese), (script.id, chinese)
        assert english.isascii(), (script.id, english)
