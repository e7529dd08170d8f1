"""Exported cells are never formulas, and reading them back gives every value unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.cells import FORMULA_STARTS, escape_formula, unescape_formula


def test_a_phone_comes_back_without_its_quote() -> None:
    assert escape_formula("+8613800138000") == "'+8613800138000"
    assert unescape_formula("'+8613800138000") == "+8613800138000"


def test_plain_values_and_a_quote_typed_in_a_sheet_are_left_alone() -> None:
    assert escape_formula("王女士") == "王女士" and unescape_formula("'abc") == "'abc"


@given(st.text(alphabet=st.sampled_from([*FORMULA_STARTS, "'", "a", "1", " ", "王"]), max_size=6))
def test_every_value_round_trips_and_no_cell_starts_a_formula(value: str) -> None:
    cell = escape_formula(value)
    assert cell[:1] not in FORMULA_STARTS
    assert unescape_formula(cell) == value
