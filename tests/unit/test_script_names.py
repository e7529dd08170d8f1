"""Scripts are named to people by title, never by id."""

import pytest

from assistant.domain.scripts import Script
from assistant.services.script_names import first_words, title_of
from assistant.services.scripts import library


def test_a_library_script_is_named_by_its_title_in_the_readers_language() -> None:
    [script] = [s for s in library()["zh-Hans"] if s.id == "invite-two-slots"]
    assert title_of(script, "zh-Hans") == "周末两个时段二选一"
    assert title_of(script, "en") == "Two weekend times to choose from"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "{{ lead.name }}，预算方面我们一起想办法，您心里的区间是多少？",
            "预算方面我们一起想办法…",
        ),
        (
            "{{ lead.name }}, let's find a budget that works. What range?",
            "let's find a budget that works…",
        ),
        (
            "Hi {{ lead.name }}! Quick one about your plans for the big day",
            "Hi! Quick one about your plans…",
        ),
        ("好的？", "好的"),
    ],
)
def test_a_team_script_is_named_by_its_first_words_without_placeholders(
    text: str, words: str
) -> None:
    assert first_words(text) == words
    script = Script("t3", "too_expensive", ("valid",), ("A",), text, "", "zh-Hans", team=True)
    assert title_of(script, "zh-Hans") == f"团队话术：{words}"
    assert title_of(script, "en") == f"team script: {words}"
