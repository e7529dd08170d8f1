"""English counts read right: one lead, two leads, through one helper in render."""

import re

import pytest

from assistant.render import TEMPLATES, Renderer, counted, noun


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 leads"), (1, "1 lead"), (2, "2 leads"), ("1", "1 lead"), ("1,200", "1,200 leads")],
)
def test_a_count_takes_the_singular_only_for_one(count: object, text: str) -> None:
    assert counted(count, "lead") == text


def test_irregular_plurals_and_words_without_the_number() -> None:
    assert counted(3, "reply", "replies") == "3 replies"
    assert noun(1, "it", "them") == "it" and noun(4, "it", "them") == "them"


def test_one_lead_exported_and_one_day_overdue_read_in_the_singular() -> None:
    renderer = Renderer()
    exported = renderer.render("en", "leads/exported", count=1, whole_team=False, team="")
    assert "1 lead." in exported and "1 leads" not in exported
    lead = {"number": 3, "name": "Emma", "grade": "A"}
    overdue = renderer.render("en", "pushes/escalation", lead=lead, days=1, rep="Sam", step="")
    assert "is 1 day overdue" in overdue


def test_no_english_template_pluralises_by_hand() -> None:
    hand_made = re.compile(r'"s" if|else "s"|[!=]= 1 else')
    offenders = [
        path.name for path in (TEMPLATES / "en").rglob("*.j2") if hand_made.search(path.read_text())
    ]
    assert offenders == []


def test_no_english_template_puts_a_bare_count_before_a_plural_noun() -> None:
    """`{{ n }} days` reads '1 days' for one; counts go through the plural filter."""
    nouns = r"(?:leads?|days?|orders?|contacts?|rows?|deals?|minutes|characters|questions|points)\b"
    bare = re.compile(r"\{\{ (?![a-z_.]*grade )[a-z_.\[\]0-9]+ \}\} " + nouns)
    offenders = {
        path.name: bare.findall(path.read_text())
        for path in (TEMPLATES / "en").rglob("*.j2")
        if bare.search(path.read_text())
    }
    assert offenders == {}
