"""Reading .xlsx workbooks, and a cell's value as text.

Workbooks are read with openpyxl in read-only mode into a tablib `Dataset` (what
django-import-export consumes). They are written by the one writer of every spreadsheet the
app makes, `deputies.spreadsheet.write_workbook`, which writes text a spreadsheet would run as a
formula with a quote in front; `read_workbook` takes exactly that quote off again
(`restore_formula`), so an export re-imports to the same text.

A workbook's cells, once read, are kept in the cache for a day under the SHA-256 of the file's
bytes. An import reads its file twice, checked when uploaded and applied from the same stored
file minutes later, and unzipping and parsing the XML is a third of a 10,000-row import's time:
applying takes the cells the check read. The key is the content itself, so a file changed in
between is another key and is read afresh; and the cells are all that is kept: applying checks
every row again against the database as it is then. Without a cache (Redis down) the file is
simply read again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import pickle
import zlib
from collections import Counter
from typing import Any, BinaryIO

import tablib
from django.core.cache import cache
from django.core.files import File
from openpyxl import load_workbook

from deputies.spreadsheet import restore_formula

log = logging.getLogger(__name__)

# How long the cells of a workbook read are kept (an upload checked today is applied today).
KEPT_SECONDS = 24 * 3600
# Part of the key: a change to how cells are read makes the kept ones of an older version unused.
KEPT_FORMAT = 1


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header row, missing columns)."""


def read_workbook(handle: BinaryIO | File[bytes]) -> tablib.Dataset:
    """The first sheet as a Dataset, header row first, empty rows left out; a `_row` column keeps
    each row's number in the workbook, for the messages."""
    data = handle.read()
    key = f"workbook-cells:{KEPT_FORMAT}:{hashlib.sha256(data).hexdigest()}"
    cells = _recall(key)
    if cells is None:
        cells = _read_cells(data)
        _keep(key, cells)
    headers, rows = cells
    return tablib.Dataset(*rows, headers=headers)


def _read_cells(data: bytes) -> tuple[list[str], list[list[Any]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError("这不是有效的 Excel 文件（.xlsx），请用下载的模板填写后上传。") from exc
    sheet = book.worksheets[0]
    read = sheet.iter_rows(values_only=True)
    try:
        header_row = next(read)
    except StopIteration:
        raise ImportFileError("工作表是空的：第一行应是列名。") from None
    headers = [str(restore_formula(h)).strip() if h is not None else "" for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    duplicated = [h for h, n in Counter(h for h in headers if h).items() if n > 1]
    if duplicated:
        raise ImportFileError(f"列名重复：{'、'.join(duplicated)}。")
    width = len(headers)
    rows = []
    for number, values in enumerate(read, start=2):
        cells = [restore_formula(v) for v in values[:width]]
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        cells.append(number)
        rows.append(cells)
    book.close()
    return [*[h or f"(第{i + 1}列)" for i, h in enumerate(headers)], "_row"], rows


def _recall(key: str) -> tuple[list[str], list[list[Any]]] | None:
    try:
        kept = cache.get(key)
    except Exception:  # the cache is a shortcut: when it fails, the file is read again
        log.warning("the cells of a workbook could not be taken from the cache", exc_info=True)
        return None
    if kept is None:
        return None
    cells: tuple[list[str], list[list[Any]]] = pickle.loads(zlib.decompress(kept))
    return cells


def _keep(key: str, cells: tuple[list[str], list[list[Any]]]) -> None:
    # Compressed: 10,000 rows are some 4 MB of cells, half a megabyte compressed (in 15 ms).
    packed = zlib.compress(pickle.dumps(cells, protocol=pickle.HIGHEST_PROTOCOL), 1)
    try:
        cache.set(key, packed, KEPT_SECONDS)
    except Exception:
        log.warning("the cells of a workbook could not be kept in the cache", exc_info=True)


def cell_text(value: Any) -> str:
    if type(value) is str:  # most cells: asked first (a third of a million per 10,000 rows)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
