from assistant.render.formats import money


def test_an_amount_shows_cents_only_when_it_has_any() -> None:
    assert money(12800) == "12,800"
    assert money(12800.0) == "12,800"
    assert money(12800.5) == "12,800.50"


def test_an_estimate_is_shown_in_whole_units() -> None:
    assert money(12800.4, whole=True) == "12,800"
    assert money(12800.6, whole=True) == "12,801"
