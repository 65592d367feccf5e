"""Excel in and out (django-import-export, .xlsx): units, deputies and suggestions.

Every import is checked by a dry run first (inside a transaction that is rolled back, so the
dry run is the real import, undone): it says what would be created and names every bad row
with its reason. Applying runs it again for real, and writes all rows or none.

The suggestions' columns are one list, `SUGGESTION_COLUMNS`, used by the template, the import
and the export, so an export of any list re-imports cleanly. A row comes in as the history it
describes, written directly with the models (not by replaying the workflow services) and
marked on each suggestion's trail by an "import" event:

- no 建议编号: received, not registered (待审查; or 退回修改, 已撤回, 不予立案 from 状态);
- a number but no unit: registered (立案);
- units and 交办日期: assigned and signed for on that day (办理中), the deadline computed from
  the day and 办理期限类型 as the app computes it;
- 答复日期 and 办理结果: the reply issued that day (replied, waiting for the rating);
- 态度评价 and 结果评价 as well: rated and closed, or, with a 不满意 result, in re-handling
  (the re-handling deadline counted from 评价日期, or from 答复日期 when that is blank);
- 重新办理… columns: the second reply and its rating; the second rating stands.

With several separate units (分办单位) a reply column may give one value for all of them, or
one per unit as "单位：值；单位：值". Contacts come in as one record per answering unit
(已联系代表 / 已面商). Re-assignment history and merged groups are not represented: the units
named are the current ones, and each merged member is a suggestion of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from deputies.models import Delegation, Deputy, Role, User
from handling.models import Assignment, ContactRecord, Rating, Reply, ResultCategory, Satisfaction, Unit
from proposals import deadlines
from proposals.models import Category, CoSignature, Meeting, Proposal, ProposalEvent, ProposalState, Source
from supervision.models import KeyItem

S = ProposalState
A = Assignment.Role
LIST_SEPARATORS = re.compile(r"[、，,；;/\s]+")
PER_UNIT_SEPARATORS = re.compile(r"[；;\n]+")
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", ""}
SATISFACTION_LABELS = {
    "满意": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.BASIC,
    "不满意": Satisfaction.UNSATISFIED,
}
SATISFACTION_NAMES = {v: k for k, v in SATISFACTION_LABELS.items()}
CHANNEL_LABELS = {"大会": Proposal.Channel.MEETING, "闭会": Proposal.Channel.BETWEEN}
CHANNEL_NAMES = {v: k for k, v in CHANNEL_LABELS.items()}
PERIOD_LABELS = {"一般": False, "复杂": True}
UNNUMBERED_STATES = {"待审查": S.SUBMITTED, "退回修改": S.RETURNED, "已撤回": S.WITHDRAWN, "不予立案": S.NOT_ACCEPTED}
STATE_NAMES = {
    S.SUBMITTED: "待审查",
    S.RETURNED: "退回修改",
    S.WITHDRAWN: "已撤回",
    S.NOT_ACCEPTED: "不予立案",
    S.REGISTERED: "已立案",
    S.ASSIGNED: "已交办",
    S.REASSIGN_REQUESTED: "申请调整",
    S.IN_HANDLING: "办理中",
    S.REPLIED: "已答复待评价",
    S.REHANDLING: "重新办理",
    S.CLOSED: "已办结",
    S.DRAFT: "草稿",
}
MAX_LENGTHS = {"title": 200, "reply_text_unit": 50}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header row, missing columns)."""


# --- reading a workbook --------------------------------------------------------------------------


def read_workbook(handle: Any) -> tablib.Dataset:
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
    for number, values in enumerate(rows, start=2):
        values = list(values[: len(headers)]) + [None] * max(0, len(headers) - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        dataset.append([*values, number])
    book.close()
    return dataset


def write_workbook(sheets: list[tuple[str, list[str], Iterable[list[Any]]]]) -> bytes:
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


# --- widgets: each turns a cell into a value or raises ValueError with the reason in Chinese -------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int | None = None) -> None:
        super().__init__()
        self.max_length = max_length

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = _text(value)
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
    text = _text(value)
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValueError(f"日期“{_text(value)}”无法识别，请写成 2025-03-05 这样的格式")


class DateWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        return parse_date(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else ""


class NumberWidget(widgets.Widget):
    """A suggestion number: 12, "12", "第12号"."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        text = _text(value)
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
        text = _text(value)
        if not text:
            return self.blank
        if text not in self.choices:
            raise ValueError(f"“{text}”不是可选值（可选：{'、'.join(self.choices)}）")
        return self.choices[text]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class YesNoWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        text = _text(value).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(f"“{_text(value)}”应填“是”或“否”")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "是" if value else "否"


class NamesWidget(widgets.Widget):
    """Names separated by 、 (or commas, semicolons, spaces)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        return [name for name in LIST_SEPARATORS.split(_text(value)) if name]

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


# --- the suggestions' columns -------------------------------------------------------------------------

# (attribute, header, widget, required). The first twenty are the ones the brief names; the
# others are optional and make an export re-import without losing what the figures count.
SUGGESTION_COLUMNS: list[tuple[str, str, widgets.Widget, bool]] = [
    ("meeting", "会议", TextWidget(), True),
    ("number", "建议编号", NumberWidget(), False),
    ("title", "标题", TextWidget(max_length=200), True),
    ("lead_deputy", "领衔代表", TextWidget(max_length=50), True),
    ("cosigners", "附议代表", NamesWidget(), False),
    ("delegation", "代表团", TextWidget(max_length=100), False),
    ("submitted_on", "提出时间", DateWidget(), True),
    ("channel", "提出方式", ChoiceWidget(CHANNEL_LABELS, blank=Proposal.Channel.MEETING), False),
    ("category", "类别", TextWidget(), False),
    ("source", "来源", TextWidget(), False),
    ("body", "内容", TextWidget(), False),
    ("lead_unit", "主办单位", TextWidget(), False),
    ("co_units", "协办单位", NamesWidget(), False),
    ("assigned_on", "交办日期", PerUnitWidget(DateWidget()), False),
    ("is_complex", "办理期限类型", ChoiceWidget(PERIOD_LABELS, blank=False), False),
    ("replied_on", "答复日期", PerUnitWidget(DateWidget()), False),
    ("result", "办理结果", PerUnitWidget(TextWidget()), False),
    ("attitude", "态度评价", PerUnitWidget(ChoiceWidget(SATISFACTION_LABELS)), False),
    ("rating", "结果评价", PerUnitWidget(ChoiceWidget(SATISFACTION_LABELS)), False),
    ("is_key", "是否重点督办", YesNoWidget(), False),
    # optional
    ("state_name", "状态", TextWidget(), False),
    ("separate_units", "分办单位", NamesWidget(), False),
    ("reply_text", "答复内容", PerUnitWidget(TextWidget(), split=False), False),
    ("is_public", "是否公开", PerUnitWidget(YesNoWidget()), False),
    ("rated_on", "评价日期", PerUnitWidget(DateWidget()), False),
    ("replied_again_on", "重新办理答复日期", PerUnitWidget(DateWidget()), False),
    ("result_again", "重新办理结果", PerUnitWidget(TextWidget()), False),
    ("attitude_again", "重新办理态度评价", PerUnitWidget(ChoiceWidget(SATISFACTION_LABELS)), False),
    ("rating_again", "重新办理结果评价", PerUnitWidget(ChoiceWidget(SATISFACTION_LABELS)), False),
    ("rated_again_on", "重新办理评价日期", PerUnitWidget(DateWidget()), False),
    ("contacted", "已联系代表", PerUnitWidget(YesNoWidget()), False),
    ("face_to_face", "已面商", PerUnitWidget(YesNoWidget()), False),
    ("key_theme", "督办主题", TextWidget(max_length=200), False),
    ("key_leader", "领办领导", TextWidget(), False),
]
SUGGESTION_HEADERS = [header for _a, header, _w, _r in SUGGESTION_COLUMNS]
REQUIRED_HEADERS = [header for _a, header, _w, required in SUGGESTION_COLUMNS if required]
HEADER_OF = {attribute: header for attribute, header, _w, _r in SUGGESTION_COLUMNS}
PER_UNIT_FIELDS = [a for a, _h, widget, _r in SUGGESTION_COLUMNS if isinstance(widget, PerUnitWidget)]

COLUMN_HELP = {
    "会议": "会议名称，须与系统中的会议一致，如：十七届人大五次会议（先在管理后台添加会议）",
    "建议编号": "本次会议的建议编号（整数），同一会议内不能重复；留空表示尚未立案（待审查）",
    "标题": "关于……的建议，不超过 200 字",
    "领衔代表": "领衔代表姓名，须已在代表名单中（可先导入代表）",
    "附议代表": "附议代表姓名，多个用“、”分隔",
    "代表团": "领衔代表所在代表团，用于区分重名代表",
    "提出时间": "日期，如 2025-01-12",
    "提出方式": "大会 或 闭会",
    "类别": "系统中的类别名称",
    "来源": "系统中的来源名称（专题调研、集中视察……）",
    "内容": "建议正文",
    "主办单位": "承办单位名称，须已在单位名单中（可先导入单位）",
    "协办单位": "多个用“、”分隔",
    "交办日期": "日期；有主办、协办或分办单位时必填",
    "办理期限类型": "一般（3个月）或 复杂（6个月）",
    "答复日期": "答复函签发日期；有答复时必填",
    "办理结果": "系统中的办理结果名称（已经解决或基本解决……）",
    "态度评价": "满意、基本满意 或 不满意",
    "结果评价": "满意、基本满意 或 不满意；不满意的建议导入后处于重新办理",
    "是否重点督办": "是 或 否",
    "状态": "没有建议编号时可填：待审查、退回修改、已撤回、不予立案；导出时写明状态，导入时有编号则忽略",
    "分办单位": "不设主办单位、由两个以上单位分别答复时填写，多个用“、”分隔",
    "答复内容": "答复函正文（公开时显示）",
    "是否公开": "答复可否公开，是 或 否，留空为是",
    "评价日期": "代表评价的日期，留空则按答复日期",
    "重新办理答复日期": "结果评价为不满意、已重新答复时填写",
    "重新办理结果": "重新答复的办理结果",
    "重新办理态度评价": "对重新答复的态度评价",
    "重新办理结果评价": "对重新答复的结果评价（以此为准）",
    "重新办理评价日期": "留空则按重新办理答复日期",
    "已联系代表": "承办单位是否与代表联系过，是 或 否",
    "已面商": "是否与代表面商，是 或 否",
    "督办主题": "重点督办的主题，留空则归入“某年重点督办建议”",
    "领办领导": "领办领导的姓名或登录名，留空则为导入人",
}


class SuggestionRow:
    """What one row says, as the import-export fields set it, then resolved to objects."""

    def __init__(self) -> None:
        self.excel_row = 0
        self.errors: dict[str, list[str]] = defaultdict(list)


class NoInstanceLoader(BaseInstanceLoader):
    """Every row is a new suggestion: an existing number is a bad row, never an update."""

    def get_instance(self, row: Any) -> None:
        return None


class SuggestionResource(resources.Resource):
    """Suggestions in and out. Rows are checked one by one (django-import-export collects the
    bad ones); the good ones are written together at the end, in bulk, in the same transaction."""

    class Meta:
        instance_loader_class = NoInstanceLoader
        import_id_fields: list[str] = []
        use_bulk = True  # no savepoint per row; `save_instance` below only collects the rows
        skip_diff = True
        clean_model_instances = False
        use_transactions = True

    def __init__(self, *, user: User | None = None, file_name: str = "", batch_id: int | None = None) -> None:
        super().__init__()
        for attribute, header, widget, _required in SUGGESTION_COLUMNS:
            self.fields[attribute] = fields.Field(attribute=attribute, column_name=header, widget=widget)
        self.user = user
        self.file_name = file_name
        self.batch_id = batch_id
        self.rows: list[SuggestionRow] = []
        self.created: Counter[str] = Counter()
        self.preview: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    # --- import -----------------------------------------------------------------------------

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        headers = set(dataset.headers or [])
        missing = [h for h in REQUIRED_HEADERS if h not in headers]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。请使用下载的模板。")
        unknown = [h for h in headers if h not in SUGGESTION_HEADERS and h != "_row"]
        if unknown:
            self.warnings.append(f"以下列不在模板中，已忽略：{'、'.join(sorted(unknown))}")
        # Everything a row refers to, loaded once (never a query per row).
        self.meetings = {m.name: m for m in Meeting.objects.all()}
        self.categories = {c.name: c for c in Category.objects.all()}
        self.sources = {s.name: s for s in Source.objects.all()}
        self.units = {u.name: u for u in Unit.objects.all()}
        self.units.update(
            {u.short_name: u for u in Unit.objects.exclude(short_name="") if u.short_name not in self.units}
        )
        self.results = {r.name: r for r in ResultCategory.objects.all()}
        self.deputies: dict[str, list[Deputy]] = defaultdict(list)
        for deputy in Deputy.objects.select_related("delegation"):
            self.deputies[deputy.name].append(deputy)
        named = {str(v).strip() for v in dataset["会议"] if v} if "会议" in headers else set()
        self.taken = set(
            Proposal.objects.filter(number__isnull=False, meeting__name__in=named).values_list("meeting_id", "number")
        )
        self.seen: dict[tuple[int, int], int] = {}
        leaders = User.objects.filter(is_active=True).exclude(role=Role.DEPUTY)
        self.leaders = {u.username: u for u in leaders}
        self.leaders.update({u.full_name: u for u in leaders if u.full_name})
        self.today = timezone.localdate()

    def init_instance(self, row: Any = None) -> SuggestionRow:
        return SuggestionRow()

    def import_instance(self, instance: SuggestionRow, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        instance.excel_row = row.get("_row") or kwargs.get("row_number", 0) + 1
        self._resolve(instance, failed=set(errors))
        for name, messages in instance.errors.items():
            errors.setdefault(name, []).extend(ValidationError(m) for m in messages)
        if errors:
            raise ValidationError(errors)

    def _error(self, row: SuggestionRow, name: str, message: str) -> None:
        row.errors[name].append(message)

    def _resolve(self, r: SuggestionRow, failed: set[str]) -> None:  # noqa: C901 - one check per rule
        """Look up what the row names and check it describes a possible history."""
        for attribute, _header, _widget, required in SUGGESTION_COLUMNS:
            if not hasattr(r, attribute):
                setattr(r, attribute, PerUnit() if attribute in PER_UNIT_FIELDS else None)
            value = getattr(r, attribute)
            if required and attribute not in failed and value in (None, "", []):
                self._error(r, attribute, "必填")
        r.cosigners = r.cosigners or []
        r.co_units = r.co_units or []
        r.separate_units = r.separate_units or []

        # the suggestion
        r.meeting_obj = self.meetings.get(r.meeting) if r.meeting else None
        if r.meeting and r.meeting_obj is None:
            self._error(r, "meeting", f"未知的会议“{r.meeting}”（请先在管理后台添加）")
        r.category_obj = self.categories.get(r.category) if r.category else None
        if r.category and r.category_obj is None:
            self._error(r, "category", f"未知的类别“{r.category}”")
        r.source_obj = self.sources.get(r.source) if r.source else None
        if r.source and r.source_obj is None:
            self._error(r, "source", f"未知的来源“{r.source}”")
        r.lead_obj = self._deputy(r, r.lead_deputy, r.delegation, "lead_deputy") if r.lead_deputy else None
        r.cosigner_objs = []
        for name in dict.fromkeys(r.cosigners):
            deputy = self._deputy(r, name, None, "cosigners", prefer=r.delegation)
            if deputy is not None:
                if r.lead_obj is not None and deputy.pk == r.lead_obj.pk:
                    self._error(r, "cosigners", "领衔代表不能同时是附议代表")
                else:
                    r.cosigner_objs.append(deputy)
        if r.submitted_on and r.submitted_on > self.today:
            self._error(r, "submitted_on", "提出时间不能晚于今天")
        if r.meeting_obj and r.number is not None:
            key = (r.meeting_obj.pk, r.number)
            if key in self.taken:
                self._error(r, "number", f"建议编号 {r.number} 在“{r.meeting}”中已存在")
            elif key in self.seen:
                self._error(r, "number", f"建议编号 {r.number} 与第 {self.seen[key]} 行重复")
            else:
                self.seen[key] = r.excel_row

        # the units
        r.lead_unit_obj = self._unit(r, r.lead_unit, "lead_unit") if r.lead_unit else None
        r.co_unit_objs = [u for u in (self._unit(r, n, "co_units") for n in r.co_units) if u]
        r.separate_unit_objs = [u for u in (self._unit(r, n, "separate_units") for n in r.separate_units) if u]
        if r.lead_unit and r.separate_units:
            self._error(r, "separate_units", "有主办单位时不能再填分办单位")
        if r.co_units and not r.lead_unit:
            self._error(r, "co_units", "有协办单位时必须填写主办单位")
        if len(r.separate_units) == 1:
            self._error(r, "separate_units", "分办至少要两个单位；只有一个单位时请填在主办单位")
        all_units = [u for u in [r.lead_unit_obj, *r.co_unit_objs, *r.separate_unit_objs] if u]
        if len({u.pk for u in all_units}) != len(all_units):
            self._error(r, "co_units", "同一单位在一件建议中只能出现一次")
        r.answering = [r.lead_unit_obj] if r.lead_unit_obj else r.separate_unit_objs
        has_units = bool(r.lead_unit or r.separate_units)

        # the state the row describes
        r.state = None
        if r.number is None:
            if r.state_name in (None, ""):
                r.state = S.SUBMITTED
            elif r.state_name in UNNUMBERED_STATES:
                r.state = UNNUMBERED_STATES[r.state_name]
            elif r.state_name == "草稿":
                self._error(r, "state_name", "草稿不导入：草稿只属于代表本人")
            else:
                self._error(r, "number", "已立案的建议必须有建议编号")
            if has_units or r.replied_on.given:
                self._error(r, "number", "已交办的建议必须有建议编号")
            return
        if not r.category and "category" not in failed:
            self._error(r, "category", "已立案的建议必须有类别")
        if not has_units:
            if r.assigned_on.given or r.replied_on.given or r.result.given:
                self._error(r, "lead_unit", "填写了交办或答复信息，但没有主办单位或分办单位")
            r.state = S.REGISTERED
            return
        self._resolve_handling(r, failed)

    def _resolve_handling(self, r: SuggestionRow, failed: set[str]) -> None:  # noqa: C901
        r.units = []  # (unit, facts) for each answering unit
        unit_names = {u.name for u in r.answering} | {u.short_name for u in r.answering if u.short_name}
        for name in PER_UNIT_FIELDS:
            for unit_name in getattr(r, name).by_unit:
                if unit_name not in unit_names:
                    self._error(r, name, f"“{unit_name}”不是这件建议的主办或分办单位")
        states = []
        for unit in r.answering:
            f = {name: self._for(getattr(r, name), unit) for name in PER_UNIT_FIELDS}
            if f["assigned_on"] is None:
                if "assigned_on" not in failed:
                    self._error(r, "assigned_on", "有承办单位时必须填写交办日期")
                return
            if r.submitted_on and f["assigned_on"] < r.submitted_on:
                self._error(r, "assigned_on", "交办日期早于提出时间")
            if f["assigned_on"] > self.today:
                self._error(r, "assigned_on", "交办日期不能晚于今天")
            f["deadline"] = deadlines.reply_deadline(f["assigned_on"], complex_=bool(r.is_complex))
            state = self._unit_history(r, unit, f)
            states.append(state)
            r.units.append((unit, f))
        if not states or r.errors:
            return
        # The suggestion's state follows its answering units (as the services keep it).
        # While any unit owes its first reply it is in handling; while any reply waits for its
        # rating it is replied; then re-handling if a result was 不满意; else closed.
        for state in (S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED):
            if state in states:
                r.state = state
                break

        if r.is_key:
            r.key_leader_obj = None
            if r.key_leader:
                r.key_leader_obj = self.leaders.get(r.key_leader)
                if r.key_leader_obj is None:
                    self._error(r, "key_leader", f"未知的领办领导“{r.key_leader}”")
        elif r.key_theme or r.key_leader:
            self._error(r, "is_key", "填写了督办主题或领办领导，但“是否重点督办”不是“是”")

    def _unit_history(self, r: SuggestionRow, unit: Unit, f: dict[str, Any]) -> str:  # noqa: C901
        """Check one answering unit's reply columns; the state its part of the history is in."""
        label = f"（{unit.name}）" if len(r.answering) > 1 else ""
        if f["replied_on"] is None:
            for name in ("result", "attitude", "rating", "rated_on", "replied_again_on"):
                if f[name] not in (None, ""):
                    self._error(r, "replied_on", f"填写了{HEADER_OF[name]}，但没有答复日期{label}")
                    return S.IN_HANDLING
            return S.IN_HANDLING
        if f["replied_on"] < f["assigned_on"]:
            self._error(r, "replied_on", f"答复日期早于交办日期{label}")
        if f["replied_on"] > self.today:
            self._error(r, "replied_on", f"答复日期不能晚于今天{label}")
        f["result_obj"] = self._result(r, f["result"], "result", label)
        rated = self._rating_pair(r, f["attitude"], f["rating"], "rating", label)
        if not rated:
            if f["replied_again_on"] or f["result_again"]:
                self._error(r, "replied_again_on", f"只有结果评价为“不满意”的建议才有重新办理{label}")
            return S.REPLIED
        f["rated_on"] = f["rated_on"] or f["replied_on"]
        if f["rated_on"] < f["replied_on"]:
            self._error(r, "rated_on", f"评价日期早于答复日期{label}")
        if f["rating"] != Satisfaction.UNSATISFIED:
            if f["replied_again_on"] or f["result_again"] or f["rating_again"]:
                self._error(r, "replied_again_on", f"只有结果评价为“不满意”的建议才有重新办理{label}")
            return S.CLOSED
        f["rehandling_deadline"] = deadlines.rehandling_deadline(f["rated_on"])
        if f["replied_again_on"] is None:
            if f["result_again"] or f["attitude_again"] or f["rating_again"]:
                self._error(r, "replied_again_on", f"填写了重新办理的结果或评价，但没有重新办理答复日期{label}")
            return S.REHANDLING
        if f["replied_again_on"] < f["rated_on"]:
            self._error(r, "replied_again_on", f"重新办理答复日期早于评价日期{label}")
        if f["replied_again_on"] > self.today:
            self._error(r, "replied_again_on", f"重新办理答复日期不能晚于今天{label}")
        f["result_again_obj"] = self._result(r, f["result_again"], "result_again", label)
        if not self._rating_pair(r, f["attitude_again"], f["rating_again"], "rating_again", label):
            return S.REPLIED
        f["rated_again_on"] = f["rated_again_on"] or f["replied_again_on"]
        if f["rated_again_on"] < f["replied_again_on"]:
            self._error(r, "rated_again_on", f"重新办理评价日期早于重新办理答复日期{label}")
        return S.CLOSED

    def _for(self, value: PerUnit, unit: Unit) -> Any:
        if unit.name in value.by_unit:
            return value.by_unit[unit.name]
        return value.by_unit.get(unit.short_name, value.common) if unit.short_name else value.common

    def _result(self, r: SuggestionRow, name: str | None, attribute: str, label: str) -> ResultCategory | None:
        if not name:
            self._error(r, attribute, f"有答复时必须填写{HEADER_OF[attribute]}{label}")
            return None
        result = self.results.get(name)
        if result is None:
            self._error(r, attribute, f"未知的办理结果“{name}”{label}")
        return result

    def _rating_pair(self, r: SuggestionRow, attitude: Any, result: Any, attribute: str, label: str) -> bool:
        if attitude is None and result is None:
            return False
        if attitude is None or result is None:
            self._error(r, attribute, f"态度评价和结果评价要同时填写{label}")
            return False
        return True

    def _deputy(
        self, r: SuggestionRow, name: str, delegation: str | None, attribute: str, prefer: str | None = None
    ) -> Deputy | None:
        candidates = self.deputies.get(name, [])
        if delegation:
            candidates = [d for d in candidates if d.delegation and d.delegation.name == delegation]
            if not candidates:
                self._error(r, attribute, f"代表名单中没有“{delegation}”的“{name}”（请先导入代表）")
                return None
        if not candidates:
            self._error(r, attribute, f"代表名单中没有“{name}”（请先导入代表）")
            return None
        if len(candidates) > 1 and prefer:
            preferred = [d for d in candidates if d.delegation and d.delegation.name == prefer]
            candidates = preferred or candidates
        if len(candidates) > 1:
            self._error(r, attribute, f"有 {len(candidates)} 位代表叫“{name}”，请填写代表团以区分")
            return None
        return candidates[0]

    def _unit(self, r: SuggestionRow, name: str, attribute: str) -> Unit | None:
        unit = self.units.get(name)
        if unit is None:
            self._error(r, attribute, f"未知的承办单位“{name}”（请先导入单位）")
        return unit

    def save_instance(self, instance: SuggestionRow, is_create: bool, row: Any, **kwargs: Any) -> None:
        self.rows.append(instance)

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        if result.has_errors() or result.has_validation_errors() or not self.rows:
            return
        writer = HistoryWriter(self.rows, user=self.user, file_name=self.file_name, batch_id=self.batch_id)
        # The dry run builds every object the import would write and counts them, without
        # writing: the rows were checked one by one above, against the database as it is.
        writer.write(self.created, save=not kwargs.get("dry_run", False))
        states = Counter(r.state for r in self.rows)
        self.states = {str(STATE_NAMES[s]): n for s, n in states.items()}
        self.preview = [
            {
                "row": r.excel_row,
                "meeting": r.meeting,
                "number": r.number,
                "title": r.title,
                "state": STATE_NAMES[r.state],
            }
            for r in self.rows[:50]
        ]

    # --- export -------------------------------------------------------------------------------

    def export_rows(self, queryset: QuerySet[Proposal]) -> Iterable[list[Any]]:
        """One row per suggestion, in the columns above (the import reads them back)."""
        ids = list(queryset.order_by("meeting__year", "meeting_id", "number", "pk").values_list("pk", flat=True))
        for start in range(0, len(ids), EXPORT_CHUNK):
            chunk = ids[start : start + EXPORT_CHUNK]
            for proposal in load_for_export(chunk):
                yield export_row(proposal)


EXPORT_CHUNK = 1000


def load_for_export(ids: list[int]) -> list[Proposal]:
    """The suggestions `ids` with what their rows need, in a few flat queries (plain values,
    not model instances: prefetching models costs more than writing the workbook)."""
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(pk__in=ids).select_related(
            "meeting", "lead_deputy__delegation", "category", "source"
        )
    }
    assignments: dict[int, list[SimpleNamespace]] = defaultdict(list)
    by_id: dict[int, SimpleNamespace] = {}
    rows = (
        Assignment.objects.filter(proposal_id__in=ids, is_active=True)
        .order_by("pk")
        .values("id", "proposal_id", "role", "unit__name", "assigned_on", "is_complex")
    )
    for row in rows:
        a = SimpleNamespace(
            role=row["role"],
            unit=SimpleNamespace(name=row["unit__name"]),
            assigned_on=row["assigned_on"],
            is_complex=row["is_complex"],
            replies=[],
            contacts=[],
        )
        assignments[row["proposal_id"]].append(a)
        by_id[row["id"]] = a
    replies = Reply.objects.filter(assignment_id__in=list(by_id), state=Reply.State.ISSUED).values(
        "assignment_id", "round", "issued_at", "result_category__name", "body", "is_public",
        "rating__attitude", "rating__result", "rating__rated_at",
    )  # fmt: skip
    for row in replies.order_by("round"):
        rating = None
        if row["rating__result"]:
            rating = SimpleNamespace(
                attitude=row["rating__attitude"], result=row["rating__result"], rated_at=row["rating__rated_at"]
            )
        by_id[row["assignment_id"]].replies.append(
            SimpleNamespace(
                round=row["round"],
                issued_at=row["issued_at"],
                result_category=SimpleNamespace(name=row["result_category__name"])
                if row["result_category__name"]
                else None,
                body=row["body"],
                is_public=row["is_public"],
                rating=rating,
            )
        )
    contacts = (
        ContactRecord.objects.filter(assignment_id__in=list(by_id))
        .exclude(deputy_response=ContactRecord.DeputyResponse.DISPUTED)
        .values_list("assignment_id", "kind")
    )
    for assignment_id, kind in contacts:
        by_id[assignment_id].contacts.append(kind)
    cosigners: dict[int, list[str]] = defaultdict(list)
    for proposal_id, name in (
        CoSignature.objects.filter(proposal_id__in=ids, status=CoSignature.Status.CONFIRMED)
        .order_by("invited_at", "pk")
        .values_list("proposal_id", "deputy__name")
    ):
        cosigners[proposal_id].append(name)
    keys: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for proposal_id, title, full_name, username in (
        KeyItem.proposals.through.objects.filter(proposal_id__in=ids)
        .order_by("keyitem_id")
        .values_list("proposal_id", "keyitem__title", "keyitem__leader__full_name", "keyitem__leader__username")
    ):
        keys[proposal_id].append((title, full_name or username))
    out = []
    for pk in ids:
        p = proposals[pk]
        p.export_assignments = assignments.get(pk, [])
        p.export_cosigners = cosigners.get(pk, [])
        p.export_key_items = keys.get(pk, [])
        out.append(p)
    return out


def _join_per_unit(values: list[tuple[Unit, Any]], render: Any) -> str:
    """One value when every answering unit has the same, else "单位：值；单位：值"."""
    texts = [(unit, render(value)) for unit, value in values]
    distinct = {text for _u, text in texts}
    if len(distinct) <= 1:
        return texts[0][1] if texts else ""
    return "；".join(f"{unit.name}：{text}" for unit, text in texts)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def export_row(p: Proposal) -> list[Any]:  # noqa: C901 - one line per column
    assignments = p.export_assignments
    lead = next((a for a in assignments if a.role == A.LEAD), None)
    answering = [lead] if lead else [a for a in assignments if a.role == A.SEPARATE]
    per: dict[str, list[tuple[Unit, Any]]] = defaultdict(list)
    for a in answering:
        replies = {r.round: r for r in a.replies}
        first, second = replies.get(1), replies.get(2)
        first_rating = first.rating if first else None
        second_rating = second.rating if second else None
        facts = {
            "assigned_on": a.assigned_on,
            "replied_on": _local_date(first.issued_at) if first else None,
            "result": first.result_category.name if first and first.result_category else "",
            "attitude": first_rating.attitude if first_rating else None,
            "rating": first_rating.result if first_rating else None,
            "reply_text": (first.body if first else ""),
            "is_public": first.is_public if first else None,
            "rated_on": _local_date(first_rating.rated_at) if first_rating else None,
            "replied_again_on": _local_date(second.issued_at) if second else None,
            "result_again": second.result_category.name if second and second.result_category else "",
            "attitude_again": second_rating.attitude if second_rating else None,
            "rating_again": second_rating.result if second_rating else None,
            "rated_again_on": _local_date(second_rating.rated_at) if second_rating else None,
            "contacted": bool(a.contacts),
            "face_to_face": ContactRecord.Kind.FACE_TO_FACE in a.contacts,
        }
        if second:
            facts["reply_text"] = second.body
        for name, value in facts.items():
            per[name].append((a.unit, value))

    def date_text(value: Any) -> str:
        return value.isoformat() if value else ""

    def satisfaction(value: Any) -> str:
        return SATISFACTION_NAMES.get(value, "") if value else ""

    def yes_no(value: Any) -> str:
        return "" if value is None else ("是" if value else "否")

    def text(value: Any) -> str:
        return value or ""

    renderers = {
        "assigned_on": date_text,
        "replied_on": date_text,
        "rated_on": date_text,
        "replied_again_on": date_text,
        "rated_again_on": date_text,
        "attitude": satisfaction,
        "rating": satisfaction,
        "attitude_again": satisfaction,
        "rating_again": satisfaction,
        "is_public": yes_no,
        "contacted": yes_no,
        "face_to_face": yes_no,
    }
    key_items = p.export_key_items
    values = {
        "meeting": p.meeting.name,
        "number": p.number if p.number is not None else "",
        "title": p.title,
        "lead_deputy": p.lead_deputy.name,
        "cosigners": "、".join(p.export_cosigners),
        "delegation": p.lead_deputy.delegation.name if p.lead_deputy.delegation else "",
        "submitted_on": date_text(_local_date(p.submitted_at)),
        "channel": CHANNEL_NAMES.get(p.channel, ""),
        "category": p.category.name if p.category else "",
        "source": p.source.name if p.source else "",
        "body": p.body,
        "lead_unit": lead.unit.name if lead else "",
        "co_units": "、".join(a.unit.name for a in assignments if a.role == A.CO),
        "is_complex": ("复杂" if any(a.is_complex for a in answering) else "一般") if answering else "",
        "is_key": "是" if key_items else "否",
        "state_name": STATE_NAMES.get(p.state, p.state),
        "separate_units": "、".join(a.unit.name for a in answering) if not lead else "",
        "key_theme": key_items[0][0] if key_items else "",
        "key_leader": key_items[0][1] if key_items else "",
    }
    for name in PER_UNIT_FIELDS:
        if name == "reply_text":  # free text is never split by unit: the first answering unit's
            values[name] = per[name][0][1] if per.get(name) else ""
            continue
        values[name] = _join_per_unit(per.get(name, []), renderers.get(name, text))
    return [values[attribute] for attribute, _h, _w, _r in SUGGESTION_COLUMNS]


def export_suggestions(queryset: QuerySet[Proposal]) -> bytes:
    rows = SuggestionResource().export_rows(queryset)
    return write_workbook([("建议", SUGGESTION_HEADERS, rows)])


# --- writing the history --------------------------------------------------------------------------


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class HistoryWriter:
    """Writes the checked rows with bulk inserts: suggestions, co-signatures, assignments,
    replies, ratings, contacts, key items and one "import" event per suggestion. The states
    are those `_resolve` worked out, consistent with the rows written beside them."""

    def __init__(self, rows: list[SuggestionRow], *, user: User | None, file_name: str, batch_id: int | None) -> None:
        self.rows = rows
        self.user = user
        self.file_name = file_name
        self.batch_id = batch_id

    def write(self, created: Counter[str], *, save: bool = True) -> None:
        user = self.user
        if user is None:
            raise ValueError("an import needs the user it is made by")
        proposals = []
        for r in self.rows:
            submitted = _at(r.submitted_on, 9)
            due_on = None
            if r.state == S.IN_HANDLING:
                due_on = min(f["deadline"] for _u, f in r.units if f["replied_on"] is None)
            elif r.state == S.REHANDLING:
                due_on = min(
                    f["rehandling_deadline"]
                    for _u, f in r.units
                    if f.get("rehandling_deadline") and f["replied_again_on"] is None
                )
            closed_at = None
            if r.state == S.CLOSED:
                closed_at = max(_at(f.get("rated_again_on") or f["rated_on"], 18) for _u, f in r.units)
            proposals.append(
                Proposal(
                    meeting=r.meeting_obj,
                    number=r.number,
                    title=r.title,
                    body=r.body or "",
                    lead_deputy=r.lead_obj,
                    channel=r.channel or Proposal.Channel.MEETING,
                    category=r.category_obj,
                    source=r.source_obj,
                    state=r.state,
                    due_on=due_on,
                    created_by=user,
                    submitted_at=submitted,
                    registered_at=submitted if r.number is not None else None,
                    closed_at=closed_at,
                )
            )
        self._save(Proposal, proposals, save)
        created["suggestions"] += len(proposals)

        cosignatures = [
            CoSignature(proposal=p, deputy=d, status=CoSignature.Status.CONFIRMED, responded_at=p.submitted_at)
            for r, p in zip(self.rows, proposals, strict=True)
            for d in r.cosigner_objs
        ]
        self._save(CoSignature, cosignatures, save)
        created["cosignatures"] += len(cosignatures)

        assignments: list[Assignment] = []
        answering: list[tuple[SuggestionRow, Proposal, Assignment, dict[str, Any]]] = []
        for r, p in zip(self.rows, proposals, strict=True):
            if r.state not in (S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED):
                continue
            facts = dict(r.units)
            first_day = min(f["assigned_on"] for f in facts.values())
            for unit in r.answering:
                f = facts[unit]
                a = Assignment(
                    proposal=p,
                    unit=unit,
                    role=A.LEAD if r.lead_unit_obj else A.SEPARATE,
                    is_complex=bool(r.is_complex),
                    assigned_on=f["assigned_on"],
                    deadline=f["deadline"],
                    rehandling_deadline=f.get("rehandling_deadline"),
                    assigned_by=user,
                    signed_at=_at(f["assigned_on"], 9),
                    signed_by=user,
                )
                assignments.append(a)
                answering.append((r, p, a, f))
            for unit in r.co_unit_objs:
                assignments.append(
                    Assignment(
                        proposal=p,
                        unit=unit,
                        role=A.CO,
                        is_complex=bool(r.is_complex),
                        assigned_on=first_day,
                        deadline=deadlines.reply_deadline(first_day, complex_=bool(r.is_complex)),
                        co_opinion_due=deadlines.co_opinion_deadline(first_day),
                        assigned_by=user,
                        signed_at=_at(first_day, 9),
                        signed_by=user,
                    )
                )
        self._save(Assignment, assignments, save)
        created["assignments"] += len(assignments)

        replies: list[Reply] = []
        rated: list[tuple[Reply, Proposal, dict[str, Any], int]] = []
        contacts: list[ContactRecord] = []
        for _r, p, a, f in answering:
            for round_, day, result, text_key in (
                (1, f["replied_on"], f.get("result_obj"), "reply_text"),
                (2, f.get("replied_again_on"), f.get("result_again_obj"), "reply_text"),
            ):
                if day is None:
                    continue
                reply = Reply(
                    assignment=a,
                    round=round_,
                    state=Reply.State.ISSUED,
                    result_category=result,
                    # The text given is the standing reply's: the second one when there is one.
                    body=(f[text_key] or "") if (round_ == 2 or not f.get("replied_again_on")) else "",
                    is_public=True if f["is_public"] is None else f["is_public"],
                    created_by=user,
                    approved_by=user,
                    approved_at=_at(day, 10),
                    issued_by=user,
                    issued_at=_at(day, 10),
                )
                replies.append(reply)
                rated.append((reply, p, f, round_))
            if f["contacted"] or f["face_to_face"]:
                contacts.append(
                    ContactRecord(
                        proposal=p,
                        assignment=a,
                        kind=ContactRecord.Kind.FACE_TO_FACE if f["face_to_face"] else ContactRecord.Kind.PHONE,
                        stage=ContactRecord.Stage.DURING,
                        contact_date=f["assigned_on"],
                        people=f"{p.lead_deputy.name}代表；{a.unit.name}",
                        summary="历史数据导入：办理期间与代表联系。",
                        recorded_by=user,
                    )
                )
        self._save(Reply, replies, save)
        created["replies"] += len(replies)
        self._save(ContactRecord, contacts, save)
        created["contacts"] += len(contacts)

        ratings = []
        for reply, p, f, round_ in rated:
            suffix = "" if round_ == 1 else "_again"
            if f.get(f"rating{suffix}") is None:
                continue
            ratings.append(
                Rating(
                    reply=reply,
                    proposal=p,
                    attitude=f[f"attitude{suffix}"],
                    result=f[f"rating{suffix}"],
                    rated_by=user,
                    rated_at=_at(f[f"rated{suffix}_on"], 18),
                    comment="",
                )
            )
        self._save(Rating, ratings, save)
        created["ratings"] += len(ratings)

        self._key_items(proposals, created, save)

        events = [
            ProposalEvent(
                proposal=p,
                actor=user,
                action="import",
                from_state="",
                to_state=p.state,
                note=f"从 Excel 导入：{self.file_name} 第 {r.excel_row} 行",
                data={"batch": self.batch_id, "row": r.excel_row, "file": self.file_name},
            )
            for r, p in zip(self.rows, proposals, strict=True)
        ]
        self._save(ProposalEvent, events, save)
        created["events"] += len(events)

    @staticmethod
    def _save(model: Any, objects: list[Any], save: bool) -> None:
        if save:
            model.objects.bulk_create(objects, batch_size=1000)

    def _key_items(self, proposals: list[Proposal], created: Counter[str], save: bool) -> None:
        wanted: dict[tuple[int, str], list[tuple[SuggestionRow, Proposal]]] = defaultdict(list)
        for r, p in zip(self.rows, proposals, strict=True):
            if r.is_key and r.number is not None:
                year = r.meeting_obj.year
                wanted[(year, r.key_theme or f"{year}年重点督办建议")].append((r, p))
        links = []
        for (year, title), members in wanted.items():
            item = KeyItem.objects.filter(year=year, title=title).first()
            if item is None:
                leader = next((r.key_leader_obj for r, _p in members if getattr(r, "key_leader_obj", None)), None)
                item = KeyItem(year=year, title=title, leader=leader or self.user, created_by=self.user)
                if save:
                    item.save()
                created["key_items"] += 1
            links += [KeyItem.proposals.through(keyitem_id=item.pk, proposal_id=p.pk) for _r, p in members]
        if save:
            KeyItem.proposals.through.objects.bulk_create(links)
        created["key_suggestions"] += len(links)


# --- units and deputies ---------------------------------------------------------------------------


class UnitKindWidget(ChoiceWidget):
    def __init__(self) -> None:
        labels = {"政府部门": Unit.Kind.GOVERNMENT, "法院": Unit.Kind.COURT, "检察院": Unit.Kind.PROCURATORATE}
        labels["其他"] = Unit.Kind.OTHER
        super().__init__(labels, blank=Unit.Kind.GOVERNMENT)
        self.names = {v: k for k, v in labels.items()}

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return self.names.get(value, "")


class UnitResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="单位名称", widget=TextWidget(max_length=100))
    short_name = fields.Field(attribute="short_name", column_name="简称", widget=TextWidget(max_length=30))
    kind = fields.Field(attribute="kind", column_name="单位类型", widget=UnitKindWidget())
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=TextWidget(max_length=30))
    address = fields.Field(attribute="address", column_name="地址", widget=TextWidget(max_length=200))

    class Meta:
        model = Unit
        fields = ("name", "short_name", "kind", "phone", "address")
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_diff = False
        use_transactions = True

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        if "单位名称" not in (dataset.headers or []):
            raise ImportFileError("缺少必需的列：单位名称。请使用下载的模板。")


class DelegationWidget(widgets.ForeignKeyWidget):
    """A delegation by name; a new name creates the delegation (inside the import's transaction)."""

    def __init__(self) -> None:
        super().__init__(Delegation, "name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Delegation | None:
        name = _text(value)
        if not name:
            return None
        if len(name) > 100:
            raise ValueError("代表团名称不能超过 100 个字")
        delegation, _created = Delegation.objects.get_or_create(name=name)
        return delegation


class GenderWidget(ChoiceWidget):
    def __init__(self) -> None:
        super().__init__({"男": Deputy.Gender.MALE, "女": Deputy.Gender.FEMALE}, blank="")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return {"m": "男", "f": "女"}.get(value or "", "")


class DeputyResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget(max_length=50))
    gender = fields.Field(attribute="gender", column_name="性别", widget=GenderWidget())
    delegation = fields.Field(attribute="delegation", column_name="代表团", widget=DelegationWidget())
    work_unit = fields.Field(attribute="work_unit", column_name="工作单位及职务", widget=TextWidget(max_length=200))
    phone = fields.Field(attribute="phone", column_name="手机", widget=TextWidget(max_length=30))
    email = fields.Field(attribute="email", column_name="电子邮箱", widget=TextWidget(max_length=254))
    address = fields.Field(attribute="address", column_name="通讯地址", widget=TextWidget(max_length=200))

    class Meta:
        model = Deputy
        fields = ("name", "gender", "delegation", "work_unit", "phone", "email", "address")
        import_id_fields = ("name", "delegation")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_diff = False
        use_transactions = True

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        missing = [h for h in ("姓名", "代表团") if h not in (dataset.headers or [])]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。请使用下载的模板。")

    def get_queryset(self) -> QuerySet[Deputy]:
        return Deputy.objects.select_related("delegation")

    def dehydrate_delegation(self, deputy: Deputy) -> str:
        return deputy.delegation.name if deputy.delegation else ""


KIND_RESOURCES = {"units": UnitResource, "deputies": DeputyResource, "suggestions": SuggestionResource}


# --- running an import ----------------------------------------------------------------------------


@dataclass
class BadRow:
    row: int
    problems: list[str]


# What an import created, in words (the import page and the import commands).
CREATED_LABELS = {
    "units": gettext_lazy("units"),
    "deputies": gettext_lazy("deputies"),
    "suggestions": gettext_lazy("suggestions"),
    "cosignatures": gettext_lazy("co-signatures"),
    "assignments": gettext_lazy("assignments to units"),
    "replies": gettext_lazy("replies"),
    "ratings": gettext_lazy("ratings"),
    "contacts": gettext_lazy("contact records"),
    "key_items": gettext_lazy("new key items"),
    "key_suggestions": gettext_lazy("key suggestions"),
    "events": gettext_lazy("audit events"),
}


@dataclass
class Outcome:
    """What an import did, or would do: counts of what is created, and every bad row."""

    kind: str
    dry_run: bool
    total_rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    unchanged: int = 0
    states: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "states": self.states,
            "preview": self.preview,
            "bad_rows": [{"row": b.row, "problems": b.problems} for b in self.bad_rows],
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _headers_by_attribute(resource: resources.Resource) -> dict[str, str]:
    return {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}


def run_import(
    kind: str, handle: Any, *, user: User | None, dry_run: bool, file_name: str = "", batch_id: int | None = None
) -> Outcome:
    """Import one workbook of `kind`: all rows or none. With `dry_run` nothing is kept."""
    outcome = Outcome(kind=kind, dry_run=dry_run)
    try:
        dataset = read_workbook(handle)
    except ImportFileError as exc:
        outcome.errors.append(str(exc))
        return outcome
    outcome.total_rows = len(dataset)
    if not len(dataset):
        outcome.errors.append("文件中没有数据行。")
        return outcome
    if kind == "suggestions":
        resource: resources.Resource = SuggestionResource(user=user, file_name=file_name, batch_id=batch_id)
    else:
        resource = KIND_RESOURCES[kind]()
    headers = _headers_by_attribute(resource)
    row_numbers = dataset["_row"]
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
    for error in result.base_errors:
        outcome.errors.append(_message(error.error))
    for invalid in result.invalid_rows:
        problems = []
        for attribute, messages in invalid.error_dict.items():
            label = "" if attribute == NON_FIELD_ERRORS else f"{headers.get(attribute, attribute)}："
            problems += [f"{label}{m}" for m in messages]
        outcome.bad_rows.append(BadRow(row_numbers[invalid.number - 1], problems))
    for error_row in result.error_rows:
        outcome.bad_rows.append(
            BadRow(row_numbers[error_row.number - 1], [_message(e.error) for e in error_row.errors])
        )
    outcome.bad_rows.sort(key=lambda b: b.row)
    if kind == "suggestions":
        outcome.warnings += resource.warnings
        if outcome.ok:
            outcome.created = dict(resource.created)
            outcome.states = getattr(resource, "states", {})
            outcome.preview = resource.preview
    elif outcome.ok:
        totals = result.totals
        outcome.created = {kind: totals["new"]}
        outcome.updated = totals["update"]
        outcome.unchanged = totals["skip"]
    return outcome


def _message(error: Any) -> str:
    if isinstance(error, ImportFileError):
        return str(error)
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return f"无法处理：{error}"


def export_units(queryset: QuerySet[Unit] | None = None) -> bytes:
    resource = UnitResource()
    dataset = resource.export(queryset if queryset is not None else Unit.objects.order_by("order", "name"))
    return write_workbook([("承办单位", list(dataset.headers), list(map(list, dataset)))])


def export_deputies(queryset: QuerySet[Deputy] | None = None) -> bytes:
    resource = DeputyResource()
    queryset = queryset if queryset is not None else Deputy.objects.select_related("delegation")
    dataset = resource.export(queryset)
    return write_workbook([("代表", list(dataset.headers), list(map(list, dataset)))])


def template_workbook(kind: str) -> bytes:
    """The empty template of `kind` with a second sheet explaining each column and listing
    the names the system knows (meetings, categories, sources, result categories, units)."""
    if kind == "units":
        headers = [f.column_name for f in UnitResource().get_export_fields()]
        notes = [
            ["单位名称", "必填；已存在的单位按名称更新"],
            ["简称", "如：教育局"],
            ["单位类型", "政府部门、法院、检察院 或 其他，留空为政府部门"],
            ["联系电话", ""],
            ["地址", ""],
        ]
        return write_workbook([("承办单位", headers, []), ("填写说明", ["列", "说明"], notes)])
    if kind == "deputies":
        headers = [f.column_name for f in DeputyResource().get_export_fields()]
        notes = [
            ["姓名", "必填"],
            ["性别", "男 或 女"],
            ["代表团", "必填；同一代表团内姓名不能重复，已存在的代表按姓名和代表团更新；新的代表团会自动添加"],
            ["工作单位及职务", ""],
            ["手机", "仅供承办单位和工作人员联系使用，不会公开"],
            ["电子邮箱", ""],
            ["通讯地址", ""],
        ]
        return write_workbook([("代表", headers, []), ("填写说明", ["列", "说明"], notes)])
    known = [
        ("会议", list(Meeting.objects.values_list("name", flat=True))),
        ("类别", list(Category.objects.filter(is_active=True).values_list("name", flat=True))),
        ("来源", list(Source.objects.filter(is_active=True).values_list("name", flat=True))),
        ("办理结果", list(ResultCategory.objects.filter(is_active=True).values_list("name", flat=True))),
        ("承办单位", list(Unit.objects.filter(is_active=True).values_list("name", flat=True))),
    ]
    notes = [
        [header, "必填" if header in REQUIRED_HEADERS else "", COLUMN_HELP.get(header, "")]
        for header in SUGGESTION_HEADERS
    ]
    longest = max((len(names) for _t, names in known), default=0)
    names_rows = [[names[i] if i < len(names) else "" for _t, names in known] for i in range(longest)]
    return write_workbook(
        [
            ("建议", SUGGESTION_HEADERS, []),
            ("填写说明", ["列", "必填", "说明"], notes),
            ("可选名称", [t for t, _n in known], names_rows),
        ]
    )


def import_limit_note() -> str:
    return f"单个文件不超过 {settings.UPLOAD_MAX_MB} MB。"
