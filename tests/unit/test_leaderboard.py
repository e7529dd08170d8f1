from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.domain import events
from assistant.domain.leaderboard import (
    WEIGHTS,
    Fact,
    due_followups,
    on_time,
    period_bounds,
    rank,
    streak,
)

ZONE = "Asia/Shanghai"
SH = ZoneInfo(ZONE)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SH)  # Wednesday


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=SH)


def followup(lead: int, owner: int, set_on: datetime, due: datetime) -> Fact:
    return Fact(lead, owner, events.FOLLOWUP, set_on, due.astimezone(UTC).isoformat())


def contact(lead: int, owner: int, when: datetime) -> Fact:
    return Fact(lead, owner, events.CONTACT, when)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [("day", (11, 25), (11, 26)), ("week", (11, 23), (11, 26)),
     ("month", (11, 1), (11, 26)), ("last_week", (11, 16), (11, 23))],
)  # fmt: skip
def test_periods_follow_the_local_calendar(
    period: str, first: tuple[int, int], last: tuple[int, int]
) -> None:
    start, end = period_bounds(period, NOW, ZONE)
    assert (start, end) == (
        datetime(2026, first[0], first[1], tzinfo=SH),
        datetime(2026, last[0], last[1], tzinfo=SH),
    )


def test_points_mix_contacts_visits_and_deals_with_the_published_weights() -> None:
    facts = [
        contact(1, 7, at(24)),
        contact(2, 7, at(24, 11)),
        Fact(1, 7, events.STAGE, at(24, 12), "visited"),
        Fact(1, 7, events.STAGE, at(25, 9), "won"),
    ]
    board = rank([7], facts, pipeline="store", period="week", now=NOW, zone=ZONE)
    row = board.rows[0]
    assert (row.contacts, row.visits, row.deals, row.on_time) == (2, 1, 1, 0)
    assert row.points == 2 * WEIGHTS["contact"] + WEIGHTS["visit"] + WEIGHTS["deal"] == 17


def test_a_follow_up_done_by_the_end_of_its_day_is_on_time_and_a_later_one_is_not() -> None:
    facts = [
        followup(1, 7, at(23), at(24, 15)),
        contact(1, 7, at(24, 21)),
        followup(2, 7, at(23), at(24, 15)),
        contact(2, 7, at(25, 9)),
    ]
    dues = due_followups(facts, ZONE)
    assert [on_time(due, ZONE) for due in sorted(dues, key=lambda d: d.lead_id)] == [True, False]


def test_a_follow_up_rescheduled_before_its_day_ends_is_replaced_not_missed() -> None:
    facts = [followup(1, 7, at(23), at(24, 15)), followup(1, 7, at(24, 16), at(26, 15))]
    dues = due_followups(facts, ZONE)
    assert [due.due_at for due in dues] == [at(26, 15).astimezone(UTC)]


def test_a_handed_over_follow_up_belongs_to_the_new_owner() -> None:
    facts = [followup(1, 7, at(23), at(24, 15)), Fact(1, 7, events.ASSIGNED, at(23, 12), "8")]
    assert due_followups(facts, ZONE)[0].member_id == 8


def test_streak_counts_days_with_every_due_follow_up_done_skipping_idle_days() -> None:
    facts = []
    for lead, day in enumerate((19, 20, 23, 24), start=1):  # Thu, Fri, Mon, Tue
        facts += [followup(lead, 7, at(day - 1), at(day, 15)), contact(lead, 7, at(day, 14))]
    facts += [followup(9, 7, at(17), at(18, 15))]  # missed on Wed 18th
    facts += [followup(10, 7, at(24), at(25, 15))]  # due today, not done yet
    dues = due_followups(facts, ZONE)
    assert streak(dues, NOW, ZONE) == 4
    facts.append(contact(10, 7, at(25, 9)))
    assert streak(due_followups(facts, ZONE), NOW, ZONE) == 5


def test_only_the_given_members_are_ranked_and_equal_points_share_a_rank() -> None:
    facts = [contact(1, 7, at(25, 8)), contact(2, 8, at(25, 9)), contact(3, 99, at(25, 9))]
    facts += [contact(3, 99, at(25, 9)) for _ in range(5)]
    board = rank([7, 8, 9], facts, pipeline="store", period="day", now=NOW, zone=ZONE)
    assert [(row.member_id, row.rank, row.points) for row in board.rows] == [
        (7, 1, 1), (8, 1, 1), (9, 3, 0)
    ]  # fmt: skip


def test_events_outside_the_period_do_not_count() -> None:
    facts = [contact(1, 7, at(24)), contact(1, 7, at(25, 8))]
    day = rank([7], facts, pipeline="store", period="day", now=NOW, zone=ZONE)
    assert day.rows[0].contacts == 1
    week = rank([7], facts, pipeline="store", period="week", now=NOW, zone=ZONE)
    assert week.rows[0].contacts == 2


def test_a_reschedule_replaces_only_its_own_lead_s_due_among_many() -> None:
    facts = []
    for lead in range(1, 3001):  # every lead: a due rescheduled in time, then done on time
        facts += [
            followup(lead, 7, at(23, 9), at(23, 15)),
            followup(lead, 7, at(23, 10), at(24, 15)),
        ]
        facts.append(contact(lead, 7, at(24, 11)))
    facts += [followup(5000, 8, at(23, 9), at(23, 15))]  # never answered: missed
    dues = due_followups(facts, ZONE)
    assert len(dues) == 3001
    assert sum(on_time(due, ZONE) for due in dues) == 3000
    assert [due.lead_id for due in dues if not on_time(due, ZONE)] == [5000]


def test_a_follow_up_moved_and_met_again_and_again_earns_on_time_points_once_a_day() -> None:
    facts = []
    for minute in range(0, 50, 10):  # set for in ten minutes, met, set again, met again...
        set_on = at(25, 9).replace(minute=minute)
        facts.append(followup(1, 7, set_on, set_on.replace(minute=minute + 5)))
        facts.append(contact(1, 7, set_on.replace(minute=minute + 6)))
    facts.append(followup(2, 7, at(25, 8), at(25, 9)))
    facts.append(contact(2, 7, at(25, 9)))
    [row] = rank([7], facts, pipeline="store", period="day", now=NOW, zone=ZONE).rows
    assert row.on_time == 2  # lead 1 once, lead 2 once


def test_a_contact_marked_again_counts_for_nothing_on_the_board() -> None:
    facts = [
        contact(1, 7, at(25, 9)),
        Fact(1, 7, events.CONTACT, at(25, 9).replace(minute=5), events.CONTACT_AGAIN),
    ]
    [row] = rank([7], facts, pipeline="store", period="day", now=NOW, zone=ZONE).rows
    assert (row.contacts, row.points) == (1, WEIGHTS["contact"])
