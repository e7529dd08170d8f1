"""Reading /team's words, ordering its lines and the digest's period."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.db.models import Membership, Person
from assistant.domain.funnel import Pace, PeriodCounts
from assistant.domain.periods import Period
from assistant.services import team_view
from assistant.services.digest import digest_period
from assistant.services.errors import UserError
from assistant.services.teams import Member

WED = date(2026, 11, 25)


def test_team_reads_a_period_then_an_optional_sort_word_in_both_languages() -> None:
    wanted = team_view.parse_team_args(["week", "deals"], WED)
    assert (wanted.period.kind, wanted.sort, wanted.member_ref) == ("week", "deals", None)
    wanted = team_view.parse_team_args(["本周", "逾期"], WED)
    assert (wanted.period.start, wanted.sort) == (date(2026, 11, 23), "overdue")
    assert team_view.parse_team_args([], WED).period == Period("today", WED, WED)
    assert team_view.parse_team_args(["进度"], WED).sort == "pace"
    assert team_view.parse_team_args(["last", "week"], WED).period.kind == "last_week"


def test_a_word_that_is_not_a_period_names_a_member_for_the_drill_down() -> None:
    wanted = team_view.parse_team_args(["2", "month"], WED)
    assert (wanted.member_ref, wanted.period.kind) == ("2", "month")
    assert team_view.parse_team_args(["@bob"], WED).member_ref == "@bob"
    with pytest.raises(UserError) as error:
        team_view.parse_team_args(["bob", "someday"], WED)
    assert error.value.key == "team_usage"


def _row(name: str, number: int, won: int, pace: Pace | None = None) -> team_view.MemberRow:
    member = Member(
        number, Membership(team_id=1, person_id=number), Person(name=name, tg_user_id=number)
    )
    counts = PeriodCounts("store", created=number, reached={"won": won})
    return team_view.MemberRow(member, counts, [], team_view.Overdue(number, 0), pace)


def test_lines_sort_highest_first_with_ties_by_name_and_no_goal_last() -> None:
    rows = [_row("Carol", 3, 1), _row("alice", 1, 1), _row("Bob", 2, 2)]
    assert [r.member.person.name for r in team_view.sort_rows(rows, "deals", "store")] == [
        "Bob", "alice", "Carol",
    ]  # fmt: skip
    assert [r.member.number for r in team_view.sort_rows(rows, "overdue", "store")] == [3, 2, 1]
    paced = [
        _row("Ann", 1, 0),
        _row("Ben", 2, 0, Pace(4, 1, 2.0, 21, 5)),
        _row("Cy", 3, 0, Pace(4, 3, 2.0, 21, 5)),
    ]
    assert [r.member.person.name for r in team_view.sort_rows(paced, "pace", "store")] == [
        "Cy", "Ben", "Ann",
    ]  # fmt: skip


def test_the_digest_covers_the_days_since_the_previous_working_day() -> None:
    assert digest_period(WED, "12345") == Period(
        "yesterday", date(2026, 11, 24), date(2026, 11, 24)
    )
    monday = date(2026, 11, 30)
    assert digest_period(monday, "12345") == Period("range", date(2026, 11, 27), date(2026, 11, 29))
    assert digest_period(monday, "123456") == Period(
        "range", date(2026, 11, 28), date(2026, 11, 29)
    )


def test_button_periods_round_trip_and_forged_ones_are_refused() -> None:
    period = Period("week", date(2026, 11, 23), date(2026, 11, 29))
    assert team_view.period_from_args(*team_view.period_arg(period)) == period
    for args in (("year", "20261123", "20261129"), ("week", "2026-11", "20261129"),
                 ("week", "20261129", "20261123")):  # fmt: skip
        with pytest.raises(UserError):
            team_view.period_from_args(*args)
