from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.capture import (
    clean_chat_id,
    format_phone,
    looks_like_lead,
    normalize_phone,
    parse_capture,
)
from assistant.domain.grading import grade_for

TODAY = date(2026, 11, 25)


def test_the_worked_example_gives_name_phone_date_source_and_grade_a() -> None:
    draft = parse_capture("王女士 13800138000 婚期 明年5月 转介绍", TODAY)
    assert draft.name == "王女士"
    assert format_phone(draft.phone) == "+86 138 0013 8000"
    assert draft.event_date == date(2027, 5, 1)
    assert draft.source == "referral"
    assert draft.strong_intent
    assert grade_for(draft.event_date, TODAY, draft.strong_intent).grade == "A"
    assert draft.notes is None


def test_wechat_ids_come_after_wx_or_weixin_markers() -> None:
    assert parse_capture("李先生 wx:lee_2024", TODAY).wechat == "lee_2024"
    assert parse_capture("李先生 微信：lee_2024", TODAY).wechat == "lee_2024"
    assert parse_capture("李先生 vx lee_2024", TODAY).wechat == "lee_2024"
    assert parse_capture("李先生 vx !!", TODAY).bad_wechat == "!!"
    assert parse_capture("李先生 微信 wxid_abc123", TODAY).wechat == "wxid_abc123"
    assert parse_capture("wxyz 13800138000", TODAY).name == "wxyz"


def test_line_and_whatsapp_ids_come_after_their_markers() -> None:
    draft = parse_capture("陈小姐 0912345678 line:chen88 婚期 明年五月 转介绍", TODAY, region="TW")
    assert (draft.name, draft.phone) == ("陈小姐", "+886912345678")
    assert (draft.messenger, draft.wechat) == ("line", "chen88")
    assert draft.event_date == date(2027, 5, 1) and draft.source == "referral"
    for typed in ("林 LINE ID Chen.88", "林 line：chen.88", "林 加赖 chen.88", "林 加LINE chen.88"):
        found = parse_capture(typed, TODAY)
        assert (found.name, found.messenger, found.wechat) == ("林", "line", "chen.88"), typed
    assert parse_capture("林 line: 好", TODAY).bad_wechat == "好"
    hk = parse_capture("黄先生 9123 4567 whatsapp:6123 4567", TODAY, region="HK")
    assert (hk.phone, hk.messenger, hk.wechat) == ("+85291234567", "whatsapp", "+85261234567")
    assert parse_capture("Tom WA: +852 6123 4567", TODAY).wechat == "+85261234567"
    # What follows a number typed in groups is not taken into it.
    after = parse_capture("黄先生 whatsapp:9123 4567 2027-05-01", TODAY, region="HK")
    assert (after.wechat, after.event_date) == ("+85291234567", date(2027, 5, 1))
    two = parse_capture("黄先生 whatsapp:6123 4567 9123 4567", TODAY, region="HK")
    assert (two.wechat, two.phone) == ("+85261234567", "+85291234567")
    # A line of text that merely says "line" holds no LINE id.
    assert parse_capture("王女士 online 13800138000", TODAY).wechat is None


def test_numbers_without_a_country_code_are_read_in_the_teams_region() -> None:
    assert normalize_phone("0912 345 678", "TW") == "+886912345678"
    assert normalize_phone("0912345678", "CN") is None
    assert normalize_phone("9123 4567", "HK") == "+85291234567"
    assert normalize_phone("6123-4567", "HK") == "+85261234567"
    assert normalize_phone("6612 3456", "MO") == "+85366123456"
    assert normalize_phone("+86 138 0013 8000", "TW") == "+8613800138000"
    # A mainland mobile is still read outside mainland China; a local number never as one.
    assert normalize_phone("13800138000", "TW") == "+8613800138000"
    assert normalize_phone("13800138000", "HK") == "+8613800138000"
    assert normalize_phone("9123 4567", "CN") is None
    assert parse_capture("赖小姐 0912 345 678", TODAY, region="TW").phone == "+886912345678"


def test_a_chat_id_is_checked_by_its_own_apps_rules() -> None:
    assert clean_chat_id("Chen_88", "line") == "chen_88"  # LINE ids are lower case
    assert clean_chat_id("@shop", "line") == "@shop"
    assert clean_chat_id("abc", "line") is None
    assert clean_chat_id("9123 4567", "whatsapp", "HK") == "+85291234567"
    assert clean_chat_id("chen88", "whatsapp", "HK") is None
    assert clean_chat_id("wang_2024", "wechat") == "wang_2024"


def test_english_capture_with_a_foreign_number_and_walk_in_source() -> None:
    draft = parse_capture("Mary Smith +44 7911 123456 date: May 1 walk-in ready to buy", TODAY)
    assert draft.name == "Mary Smith"
    assert draft.phone == "+447911123456"
    assert draft.event_date == date(2027, 5, 1)
    assert draft.source == "walk_in"
    assert draft.strong_intent


def test_known_source_words_and_explicit_source() -> None:
    assert parse_capture("张三 抖音", TODAY).source == "douyin"
    assert parse_capture("张三 来源:婚博会", TODAY).source == "expo"
    assert parse_capture("张三 来源:朋友的朋友", TODAY).source == "朋友的朋友"
    assert not parse_capture("张三 抖音", TODAY).strong_intent


def test_a_date_after_other_fields_is_taken_out_of_the_notes() -> None:
    draft = parse_capture("张先生 wx:zhang88 下周六到店 小红书 意向强", TODAY)
    assert draft.event_date == date(2026, 12, 5)
    assert draft.notes == "到店"
    assert draft.wechat == "zhang88" and draft.source == "xiaohongshu" and draft.strong_intent


def test_names_that_contain_date_words_stay_names() -> None:
    assert parse_capture("周一鸣 13800138000", TODAY).name == "周一鸣"
    assert parse_capture("王国庆 13800138000", TODAY).event_date is None
    draft = parse_capture("王国庆 13800138000 婚期 明年国庆", TODAY)
    assert draft.name == "王国庆" and draft.event_date == date(2027, 10, 1)
    assert parse_capture("明年五一 王女士", TODAY).event_date == date(2027, 5, 1)
    sun = parse_capture("Sun Li 13800138000 May Chen", TODAY)
    assert sun.name == "Sun Li" and sun.event_date is None
    assert parse_capture("Sun Li next sat", TODAY).event_date == date(2026, 11, 28)
    assert parse_capture("王女士，明年五一，13800138000", TODAY).event_date == date(2027, 5, 1)


def test_unrecognised_words_become_notes() -> None:
    draft = parse_capture("赵女士 13800138000 想要海景套餐 预算两万", TODAY)
    assert draft.name == "赵女士"
    assert draft.notes == "想要海景套餐 预算两万"


def test_a_phone_written_right_after_chinese_words_is_found() -> None:
    draft = parse_capture("刘女士电话13800138000，下月底来店", TODAY)
    assert draft.name == "刘女士"
    assert draft.phone == "+8613800138000"
    assert draft.event_date == date(2026, 12, 31)


def test_a_number_that_is_not_a_valid_phone_is_reported_not_dropped() -> None:
    draft = parse_capture("钱女士 1380013", TODAY)
    assert draft.phone is None and draft.bad_phone == "1380013"


def test_phone_normalisation_accepts_spacing_and_country_codes() -> None:
    assert normalize_phone("138 0013 8000") == "+8613800138000"
    assert normalize_phone("+86-138-0013-8000") == "+8613800138000"
    assert normalize_phone("12345") is None
    assert normalize_phone("hello") is None


@pytest.mark.parametrize("text", ["", "   ", "13800138000"])
def test_capture_without_a_name_leaves_the_name_empty(text: str) -> None:
    assert parse_capture(text, TODAY).name == ""


@given(st.text(max_size=200))
def test_capture_never_crashes(text: str) -> None:
    draft = parse_capture(text, TODAY)
    assert draft.phone is None or draft.phone.startswith("+")


@given(
    st.permutations(["13800138000", "wx:abc_123", "DATE", "抖音"]),
    st.sampled_from(
        [
            ("明年5月", date(2027, 5, 1)),
            ("下周六", date(2026, 12, 5)),
            ("5月1日", date(2027, 5, 1)),
            ("三个月后", date(2027, 2, 25)),
            ("月底", date(2026, 11, 30)),
            ("May 1", date(2027, 5, 1)),
        ]
    ),
)
def test_every_field_is_found_whatever_the_order(parts: list[str], when: tuple[str, date]) -> None:
    text = "王女士 " + " ".join(when[0] if part == "DATE" else part for part in parts)
    draft = parse_capture(text, TODAY)
    assert (draft.name, draft.phone, draft.wechat, draft.source) == (
        "王女士",
        "+8613800138000",
        "abc_123",
        "douyin",
    )
    assert draft.event_date == when[1]
    assert draft.notes is None


def test_a_wedding_the_year_after_next_in_spring_is_read_and_grades_by_it() -> None:
    draft = parse_capture("郑女士 13512349876 婚期后年春天 抖音", TODAY)
    assert draft.event_date == date(2028, 3, 1) and draft.unread_date is None
    assert draft.notes is None and draft.source == "douyin"


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("王女士 婚期 某天 抖音", "某天"),
        ("王女士 婚期随缘吧，想看套餐", "随缘吧"),
        ("王女士 时间：看情况", "看情况"),
        ("Mary wedding date sometime soon, douyin", "sometime soon"),
        ("Mary 13800138000 date: whenever", "whenever"),
    ],
)
def test_words_after_a_date_keyword_that_are_no_date_are_reported_and_kept(
    text: str, unread: str
) -> None:
    draft = parse_capture(text, TODAY)
    assert draft.event_date is None and draft.unread_date == unread
    assert draft.notes is not None and unread.split()[0] in draft.notes  # never dropped


@pytest.mark.parametrize(
    "text", ["王女士 婚期未定 抖音", "王女士 婚期 待定", "王女士 婚礼想要草坪", "Ann wedding pics"]
)
def test_an_undecided_date_or_a_keyword_in_passing_is_not_reported(text: str) -> None:
    assert parse_capture(text, TODAY).unread_date is None


@pytest.mark.parametrize(
    "text",
    [
        "郑女士 13512349876 婚期明年6月 抖音",
        "13800138000",
        "小李 wx:li_2024",
        "王女士 明年5月",
        "张三 婚期 看缘分",
        "Ms Lee next spring",
        "Tom wedding date: May 1",
    ],
)
def test_text_with_a_phone_a_messenger_id_or_a_name_with_a_date_looks_like_a_lead(
    text: str,
) -> None:
    assert looks_like_lead(parse_capture(text, TODAY), text)


@pytest.mark.parametrize("text", ["明天开会", "你好", "how do I add a lead?", "周五下午有空吗"])
def test_ordinary_chat_does_not_look_like_a_lead(text: str) -> None:
    assert not looks_like_lead(parse_capture(text, TODAY), text)
