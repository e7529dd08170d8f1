"""Script text is data: the five placeholders are substituted, every other piece of markup is
refused at the door and, should one be stored anyway, shown as typed instead of run."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from assistant.domain import placeholders
from assistant.domain.placeholders import TemplateRefused
from assistant.services import scripts
from assistant.services.scripts import LibraryError, load_library

# What an attacker tried on main: each would run code or read the environment when rendered.
EXPLOITS = [
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__()[133].__init__.__globals__['popen']('id').read() }}",
    "{{ cycler.__init__.__globals__.os.environ.TELEGRAM_BOT_TOKEN }}",
    "{{ lipsum.__globals__['os'].environ['TELEGRAM_BOT_TOKEN'] }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{{ lead.name|attr('__class__') }}",
    "{{ lead.name.__class__ }}",
    "{{ config }}",
    "{{ 7*7 }}",
    "{# hidden #}",
    "{%raw%}",
    "{{ lead.name }",
]
VALUES = {
    "lead.name": "王女士",
    "rep.name": "小林",
    "event_date": "2027年5月1日",
    "product": "婚纱照",
    "brand": "星光",
}


def test_the_five_placeholders_are_filled_in_with_or_without_spaces() -> None:
    text = (
        "{{lead.name}}，{{ rep.name }}｜{{  event_date }}｜{{ product}}｜{{ brand }}"
        "｜{{ lead . name }}"
    )
    assert placeholders.check(text) == frozenset(placeholders.PLACEHOLDERS)
    assert placeholders.fill(text, VALUES) == "王女士，小林｜2027年5月1日｜婚纱照｜星光｜王女士"


@pytest.mark.parametrize("payload", EXPLOITS)
def test_any_other_markup_is_refused_and_named(payload: str) -> None:
    with pytest.raises(TemplateRefused) as refused:
        placeholders.check(f"{{{{ lead.name }}}}，{payload} 好吗？")
    assert refused.value.fragment.startswith(payload[:2])
    assert len(refused.value.fragment) <= placeholders.FRAGMENT_LIMIT


@pytest.mark.parametrize("payload", EXPLOITS)
def test_a_stored_exploit_is_shown_as_typed_and_never_run(payload: str) -> None:
    text = f"{{{{ lead.name }}}}，{payload} 好吗？"
    assert scripts.render_text(text, VALUES) == f"王女士，{payload} 好吗？"
    assert placeholders.used_in(text) == {"lead.name"}


def test_a_value_with_braces_is_never_read_as_markup() -> None:
    values = {**VALUES, "lead.name": "{{ rep.name }} {% for %}", "brand": "{0.__class__}"}
    filled = placeholders.fill("{{ lead.name }} / {{ brand }}", values)
    assert filled == "{{ rep.name }} {% for %} / {0.__class__}"


def test_plain_braces_that_are_not_markup_stay_text() -> None:
    assert placeholders.check("{价格} 和 }} 都只是文字？") == frozenset()
    assert scripts.render_text("{价格} 和 }} 都只是文字？", VALUES) == "{价格} 和 }} 都只是文字？"


@pytest.mark.parametrize("payload", [*EXPLOITS[:4], *EXPLOITS[5:7]])
def test_the_library_sandbox_refuses_python_attributes_even_past_the_first_wall(
    payload: str,
) -> None:
    template = scripts.LIBRARY_ENVIRONMENT.from_string(payload)
    with pytest.raises((SecurityError, UndefinedError)):
        template.render({"lead": {"name": "x"}})


@pytest.mark.parametrize("payload", EXPLOITS)
def test_the_library_renderer_refuses_an_expression(payload: str) -> None:
    with pytest.raises(TemplateRefused):
        scripts.render_library_text(f"{payload} 好吗？", VALUES)


LIBRARY_FILE = """\
situation: too_expensive
scripts:
  - id: price-ok
    stages: [valid]
    grades: [A]
    text: >-
      {{ lead.name }}, PAYLOAD which part feels too much?
    why: Short and kind.
    title: {zh-Hans: 问哪部分贵, en: Which part is too much}
"""


@pytest.mark.parametrize("payload", EXPLOITS)
def test_a_library_file_with_an_expression_stops_start_up_at_its_line(
    tmp_path: Path, payload: str
) -> None:
    for locale in ("zh-Hans", "en"):
        (tmp_path / locale).mkdir()
    body = LIBRARY_FILE.replace("PAYLOAD", payload)
    (tmp_path / "zh-Hans" / "too_expensive.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    assert caught.value.line == 6 and "lead.name" in caught.value.message
