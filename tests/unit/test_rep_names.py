"""The name a rep gives clients: read from /name or Telegram's first name."""

from __future__ import annotations

import pytest

from assistant.domain.rep_names import (
    REP_NAME_LIMIT,
    RepNameError,
    parse_rep_name,
    rep_name_from_telegram,
)


def test_a_typed_name_is_kept_with_its_spaces_made_single() -> None:
    assert parse_rep_name("  小陈 ") == "小陈"
    assert parse_rep_name("Sam   Lee") == "Sam Lee"


def test_invisible_characters_are_dropped_and_a_name_made_only_of_them_is_refused() -> None:
    assert parse_rep_name("小\u200b陈") == "小陈"
    with pytest.raises(RepNameError) as caught:
        parse_rep_name("\u200b\u202e\ufeff")
    assert caught.value.reason == "invisible"


def test_a_name_longer_than_the_limit_is_refused() -> None:
    assert parse_rep_name("a" * REP_NAME_LIMIT) == "a" * REP_NAME_LIMIT
    with pytest.raises(RepNameError) as caught:
        parse_rep_name("a" * (REP_NAME_LIMIT + 1))
    assert caught.value.reason == "too_long"


def test_telegrams_first_name_is_used_only_when_it_can_stand_in_a_script() -> None:
    assert rep_name_from_telegram("小陈") == "小陈"
    assert rep_name_from_telegram("\u200d") is None
    assert rep_name_from_telegram("x" * 64) is None
    assert rep_name_from_telegram(None) is None
