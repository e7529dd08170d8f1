"""Reading an uploaded CSV or XLSX into rows of strings, with every size checked first.

An upload is hostile until measured. The Telegram download is capped at MAX_BYTES, but an XLSX
is a zip: a few hundred kilobytes can declare gigabytes once unpacked (one huge shared string,
thousands of entries). So before openpyxl sees a workbook, the zip's end record (entry count)
and its directory (each entry's declared size, their total) are checked; Python's zipfile never
inflates an entry past its declared size, so the declared sizes bound what is read. Rows are
streamed (`read_only=True`) and reading stops at the row cap; only the first MAX_COLUMNS
columns are read. A CSV is bounded by its byte size; a line longer than MAX_LINE is refused
before the csv module splits it. XML entity tricks are defused by openpyxl itself, which uses
defusedxml when it is installed (it is a dependency for that reason).

This is CPU work of a second or more on a big file: callers run it in a worker thread.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Final

from assistant.domain.cells import unescape_formula
from assistant.services.errors import UserError

MAX_BYTES: Final = 10 * 1024 * 1024  # the file as sent
# Not PRODUCT.md 12's 50,000: reading and checking no longer hold the write lock, but storing
# does, and everyone else's command waits behind it (in this process's writer queue, or up to
# SQLite's 5 s busy timeout from another). 50,000 rows took 8.6 s to store on a loaded 2-core
# machine; 20,000 took 2.3-3.4 s there.
MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 50
MAX_CELL: Final = 2_000  # characters; every field we store is shorter (notes: 500)
MAX_LINE: Final = MAX_COLUMNS * (MAX_CELL + 3)  # a CSV line: 50 full quoted cells
# A workbook as unpacked: 20,000 rows of 17 columns are about 20 MB of XML, long notes a few
# times that.
MAX_ENTRIES: Final = 1_000
MAX_ENTRY_BYTES: Final = 128 * 1024 * 1024
MAX_UNPACKED_BYTES: Final = 256 * 1024 * 1024
TIME_FORMAT: Final = "%Y-%m-%d %H:%M"

Row = list[str]
# Called with the number of rows read so far (from the worker thread).
Progress = Callable[[int], None]
_EMPTY: Final[Row] = []  # a blank row: one shared list, so a sheet of blank rows costs nothing


def read_table(
    data: bytes, filename: str, progress: Progress | None = None, every: int = 1_000
) -> list[Row]:
    """Rows of strings from a CSV (UTF-8 with or without BOM, or GB18030) or an XLSX file.

    Blank rows stay in place (as empty lists) so row numbers match the spreadsheet; at most
    MAX_ROWS non-blank rows after the header. `progress` hears the count every `every` rows.
    """
    if len(data) > MAX_BYTES:
        raise UserError("import_too_big", limit=MAX_BYTES // (1024 * 1024))
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lowered.endswith((".csv", ".txt")):
        rows = _csv_rows(data, filename)
    else:
        raise UserError("import_bad_file", name=filename[:60])
    return _collect(rows, progress, every)


def _collect(rows: Iterator[list[Any]], progress: Progress | None, every: int) -> list[Row]:
    table: list[Row] = []
    filled = 0
    for raw in rows:
        cells = [_cell(value) for value in raw[:MAX_COLUMNS]]
        if not table and any(_cell(value).strip() for value in raw[MAX_COLUMNS:]):
            raise UserError("import_too_wide", limit=MAX_COLUMNS)
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            table.append(_EMPTY)
            continue
        if table:
            filled += 1
            if filled > MAX_ROWS:
                raise UserError("import_too_many", limit=MAX_ROWS)
            if progress is not None and filled % every == 0:
                progress(filled)
        table.append(cells)
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # An over-long cell is kept as it is (no copy); the row check refuses its row.
        return unescape_formula(value) if len(value) <= MAX_CELL else value
    if isinstance(value, datetime):
        return (
            value.strftime(TIME_FORMAT)
            if (value.hour or value.minute)
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- CSV


def _csv_rows(data: bytes, filename: str) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError("import_bad_file", name=filename[:60])
    reader = csv.reader(_short_lines(text))
    try:
        yield from reader
    except csv.Error as error:
        if "field limit" in str(error):  # one cell over the csv module's 131,072 characters
            raise UserError("import_line_too_long", row=reader.line_num, limit=MAX_CELL) from None
        raise UserError("import_bad_file", name=filename[:60]) from None


def _short_lines(text: str) -> Iterator[str]:
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE:
            raise UserError("import_line_too_long", row=number, limit=MAX_CELL)
        yield line


# ---------------------------------------------------------------- XLSX

_END_RECORD: Final = b"PK\x05\x06"
_END_RECORD_SIZE: Final = 22
_COMMENT_MAX: Final = 0xFFFF


def _declared_entries(data: bytes) -> int | None:
    """The entry count in the zip's end record, read before zipfile builds its directory
    (a directory of a million entries is itself too big to hold); None if there is none."""
    tail = data[-(_END_RECORD_SIZE + _COMMENT_MAX) :]
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) - at < _END_RECORD_SIZE:
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return int(entries)  # 0xFFFF (a zip64 archive) is over the limit too


def check_workbook(data: bytes) -> None:
    """Refuse a workbook that declares more than the limits once unpacked."""
    entries = _declared_entries(data)
    if entries is None:
        raise UserError("import_bad_file", name="xlsx")
    if entries > MAX_ENTRIES:
        raise UserError("import_unpacked_too_big", limit=MAX_UNPACKED_BYTES // (1024 * 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, struct.error, NotImplementedError):
        raise UserError("import_bad_file", name="xlsx") from None
    total = sum(info.file_size for info in infos)
    if (
        len(infos) > MAX_ENTRIES
        or total > MAX_UNPACKED_BYTES
        or any(info.file_size > MAX_ENTRY_BYTES for info in infos)
    ):
        raise UserError("import_unpacked_too_big", limit=MAX_UNPACKED_BYTES // (1024 * 1024))


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    check_workbook(data)
    from openpyxl import load_workbook  # imported only when a workbook arrives

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a corrupt or non-Excel file: openpyxl raises many kinds
        raise UserError("import_bad_file", name="xlsx") from None
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except UserError:
                raise
            except Exception:  # broken XML inside the sheet
                raise UserError("import_bad_file", name="xlsx") from None
            yield list(values)
    finally:
        book.close()
