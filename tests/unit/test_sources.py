"""Lead sources: one key per known channel, typed in either language, shown in the reader's."""

import pytest

from assistant.domain.capture import parse_capture
from assistant.domain.sources import KEYS, is_referral, known_source, source_key
from assistant.i18n import LOCALES, catalogue, source_label
from assistant.i18n.hant import to_simplified
from tests.unit.test_capture import TODAY


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("转介绍", "referral"),
        ("referral", "referral"),
        ("Referral", "referral"),
        ("老客户介绍", "referral"),
        ("抖音", "douyin"),
        ("Douyin", "douyin"),
        ("小红书", "xiaohongshu"),
        ("RedNote", "xiaohongshu"),
        ("walk-in", "walk_in"),
        ("Walk in", "walk_in"),
        ("进店", "walk_in"),
        ("婚博会", "expo"),
        ("WeChat Moments", "moments"),
        ("moments", "moments"),
    ],
)
def test_a_known_source_typed_in_either_language_is_stored_as_its_key(typed: str, key: str) -> None:
    assert source_key(typed) == key


def test_tiktok_is_its_own_channel_not_douyin() -> None:
    assert source_key("TikTok") == "tiktok"
    assert source_key("抖音国际版") == "tiktok"
    assert parse_capture("Ann 13800138000 tiktok", TODAY).source == "tiktok"
    assert parse_capture("张三 抖音国际版", TODAY).source == "tiktok"


def test_an_unknown_source_stays_exactly_as_typed() -> None:
    assert source_key("朋友的朋友") == "朋友的朋友"
    assert source_key("  Village Fete ") == "Village Fete"
    assert known_source("朋友的朋友") is None
    assert source_key("") is None and source_key(None) is None


def test_every_key_has_a_label_in_each_locale_that_reads_back_as_the_key() -> None:
    for locale in LOCALES:
        labels = catalogue(locale)["sources"]
        assert set(labels) == set(KEYS), locale
        for key, label in labels.items():
            # traditional labels are read as every typed word is: through to_simplified
            assert source_key(to_simplified(label)) == key, (locale, label)


def test_labels_follow_the_reader_and_unknown_sources_read_as_typed() -> None:
    assert source_label("douyin", "en") == "Douyin"
    assert source_label("douyin", "zh-Hans") == "抖音"
    assert source_label("referral", "zh-Hans") == "转介绍"
    assert source_label("抖音", "en") == "Douyin"  # a label stored before keys existed
    assert source_label("朋友的朋友", "en") == "朋友的朋友"
    assert source_label(None, "en") == ""


def test_referrals_in_either_language_are_strong_intent() -> None:
    assert is_referral("转介绍") and is_referral("referral") and is_referral("Referred")
    assert not is_referral("抖音") and not is_referral(None)
    assert parse_capture("Ann 13800138000 referral", TODAY).strong_intent


def test_everyday_english_words_in_an_add_line_are_not_sources() -> None:
    draft = parse_capture("Ann 13800138000 back in a few moments, likes red", TODAY)
    assert draft.source is None
