from typing import Any

import pytest

from assistant.render import Renderer
from assistant.services.importexport import BadRow

RENDERER = Renderer()
STAGES = ["new", "valid", "invited", "visited", "won", "lost"]

ERRORS: list[tuple[str, dict[str, Any]]] = [
    ("lead_not_found", {"number": 7}),
    ("lead_not_found", {"number": ""}),
    ("lead_id_needed", {"given": "", "usage": "/log 12"}),
    ("lead_id_needed", {"given": "abc"}),
    ("bad_phone", {"given": "123"}),
    ("bad_wechat", {"given": "!!"}),
    ("bad_contact", {"given": "??"}),
    ("bad_date", {"given": "某天"}),
    ("bad_when", {"given": "改天", "reason": "unknown"}),
    ("bad_when", {"given": "昨天", "reason": "past"}),
    ("bad_when", {"given": ""}),
    ("name_missing", {}),
    ("name_too_long", {"limit": 64}),
    ("text_too_long", {"limit": 500}),
    ("bad_stage", {"given": "x", "stages": STAGES}),
    ("same_stage", {"stage": "new"}),
    ("lost_reason_needed", {"number": 3, "reasons": ["价格太高"]}),
    ("bad_amount", {"given": "lots"}),
    ("bad_field", {"given": "x"}),
    ("edit_needs_value", {"field": "phone", "number": 3}),
    ("bad_grade", {"given": "Z"}),
    ("same_grade", {"grade": "B"}),
    ("undo_expired", {"number": 3}),
    ("bad_filter", {"given": "x"}),
    ("find_needs_text", {}),
    ("import_too_big", {"limit": 10}),
    ("import_bad_file", {"name": "a.pdf"}),
    ("import_empty", {}),
    ("import_no_name_column", {}),
    ("import_too_many", {"limit": 20000}),
]


@pytest.mark.parametrize("locale", ["zh-Hans", "en"])
@pytest.mark.parametrize(("key", "context"), ERRORS)
def test_every_lead_error_renders_with_what_to_type_instead(
    locale: str, key: str, context: dict[str, Any]
) -> None:
    text = RENDERER.render(locale, f"errors/{key}", **context)
    assert text and "{{" not in text


@pytest.mark.parametrize("locale", ["zh-Hans", "en"])
def test_every_bad_import_row_reason_is_explained(locale: str) -> None:
    reasons = ["missing_name", "name_too_long", "bad_phone", "bad_wechat", "bad_date",
               "bad_stage", "bad_grade", "bad_amount", "bad_time", "too_long"]  # fmt: skip
    bad = [BadRow(i + 2, reason, "v") for i, reason in enumerate(reasons)]
    bad += [BadRow(20, "duplicate", "5"), BadRow(21, "duplicate", "-4"), BadRow(22, "duplicate")]
    text = RENDERER.render(
        locale, "leads/imported", stored=3, bad=bad, bad_total=len(bad), duplicates=2, more=0
    )
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 2 + len(bad)
    assert all(reason not in text for reason in reasons)
    assert "#5" in text and "4" in lines[-3] and "#" not in lines[-2]
