"""The line next to each lead: an introduction only before the first contact, a follow-up after
it, never a question about what the card already holds."""

from __future__ import annotations

import itertools

import pytest

from assistant.domain import lead_lines
from assistant.domain.pipeline import LOST, PIPELINES, WON
from assistant.domain.scripts import LeadFacts, Script, UseStats
from assistant.i18n import LOCALES
from assistant.services.scripts import load_library


def facts(stage: str = "new", grade: str = "B", **changes: object) -> LeadFacts:
    values: dict[str, object] = {
        "pipeline": "store",
        "stage": stage,
        "grade": grade,
        "has_event_date": False,
        "contacted": True,
        "days_since_contact": 1,
    }
    values.update(changes)
    return LeadFacts(**values)  # type: ignore[arg-type]


def never_contacted(stage: str = "new", grade: str = "B", **changes: object) -> LeadFacts:
    return facts(stage, grade, contacted=False, days_since_contact=None, **changes)


def script(
    script_id: str,
    situation: str,
    *,
    stages: tuple[str, ...] = ("new",),
    asks: tuple[str, ...] = (),
) -> Script:
    return Script(
        id=script_id,
        situation=situation,
        stages=stages,
        grades=("A", "B", "C", "D"),
        text="{{ lead.name }}?",
        why="",
        locale="en",
        asks=asks,
    )


def test_a_lead_nobody_wrote_to_is_introduced_first() -> None:
    assert lead_lines.situations_for(never_contacted("new", "A"))[0] == "opening"
    assert lead_lines.situations_for(never_contacted("lead", "C"))[0] == "opening"


def test_a_lead_already_contacted_gets_a_follow_up_and_never_an_introduction() -> None:
    for stage, grade in itertools.product(["new", "lead", "valid", "qualified"], "ABCD"):
        found = lead_lines.situations_for(facts(stage, grade))
        assert "opening" not in found, (stage, grade)
    assert lead_lines.situations_for(facts("new", "A"))[0] == "follow_up"


def test_words_about_last_time_are_kept_for_leads_already_contacted() -> None:
    for stage in ("new", "lead", "valid", "qualified", "invited"):
        found = lead_lines.situations_for(never_contacted(stage))
        assert not set(found) & lead_lines.AFTER_CONTACT, stage


def test_the_objection_in_the_last_contact_note_comes_first() -> None:
    assert lead_lines.situations_for(facts("visited", "A", last_note="客户说太贵了"))[0] == (
        "too_expensive"
    )
    assert lead_lines.situations_for(facts("new", "B", last_note="will ask her partner"))[0] == (
        "partner_decides"
    )


def test_a_lead_quiet_for_a_week_is_woken_up() -> None:
    assert lead_lines.situations_for(facts("valid", "B", days_since_contact=9))[0] == (
        "reactivation"
    )
    assert lead_lines.situations_for(facts("valid", "B", days_since_contact=2))[0] == "dream"


def test_won_and_lost_leads_get_after_sale_and_win_back_situations() -> None:
    assert lead_lines.situations_for(facts(WON, "A")) == ["after_sale", "referral"]
    assert lead_lines.situations_for(facts(LOST, "C"))[0] == "lost_reactivation"


def test_a_script_asking_for_the_date_is_left_out_once_the_date_is_known() -> None:
    asks_date = script("ask-when", "opening", asks=("date",))
    congratulates = script("congrats", "opening")
    unknown = lead_lines.pick([asks_date, congratulates], never_contacted())
    known = lead_lines.pick([asks_date, congratulates], never_contacted(has_event_date=True))
    assert unknown[0].id == "ask-when"
    assert [s.id for s in known] == ["congrats"]


def test_a_script_asking_for_a_phone_is_left_out_once_the_phone_is_known() -> None:
    call_me = script("call-me", "opening", asks=("phone",))
    assert lead_lines.pick([call_me], never_contacted(has_phone=True)) == []
    assert lead_lines.pick([call_me], never_contacted())[0].id == "call-me"


def test_when_only_an_introduction_fits_the_stage_a_contacted_lead_still_gets_none() -> None:
    hello = script("hello", "opening")
    touch = script("touch", "light_touch", stages=("valid",))
    assert lead_lines.pick([hello], facts("new")) == []
    assert [s.id for s in lead_lines.pick([hello, touch], facts("new", "D"), light=True)] == [
        "touch"
    ]


def test_light_touches_introduce_a_stranger_and_wake_a_dormant_lead() -> None:
    assert lead_lines.light_situations(never_contacted("new", "D"))[0] == "opening"
    assert lead_lines.light_situations(facts("new", "D"))[0] == "light_touch"
    assert lead_lines.light_situations(facts("valid", "B"), activation=True)[0] == "reactivation"
    assert lead_lines.light_situations(facts("valid", "D"), activation=True)[0] == "light_touch"


OPEN_STAGES = sorted({stage for stages in PIPELINES.values() for stage in stages} - {WON, LOST})


@pytest.mark.parametrize("locale", LOCALES)
def test_the_library_has_a_fitting_line_for_every_open_lead(locale: str) -> None:
    library = load_library()[locale]
    cases = itertools.product(OPEN_STAGES, "ABCD", [False, True], [False, True], [None, 1, 10])
    for stage, grade, has_date, has_phone, days in cases:
        lead = LeadFacts(
            pipeline="store",
            stage=stage,
            grade=grade,
            has_event_date=has_date,
            contacted=days is not None,
            days_since_contact=days,
            has_phone=has_phone,
        )
        found = lead_lines.pick(library, lead, light=grade == "D")
        case = (locale, stage, grade, has_date, has_phone, days)
        assert found, case
        line = found[0]
        assert not set(line.asks) & lead.known, case
        assert has_date or not line.needs_date, case
        assert lead_lines.fits_history(line.situation, contacted=lead.contacted), case
        if stage in ("new", "lead") and days is None:
            assert line.situation == "opening", case
        if stage in ("new", "lead") and days == 1 and grade != "D":
            assert line.situation == "follow_up", case


def test_similar_leads_take_turns_among_equally_fitting_scripts() -> None:
    first, second = script("hello-a", "opening"), script("hello-b", "opening")
    picked = {lead_lines.pick([first, second], never_contacted(number=n))[0].id for n in (1, 2)}
    assert picked == {"hello-a", "hello-b"}
    proven = {"hello-b": UseStats(uses=5, credited=4)}  # a proven script is not a tie
    for number in (1, 2):
        found = lead_lines.pick([first, second], never_contacted(number=number), stats=proven)
        assert found[0].id == "hello-b"
