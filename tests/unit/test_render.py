from hypothesis import given
from hypothesis import strategies as st

from assistant.i18n import LOCALES, normalize_locale, parse_locale_choice
from assistant.render import TELEGRAM_LIMIT, Renderer, split_message
from assistant.tg.keyboards import Signer


def test_short_messages_stay_whole() -> None:
    assert split_message("one\ntwo") == ["one\ntwo"]


def test_long_messages_split_on_line_breaks_below_the_limit() -> None:
    lines = [f"line {i} " + "x" * 50 for i in range(200)]
    parts = split_message("\n".join(lines))
    assert len(parts) > 1
    assert all(len(part) < TELEGRAM_LIMIT for part in parts)
    assert "\n".join(parts).split("\n") == lines


def test_a_single_overlong_line_is_cut_without_breaking_an_entity() -> None:
    text = ("a" * 4093) + "&amp;" + "b" * 100
    parts = split_message(text)
    assert all(len(part) <= TELEGRAM_LIMIT for part in parts)
    assert parts[1].startswith("&amp;")


@given(st.text(min_size=1, max_size=20000))
def test_splitting_never_exceeds_the_limit(text: str) -> None:
    assert all(len(part) <= TELEGRAM_LIMIT for part in split_message(text))


def test_user_values_are_html_escaped_in_every_template() -> None:
    rendered = Renderer().render("en", "start", name="<b>Eve</b> & co")
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in rendered
    assert "<b>Eve</b>" not in rendered


def test_telegram_language_codes_map_to_our_locales() -> None:
    assert normalize_locale("en-US") == "en"
    assert normalize_locale("zh-hans") == "zh-Hans"
    assert normalize_locale(None) == "zh-Hans"
    assert normalize_locale("de") == "zh-Hans"
    assert parse_locale_choice("EN") == "en"
    assert parse_locale_choice("klingon") is None


def test_signed_callback_data_round_trips_and_rejects_tampering() -> None:
    signer = Signer(b"key")
    data = signer.sign("done", 42)
    assert len(data.encode()) <= 64
    assert signer.verify(data) == ["done", "42"]
    assert signer.verify(data.replace("42", "43")) is None
    assert signer.verify("done:42") is None
    assert Signer(b"other").verify(data) is None


def test_every_template_exists_in_every_locale() -> None:
    from assistant.render import TEMPLATES

    names = {
        locale: {p.relative_to(TEMPLATES / locale) for p in (TEMPLATES / locale).rglob("*.j2")}
        for locale in LOCALES
    }
    assert names["zh-Hans"] == names["en"] == names["zh-Hant"]


def test_advice_and_rate_names_follow_the_teams_chat_app() -> None:
    renderer = Renderer()
    advice = (
        '{% from "analytics/_advice.html.j2" import actions with context %}'
        '{{ actions["reply_within_hour"] }} | {{ rate_name("wechat_rate") }} | {{ chat_added() }}'
    )
    environment = renderer._environments["zh-Hant"]
    on_line = environment.from_string(advice).render(messenger="line")
    assert "加LINE或留電話" in on_line and "加LINE率" in on_line and on_line.endswith("加LINE")
    unsaid = environment.from_string(advice).render()  # a view that names no app: WeChat
    assert "加微信" in unsaid and "轉微信率" in unsaid
    english = renderer._environments["en"].from_string(advice).render(messenger="whatsapp")
    assert "add WhatsApp" in english and "WhatsApp added rate" in english
