"""Reading .xlsx workbooks, and a cell's value as text.

Workbooks are read with openpyxl in read-only mode into a tablib `Dataset` (what
django-import-export consumes). They are written by the one writer of every spreadsheet the
app makes, `deputies.spreadsheet.write_workbook`, which writes text a spreadsheet would run as a
formula with a quote in front; `read_workbook` takes exactly that quote off again
(`restore_formula`), so an export re-imports to the same text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, BinaryIO

import tablib
from django.core.files import File
from openpyxl import load_workbook

from deputies.spreadsheet import restore_formula


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
