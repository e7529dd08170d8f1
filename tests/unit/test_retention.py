from datetime import date

from assistant.domain.retention import asks_referral, checkins, split_referrer


def test_a_customer_is_checked_on_three_days_before_and_two_days_after_the_event() -> None:
    assert checkins(date(2027, 5, 1), date(2026, 11, 25)) == {
        "before": date(2027, 4, 28), "after": date(2027, 5, 3)}  # fmt: skip


def test_check_ins_already_past_at_the_sale_are_dropped_and_no_date_means_none() -> None:
    assert checkins(date(2026, 11, 26), date(2026, 11, 25)) == {"after": date(2026, 11, 28)}
    assert checkins(None, date(2026, 11, 25)) == {}


def test_the_referrer_is_taken_out_of_an_add_line_in_either_language() -> None:
    assert split_referrer("王女士 13800138000 介绍人:12") == ("王女士 13800138000", 12)
    assert split_referrer("Ann ref: #7 next May") == ("Ann next May", 7)
    assert split_referrer("王女士 介绍人：3 婚期 5月") == ("王女士 婚期 5月", 3)
    assert split_referrer("王女士 13800138000") == ("王女士 13800138000", None)


def test_only_a_happy_customer_is_asked_for_a_referral_at_once() -> None:
    assert asks_referral(4) and asks_referral(5)
    assert not asks_referral(3) and not asks_referral(None)
