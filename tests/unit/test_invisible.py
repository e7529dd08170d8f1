from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.invisible import INVISIBLE, strip_invisible, visible_words


def test_every_listed_character_is_stripped_and_nothing_else() -> None:
    listed = (
        [chr(code) for code in range(0x200B, 0x2010)]
        + [chr(code) for code in range(0x202A, 0x202F)]
        + [chr(code) for code in range(0x2066, 0x206A)]
        + ["\ufeff"]
    )
    assert set(listed) == INVISIBLE
    assert strip_invisible("A\u202en\u200bn\u2066 王\ufeff女士") == "Ann 王女士"


def test_a_name_of_only_invisible_characters_is_empty() -> None:
    assert visible_words("\u200b \u202e\u2069\ufeff") == ""


def test_a_right_to_left_override_cannot_turn_a_name_around() -> None:
    assert visible_words("Ann\u202endoJ") == "AnnndoJ"


@given(st.text())
def test_what_is_left_has_none_of_them_and_keeps_every_other_character(text: str) -> None:
    stripped = strip_invisible(text)
    assert not INVISIBLE & set(stripped)
    assert stripped == "".join(ch for ch in text if ch not in INVISIBLE)
