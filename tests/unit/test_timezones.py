from hypothesis import given
from hypothesis import strategies as st

from assistant.domain.timezones import resolve_timezone


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
