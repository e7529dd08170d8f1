from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.timezones import resolve_timezone
from assistant.i18n import catalogue, zone_label
from assistant.i18n.hant import to_simplified


def test_iana_names_are_accepted_in_any_case() -> None:
    assert resolve_timezone("Asia/Shanghai") == "Asia/Shanghai"
    assert resolve_timezone("europe/london") == "Europe/London"


def test_city_names_in_chinese_and_english_map_to_their_zone() -> None:
    assert resolve_timezone("上海") == "Asia/Shanghai"
    assert resolve_timezone("东京") == "Asia/Tokyo"
    assert resolve_timezone("Tokyo") == "Asia/Tokyo"
    assert resolve_timezone("new york") == "America/New_York"


def test_utc_offsets_use_the_posix_sign_of_etc_zones() -> None:
    assert resolve_timezone("+8") == "Etc/GMT-8"
    assert resolve_timezone("UTC-5") == "Etc/GMT+5"
    assert resolve_timezone("GMT+0") == "UTC"
    assert resolve_timezone("+5:30") == "Asia/Kolkata"


def test_unknown_zones_and_impossible_offsets_are_rejected() -> None:
    assert resolve_timezone("Mars") is None
    assert resolve_timezone("") is None
    assert resolve_timezone("+15") is None
    assert resolve_timezone("+3:17") is None


@given(st.text(max_size=40))
def test_any_text_either_resolves_to_a_real_zone_or_to_none(text: str) -> None:
    from zoneinfo import ZoneInfo

    zone = resolve_timezone(text)
    if zone is not None:
        ZoneInfo(zone)


def test_every_chinese_zone_name_is_a_city_the_time_zone_parser_reads_back() -> None:
    for locale in ("zh-Hans", "zh-Hant"):
        for zone, city in catalogue(locale)["zones"].items():
            assert resolve_timezone(to_simplified(city)) == zone, (locale, city)


def test_a_zone_reads_as_its_city_and_offset_in_chinese_and_its_name_in_english() -> None:
    noon = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
    assert zone_label("Asia/Shanghai", "zh-Hans", noon) == "北京（UTC+8）"
    assert zone_label("Asia/Taipei", "zh-Hant", noon) == "臺北（UTC+8）"
    assert zone_label("America/New_York", "en", noon) == "America/New_York (UTC-5)"
    assert zone_label("Asia/Kolkata", "zh-Hans", noon) == "UTC+5:30"  # no Chinese city for it
    assert zone_label("Etc/GMT-8", "en", noon) == "UTC+8"
