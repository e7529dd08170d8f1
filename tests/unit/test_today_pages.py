"""/today shows ten leads a page, A's first; its "more" button has a code of its own."""

from __future__ import annotations

from assistant.services.today import PAGE_SIZE, last_page, page_slices
from assistant.tg.app import ROUTES


def test_a_page_takes_ten_leads_across_the_grades_in_order() -> None:
    counts = {"A": 2, "B": 4, "C": 0, "D": 10}
    assert PAGE_SIZE == 10
    assert page_slices(counts, 1) == {"A": (0, 2), "B": (0, 4), "D": (0, 4)}
    assert page_slices(counts, 2) == {"D": (4, 6)}
    assert page_slices(counts, 3) == {}
    assert last_page(16) == 2 and last_page(20) == 2 and last_page(0) == 1


def test_the_more_button_has_a_code_of_its_own() -> None:
    from assistant.tg.handlers import today

    assert ROUTES.callbacks[today.MORE] is today.more_button  # routes() refuses a code twice
