"""Spreadsheets written by the app: cells a spreadsheet program will never run as formulas.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken for a
formula by Excel and LibreOffice, and a formula can fetch URLs or run commands (OWASP, "CSV
Injection"). Anything a person typed, such as the user name of a failed login, can start that
way, so such text is written with a leading apostrophe, as OWASP advises: the cell shows the
text instead of running it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | None


def neutralised(value: Value) -> Value:
    """`value` as a cell no spreadsheet runs: text that could start a formula gets a leading
    apostrophe; numbers and empty cells stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """One sheet with a bold, frozen header row; every cell neutralised. Streamed (openpyxl's
    write-only mode), so tens of thousands of rows take seconds."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralised(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([neutralised(value) for value in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
