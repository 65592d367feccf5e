"""Spreadsheets: the one writer of every workbook the app makes, whose cells a spreadsheet
program never runs as formulas.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken for a
formula by Excel and LibreOffice, and a formula can fetch URLs or run commands (OWASP, "CSV
Injection"). Anything a person typed (a suggestion's title, the user name of a failed login)
can start that way, so such text is written as a text cell with a quote in front, as OWASP
advises (`neutralise_formula`), and a workbook read back takes exactly that quote off again
(`restore_formula`, used by the Excel import), so an export re-imports to the same text.

It lives in deputies, the first app, so that every app writes its spreadsheets through it: the
audit log's export here, the suggestions', units' and deputies' exports in reports/excel/.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


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
