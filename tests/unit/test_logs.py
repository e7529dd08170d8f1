"""The log filter hides phone numbers and the token, and leaves times, ids and durations be."""

from __future__ import annotations

import logging

import pytest

from assistant.logs import RedactingFormatter, redact

PHONES = [
    "+86 139 1234 5678",
    "+8613912345678",
    "+86-139-1234-5678",
    "+1 (555) 123-4567",
    "+44 20 7946 0958",
    "13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "8613912345678",
    "010-1234-5678",
    "(555) 123-4567",
    "0755 8888 1234",
]

KEPT = [
    "2026-11-25 10:00:00,123",
    "2026-11-25T02:00:00+00:00",
    "update 123456789 was already processed",
    "update 2345678901 failed",
    "chat -1001234567890 migrated",
    "push 4312 sent in 1234.567 ms",
    "planner tick took 0:05:40",
    "listening on 127.0.0.1:5432",
    "sent 120 of 5000 rows, 99.5%",
]


@pytest.mark.parametrize("phone", PHONES)
def test_a_phone_number_in_a_log_line_is_hidden(phone: str) -> None:
    redacted = redact(f"contact {phone} saved")
    assert redacted == "contact <phone> saved"


@pytest.mark.parametrize("text", KEPT)
def test_times_ids_and_durations_stay_as_they_were(text: str) -> None:
    assert redact(text) == text


def test_a_formatted_record_keeps_its_timestamp_and_update_id_but_not_the_phone() -> None:
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord(
        "assistant.tg.app", logging.ERROR, __file__, 1,
        "update %s failed after %.1f ms for %s", (987654321, 12.5, "+86 139 1234 5678"), None,
    )  # fmt: skip
    record.created = 1795831200.25  # 2026-11-28 in any zone
    line = formatter.format(record)
    stamp = formatter.formatTime(record)
    assert (
        line == f"{stamp} ERROR assistant.tg.app: update 987654321 failed after 12.5 ms for <phone>"
    )


def test_the_bot_token_is_hidden() -> None:
    assert redact("url /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe") == (
        "url /bot<token>/getMe"
    )
