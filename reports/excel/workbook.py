"""Reading and writing .xlsx workbooks, and a cell's value as text.

Workbooks are read with openpyxl in read-only mode into a tablib `Dataset` (what
django-import-export consumes), and written in openpyxl's streaming mode: 10,000 rows take
seconds, not the minute styled cells take.

Every workbook the app writes goes through `write_workbook`, and every cell through
`neutralise_formula`: text that a spreadsheet would run as a formula (a title such as
`=HYPERLINK("http://x","y")`, typed by anyone who may write a suggestion) is written as text
with a quote in front, as OWASP's CSV-injection guidance says. `read_workbook` takes exactly
that quote off again (`restore_formula`), so an export re-imports to the same text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any, BinaryIO

import tablib
from django.core.files import File
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header row, missing columns)."""


def read_workbook(handle: BinaryIO | File[bytes]) -> tablib.Dataset:
    """The first sheet as a Dataset, header row first, empty rows left out; a `_row` column keeps
    each row's number in the workbook, for the messages."""
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError("这不是有效的 Excel 文件（.xlsx），请用下载的模板填写后上传。") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header_row = next(rows)
    except StopIteration:
        raise ImportFileError("工作表是空的：第一行应是列名。") from None
    headers = [str(restore_formula(h)).strip() if h is not None else "" for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    duplicated = [h for h, n in Counter(h for h in headers if h).items() if n > 1]
    if duplicated:
        raise ImportFileError(f"列名重复：{'、'.join(duplicated)}。")
    dataset = tablib.Dataset(headers=[*[h or f"(第{i + 1}列)" for i, h in enumerate(headers)], "_row"])
    for number, read in enumerate(rows, start=2):
        values = list(read[: len(headers)]) + [None] * max(0, len(headers) - len(read))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        dataset.append([*(restore_formula(v) for v in values), number])
    book.close()
    return dataset


def write_workbook(sheets: list[tuple[str, Sequence[str | None], Iterable[list[Any]]]]) -> bytes:
    """An .xlsx with bold, frozen headers and column widths fitted to the text. Written in
    openpyxl's streaming mode: 10,000 rows take seconds, not the minute styled cells take."""
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        rows = list(rows)
        sheet = book.create_sheet(title)
        widths = [max(6, _width(h)) for h in headers]
        for row in rows[:2000]:  # enough rows to size the columns
            for i, value in enumerate(row[: len(widths)]):
                if value is not None and value != "":
                    widths[i] = min(60, max(widths[i], _width(value)))
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = _text_cell(sheet, neutralise_formula(header))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="FDECEA")
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# A spreadsheet takes text starting with one of these for a formula (OWASP, "CSV Injection":
# = + - @, and tab and carriage return, which hide one behind blank space). A line feed is
# treated alike because the file's XML turns every carriage return into one: "\r=1" comes back
# as "'\n=1", whose quote must still be recognised. Leading quotes are part of the pattern so
# that text which itself starts with quotes before such a character gets one more quote too:
# taking exactly one quote off on the way in then gives back every text.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r\n]")


def neutralise_formula(value: Any) -> Any:
    """The value to write for `value`: text a spreadsheet would run as a formula with a quote in
    front (`=1+1` → `'=1+1`); any other text, numbers and dates unchanged."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def restore_formula(value: Any) -> Any:
    """The inverse of `neutralise_formula`, for a value read from a workbook: the quote it added
    is taken off (`'=1+1` → `=1+1`); a text that starts with a quote before anything else (`'abc`)
    was never given one and stays as it is."""
    if isinstance(value, str) and value.startswith("'") and _FORMULA_START.match(value, 1):
        return value[1:]
    return value


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    value = neutralise_formula(value)
    if isinstance(value, str) and value in ERROR_CODES:
        return _text_cell(sheet, value)  # "#N/A" as a title: text, not an error value
    return value


def _text_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    """A cell that holds `value` as text whatever it looks like (openpyxl guesses the type of a
    plain value: a formula for "=…", an error for "#N/A")."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _width(value: Any) -> int:
    longest = max((len(line) for line in str(value).splitlines()), default=0)
    return longest + 2 if str(value).isascii() else longest * 2 + 2


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
