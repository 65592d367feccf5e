"""Reading and writing .xlsx workbooks, and a cell's value as text.

Workbooks are read with openpyxl in read-only mode into a tablib `Dataset` (what
django-import-export consumes), and written in openpyxl's streaming mode: 10,000 rows take
seconds, not the minute styled cells take.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any, BinaryIO

import tablib
from django.core.files import File
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter


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
    headers = [str(h).strip() if h is not None else "" for h in header_row]
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
        dataset.append([*values, number])
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
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="FDECEA")
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


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
