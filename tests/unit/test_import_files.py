"""Uploaded spreadsheets are measured before they are opened, and read only up to the limits."""

import io
import tracemalloc

import pytest
from openpyxl import Workbook

from assistant.services import import_files
from assistant.services.errors import UserError
from assistant.services.import_files import MAX_CELL, MAX_COLUMNS, MAX_ROWS, read_table
from tests.spreadsheets import csv_bytes, shared_string_bomb


def _refusal(data: bytes, name: str) -> UserError:
    with pytest.raises(UserError) as error:
        read_table(data, name)
    return error.value


def test_a_workbook_with_one_huge_shared_string_is_refused_without_unpacking_it() -> None:
    bomb = shared_string_bomb(megabytes=160)
    assert len(bomb) < 400_000  # small on the wire, 160 MB once unpacked
    tracemalloc.start()
    try:
        error = _refusal(bomb, "leads.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.key == "import_unpacked_too_big"
    assert peak < 5 * 1024 * 1024  # the string was never built


def test_a_workbook_of_too_many_parts_is_refused() -> None:
    error = _refusal(shared_string_bomb(megabytes=0, extra_entries=1_000), "leads.xlsx")
    assert error.key == "import_unpacked_too_big"


def test_a_workbook_whose_parts_add_up_to_too_much_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_files, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    assert import_files.MAX_ENTRY_BYTES > 3 * 1024 * 1024  # each part alone is allowed
    error = _refusal(shared_string_bomb(megabytes=3), "leads.xlsx")
    assert error.key == "import_unpacked_too_big"


def test_a_small_shared_string_workbook_is_read_as_usual() -> None:
    assert read_table(shared_string_bomb(megabytes=0), "leads.xlsx") == [["Name"], [], []]


def test_reading_stops_at_the_row_limit() -> None:
    rows = [["姓名"]] + [[f"客户{index}"] for index in range(MAX_ROWS + 5_000)]
    heard: list[int] = []
    with pytest.raises(UserError) as error:
        read_table(csv_bytes(rows), "leads.csv", progress=heard.append, every=10_000)
    assert error.value.key == "import_too_many" and error.value.context["limit"] == 20_000
    assert heard[-1] == MAX_ROWS  # it never went past the limit


def test_an_xlsx_past_the_row_limit_is_refused_while_streaming() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Name"])
    for index in range(MAX_ROWS + 1):
        sheet.append([f"c{index}"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _refusal(buffer.getvalue(), "leads.xlsx").key == "import_too_many"


def test_blank_rows_keep_their_place_and_do_not_count() -> None:
    rows = [["姓名", "电话"], ["王女士", "13800138000"], ["", ""], [], ["李先生", ""]]
    assert read_table(csv_bytes(rows), "leads.csv") == [
        ["姓名", "电话"],
        ["王女士", "13800138000"],
        [],
        [],
        ["李先生"],
    ]


def test_a_header_wider_than_the_column_limit_is_refused() -> None:
    header = [f"c{index}" for index in range(MAX_COLUMNS + 1)]
    error = _refusal(csv_bytes([["姓名", *header], ["王女士"]]), "leads.csv")
    assert error.key == "import_too_wide" and error.context["limit"] == 50


def test_only_the_first_columns_of_a_row_are_read() -> None:
    table = read_table(csv_bytes([["姓名"], ["王女士", *(["x"] * 200)]]), "leads.csv")
    assert len(table[1]) == MAX_COLUMNS


def test_a_csv_line_of_megabytes_is_refused_by_its_number() -> None:
    data = "姓名\n王女士\n".encode() + b"," * 3_000_000 + b"\n"
    error = _refusal(data, "leads.csv")
    assert error.key == "import_line_too_long" and error.context["row"] == 3


def test_a_quoted_csv_field_over_the_field_limit_is_refused() -> None:
    data = b'Name\n"' + b"a\n" * 100_000 + b'"\n'
    error = _refusal(data, "leads.csv")
    assert error.key == "import_line_too_long"


def test_an_over_long_cell_is_kept_whole_for_the_row_check() -> None:
    long = "x" * (MAX_CELL + 1)
    table = read_table(csv_bytes([["姓名", "备注"], ["王女士", long]]), "leads.csv")
    assert table[1][1] == long


def test_a_file_over_the_byte_limit_is_refused_before_reading() -> None:
    error = _refusal(b"x" * (import_files.MAX_BYTES + 1), "leads.csv")
    assert error.key == "import_too_big"


def test_a_workbook_with_nested_xml_entities_is_refused_as_unreadable() -> None:
    error = _refusal(shared_string_bomb(megabytes=0, laughs=True), "leads.xlsx")
    assert error.key == "import_bad_file"
