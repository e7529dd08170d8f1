"""suggest_for_lead: what /today, reminders and activation batches show next to a lead."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from assistant.db.models import Lead
from assistant.domain.scripts import Script
from assistant.services import scripts
from assistant.services.scripts import shipped

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def lead(**fields: object) -> Lead:
    values: dict[str, object] = {
        "team_id": 1,
        "number": 3,
        "name": "王女士",
        "stage": "valid",
        "grade": "D",
        "last_contact_at": NOW - timedelta(days=1),
    }
    values.update(fields)
    return Lead(**values)  # type: ignore[arg-type]


def test_a_d_lead_gets_a_light_touch_with_the_name_filled_in() -> None:
    found = scripts.suggest_for_lead(lead(), locale="zh-Hans", rep_name="小林", now=NOW)
    assert found is not None
    assert found.script.situation == "light_touch"
    assert found.text.startswith("王女士")


def test_a_b_lead_with_a_date_hears_the_dream_in_english() -> None:
    found = scripts.suggest_for_lead(
        lead(name="Emma", grade="B", event_date=date(2027, 5, 1)),
        locale="en",
        rep_name="Sam",
        team_settings={"scripts": {"product": "photo shoot"}},
        now=NOW,
    )
    assert found is not None and found.script.situation == "dream"
    assert "Emma" in found.text and "{{" not in found.text


def test_activation_batches_can_ask_for_a_reactivation_message() -> None:
    dormant = lead(grade="C", last_contact_at=NOW - timedelta(days=20))
    found = scripts.suggest_for_lead(
        dormant, locale="zh-Hans", rep_name="小林", now=NOW, situation="reactivation"
    )
    assert found is not None and found.script.situation == "reactivation"
    unforced = scripts.suggest_for_lead(dormant, locale="zh-Hans", rep_name="小林", now=NOW)
    assert unforced is not None and unforced.script.situation == "reactivation"


def test_a_lead_without_a_date_never_gets_a_script_that_mentions_the_date() -> None:
    for grade in "ABCD":
        for stage in ("new", "valid", "invited", "visited", "won", "lost"):
            found = scripts.suggest_for_lead(
                lead(grade=grade, stage=stage), locale="en", rep_name="Sam", now=NOW
            )
            assert found is not None and not found.script.needs_date


def test_team_scripts_passed_in_rank_with_the_library() -> None:
    own = Script(
        id="t9",
        situation="light_touch",
        stages=("valid",),
        grades=("D",),
        text="{{ lead.name }}，最近好吗？",
        why="",
        locale="zh-Hans",
        team=True,
    )
    found = scripts.suggest_for_lead(
        lead(), locale="zh-Hans", rep_name="小林", now=NOW, extra_scripts=[own]
    )
    assert found is not None and found.id == "t9" and found.text == "王女士，最近好吗？"


def test_an_installed_package_finds_the_library_under_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share" / "sales-assistant" / "scripts_library"
    shutil.copytree(scripts.library_root(), share)
    monkeypatch.setattr(shipped, "ROOT", tmp_path / "site-packages")
    monkeypatch.setattr(shipped, "PACKAGE_SHARE", share)
    assert scripts.library_root() == share
    assert len(scripts.load_library()["en"]) >= 40
