"""The cell widgets: each turns a cell into a value, or raises ValueError with the reason in
Chinese (django-import-export reports it against the row and column), and renders a value back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from import_export import widgets

from reports.excel.workbook import cell_text

LIST_SEPARATORS = re.compile(r"[、，,；;/\s]+")
PER_UNIT_SEPARATORS = re.compile(r"[；;\n]+")
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", ""}


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int | None = None) -> None:
        super().__init__()
        self.max_length = max_length

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = cell_text(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"不能超过 {self.max_length} 个字（现有 {len(text)} 个）")
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: an Excel date, or text such as 2025-03-05, 2025/3/5, 2025年3月5日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    text = text.split(" ")[0].split("T")[0]
    if len(text) == 10 and text[4] == text[7] == "-" and text[:4].isdigit():
        try:  # 2025-03-05, what the template and every export write: read without the patterns
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValueError(f"日期“{cell_text(value)}”无法识别，请写成 2025-03-05 这样的格式")


class DateWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        return parse_date(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else ""


class NumberWidget(widgets.Widget):
    """A suggestion number: 12, "12", "第12号"."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        match = re.fullmatch(r"第?\s*(\d+)\s*号?", text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"建议编号“{text}”应是从 1 起的整数")
        return int(match.group(1))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value if value is not None else ""


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices: dict[str, Any], *, blank: Any = None) -> None:
        super().__init__()
        self.choices = choices
        self.blank = blank

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = cell_text(value)
        if not text:
            return self.blank
        if text not in self.choices:
            raise ValueError(f"“{text}”不是可选值（可选：{'、'.join(self.choices)}）")
        return self.choices[text]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class YesNoWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        text = cell_text(value).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(f"“{cell_text(value)}”应填“是”或“否”")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "是" if value else "否"


class NamesWidget(widgets.Widget):
    """Names separated by 、 (or commas, semicolons, spaces)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        return [name for name in LIST_SEPARATORS.split(cell_text(value)) if name]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "、".join(value or [])


@dataclass
class PerUnit:
    """A reply column's value: one for every answering unit, or one per unit by name."""

    common: Any = None
    by_unit: dict[str, Any] = field(default_factory=dict)

    @property
    def given(self) -> bool:
        return self.common not in (None, "") or bool(self.by_unit)

    def for_unit(self, name: str) -> Any:
        return self.by_unit.get(name, self.common)


class PerUnitWidget(widgets.Widget):
    """Wraps a widget: "值" for all answering units, or "单位：值；单位：值"."""

    def __init__(self, inner: widgets.Widget, *, split: bool = True) -> None:
        super().__init__()
        self.inner = inner
        self.split = split

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> PerUnit:
        if value is None or (isinstance(value, str) and not value.strip()):
            return PerUnit()
        if self.split and isinstance(value, str) and ("：" in value or ":" in value):
            by_unit = {}
            for part in PER_UNIT_SEPARATORS.split(value):
                if not part.strip():
                    continue
                name, sep, cell = part.replace(":", "：").partition("：")
                if not sep or not name.strip():
                    raise ValueError(f"“{part.strip()}”应写成“单位：值”")
                by_unit[name.strip()] = self.inner.clean(cell.strip(), row=row)
            return PerUnit(by_unit=by_unit)
        return PerUnit(common=self.inner.clean(value, row=row))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)
