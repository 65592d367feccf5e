"""Importing suggestions: each row is checked, then comes in as the history it describes.

Every row is checked against the database as it is (the names it gives, the numbers already
taken) and against the rest of the file; a row that describes an impossible history is a bad
row with its reason. The good rows are written together by `reports.excel.history`, which
says exactly what each one becomes. What a row may describe:

- no 建议编号: received, not registered (待审查; or 退回修改, 已撤回, 不予立案 from 状态);
- a number but no unit: registered (立案);
- units and 交办日期: assigned and signed for on that day (办理中), the deadline counted from
  the day and 办理期限类型;
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

from collections import Counter, defaultdict
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader

from deputies.models import Deputy, User
from deputies.spreadsheet import write_workbook
from deputies.streams import KEEP_CLOSE, KEEP_OPEN, Stream, told_for, words_of
from handling.models import ResultCategory, Satisfaction, Unit
from proposals import deadlines
from proposals.models import Category, Meeting, Proposal, ProposalState, Source
from proposals.rules import takes_cosigners
from reports.excel.columns import (
    PER_UNIT_FIELDS,
    STATE_NAMES,
    UNNUMBERED_STATES,
    SuggestionRow,
    columns_of,
)
from reports.excel.history import HistoryWriter
from reports.excel.widgets import PerUnit
from reports.excel.workbook import ImportFileError
from supervision.rules import key_item_leaders

S = ProposalState


class NoInstanceLoader(BaseInstanceLoader):
    """Every row is a new suggestion: an existing number is a bad row, never an update."""

    def get_instance(self, row: Any) -> None:
        return None


class SuggestionResource(resources.Resource):
    """Suggestions in. Rows are checked one by one (django-import-export collects the bad
    ones); the good ones are written together at the end, in bulk, in the same transaction."""

    class Meta:
        instance_loader_class = NoInstanceLoader
        import_id_fields: list[str] = []
        use_bulk = True  # no savepoint per row; `save_instance` below only collects the rows
        skip_diff = True
        clean_model_instances = False
        use_transactions = True

    def __init__(
        self,
        *,
        user: User | None = None,
        file_name: str = "",
        batch_id: int | None = None,
        stream: str = Stream.SUGGESTION,
    ) -> None:
        super().__init__()
        # One resource for both streams: the proposal stream's workbook has its own headers
        # (领衔委员, 联名委员, 界别, 提案编号), names its members and sectors, and is told in its words.
        self.stream = stream
        self.columns = columns_of(stream)
        self.told = told_for(stream)
        for attribute, header, widget, _required in self.columns.columns:
            self.fields[attribute] = fields.Field(attribute=attribute, column_name=header, widget=widget)
        self.user = user
        self.file_name = file_name
        self.batch_id = batch_id
        self.rows: list[SuggestionRow] = []
        self.created: Counter[str] = Counter()
        self.preview: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        headers = set(dataset.headers or [])
        self._check_stream(headers)
        missing = [h for h in self.columns.required if h not in headers]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。请使用下载的模板。")
        unknown = [h for h in headers if h not in self.columns.headers and h != "_row"]
        if unknown:
            self.warnings.append(f"以下列不在模板中，已忽略：{'、'.join(sorted(unknown))}")
        # Everything a row refers to, loaded once (never a query per row).
        self.meetings = {m.name: m for m in Meeting.objects.filter(term__stream=self.stream)}
        self.categories = {c.name: c for c in Category.objects.for_stream(self.stream)}
        self.sources = {s.name: s for s in Source.objects.all()}
        self.units = {u.name: u for u in Unit.objects.all()}
        self.units.update(
            {u.short_name: u for u in Unit.objects.exclude(short_name="") if u.short_name not in self.units}
        )
        self.results = {r.name: r for r in ResultCategory.objects.all()}
        self.deputies: dict[str, list[Deputy]] = defaultdict(list)
        for deputy in Deputy.objects.filter(stream=self.stream).select_related("delegation"):
            self.deputies[deputy.name].append(deputy)
        named = {str(v).strip() for v in dataset["会议"] if v} if "会议" in headers else set()
        self.taken = set(
            Proposal.objects.filter(number__isnull=False, meeting__name__in=named).values_list("meeting_id", "number")
        )
        self.seen: dict[tuple[int, int], int] = {}
        # A key item is led by a leader's account (supervision's rule), named by login or name.
        leaders = list(key_item_leaders())
        self.leaders = {u.username: u for u in leaders}
        self.leaders.update({u.full_name: u for u in leaders if u.full_name})
        self.today = timezone.localdate()

    def _check_stream(self, headers: set[str]) -> None:
        """A workbook of the other stream is refused as a whole, saying which it is."""
        for other in Stream.values:
            if other == self.stream:
                continue
            theirs = set(columns_of(other).headers) - set(self.columns.headers)
            if theirs & headers and not (set(self.columns.headers) - set(columns_of(other).headers)) & headers:
                words, their_words = words_of(self.stream), words_of(other)
                raise ImportFileError(
                    f"这个工作簿的列（{'、'.join(sorted(theirs & headers))}）是{their_words.people}{their_words.item}"
                    f"的模板，不是{words.people}{words.item}的：请选择导入“{their_words.item}”，"
                    f"或使用{words.item}的导入模板。"
                )

    def init_instance(self, row: Any = None) -> SuggestionRow:
        return SuggestionRow()

    def import_instance(self, instance: SuggestionRow, row: Any, **kwargs: Any) -> None:
        """Each cell through its column's widget, as django-import-export's fields do (a cell
        the widget refuses is that column's error), without their layers: 34 columns times
        10,000 rows."""
        errors: dict[str, Any] = {}
        for attribute, header, widget, _required in self.columns.columns:
            if header in row:
                try:
                    setattr(instance, attribute, widget.clean(row[header], row=row))
                except ValueError as exc:
                    errors[attribute] = [ValidationError(str(exc), code="invalid")]
        instance.excel_row = row.get("_row") or kwargs.get("row_number", 0) + 1
        self._resolve(instance, failed=set(errors))
        for name, messages in instance.errors.items():
            errors.setdefault(name, []).extend(ValidationError(m) for m in messages)
        if errors:
            raise ValidationError(errors)

    def _error(self, row: SuggestionRow, name: str, message: str) -> None:
        """A reason, in the congress's words, told in the stream's (what the row says, marked
        by `_data`, is left as written)."""
        row.errors[name].append(self.told(message))

    def _resolve(self, r: SuggestionRow, failed: set[str]) -> None:  # noqa: C901 - one check per rule
        """Look up what the row names and check it describes a possible history."""
        for attribute, _header, _widget, required in self.columns.columns:
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
            self._error(r, "meeting", f"未知的会议“{_data(r.meeting)}”（请先在管理后台添加）")
        r.category_obj = self.categories.get(r.category) if r.category else None
        if r.category and r.category_obj is None:
            self._error(r, "category", f"未知的类别“{_data(r.category)}”")
        r.source_obj = self.sources.get(r.source) if r.source else None
        if r.source and r.source_obj is None:
            self._error(r, "source", f"未知的来源“{_data(r.source)}”")
        r.lead_obj = self._deputy(r, r.lead_deputy, r.delegation, "lead_deputy") if r.lead_deputy else None
        r.cosigner_objs = []
        if r.cosigners and r.lead_obj is not None and not takes_cosigners(r.lead_obj):
            self._error(r, "cosigners", f"“{_data(r.lead_obj.name)}”提出的是集体提案，不能有附议代表")
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
                self._error(r, "number", f"建议编号 {r.number} 在“{_data(r.meeting)}”中已存在")
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
        """Check what the units did, each answering unit's facts going to `r.units`. The state
        follows from them: the writer moves the suggestion through the transitions they imply."""
        unit_names = {u.name for u in r.answering} | {u.short_name for u in r.answering if u.short_name}
        for name in PER_UNIT_FIELDS:
            for unit_name in getattr(r, name).by_unit:
                if unit_name not in unit_names:
                    self._error(r, name, f"“{_data(unit_name)}”不是这件建议的主办或分办单位")
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
            self._unit_history(r, unit, f)
            r.units.append((unit, f))
        if not r.units or r.errors:
            return
        if r.is_key:
            # Every key item has its leading leader, as on the key-item form.
            r.key_leader_obj = self.leaders.get(r.key_leader) if r.key_leader else None
            if not r.key_leader:
                self._error(r, "key_leader", "重点督办须填写领办领导")
            elif r.key_leader_obj is None:
                self._error(r, "key_leader", f"未知的领办领导“{_data(r.key_leader)}”（须为在用的领导账号）")
        elif r.key_theme or r.key_leader:
            self._error(r, "is_key", "填写了督办主题或领办领导，但“是否重点督办”不是“是”")

    def _unit_history(self, r: SuggestionRow, unit: Unit, f: dict[str, Any]) -> None:  # noqa: C901
        """Check one answering unit's reply columns, and complete its facts: the rating days
        (the reply's day when blank) and, after a 不满意 first rating, the re-handling deadline."""
        label = f"（{_data(unit.name)}）" if len(r.answering) > 1 else ""
        if f["replied_on"] is None:
            for name in ("result", "attitude", "rating", "rated_on", "replied_again_on"):
                if f[name] not in (None, ""):
                    self._error(r, "replied_on", f"填写了{self.columns.header_of[name]}，但没有答复日期{label}")
                    return
            return
        if f["replied_on"] < f["assigned_on"]:
            self._error(r, "replied_on", f"答复日期早于交办日期{label}")
        if f["replied_on"] > self.today:
            self._error(r, "replied_on", f"答复日期不能晚于今天{label}")
        f["result_obj"] = self._result(r, f["result"], "result", label)
        rated = self._rating_pair(r, f["attitude"], f["rating"], "rating", label)
        if not rated:
            if f["replied_again_on"] or f["result_again"]:
                self._error(r, "replied_again_on", f"只有结果评价为“不满意”的建议才有重新办理{label}")
            return
        f["rated_on"] = f["rated_on"] or f["replied_on"]
        if f["rated_on"] < f["replied_on"]:
            self._error(r, "rated_on", f"评价日期早于答复日期{label}")
        if f["rating"] != Satisfaction.UNSATISFIED:
            if f["replied_again_on"] or f["result_again"] or f["rating_again"]:
                self._error(r, "replied_again_on", f"只有结果评价为“不满意”的建议才有重新办理{label}")
            return
        f["rehandling_deadline"] = deadlines.rehandling_deadline(f["rated_on"])
        if f["replied_again_on"] is None:
            if f["result_again"] or f["attitude_again"] or f["rating_again"]:
                self._error(r, "replied_again_on", f"填写了重新办理的结果或评价，但没有重新办理答复日期{label}")
            return
        if f["replied_again_on"] < f["rated_on"]:
            self._error(r, "replied_again_on", f"重新办理答复日期早于评价日期{label}")
        if f["replied_again_on"] > self.today:
            self._error(r, "replied_again_on", f"重新办理答复日期不能晚于今天{label}")
        f["result_again_obj"] = self._result(r, f["result_again"], "result_again", label)
        if not self._rating_pair(r, f["attitude_again"], f["rating_again"], "rating_again", label):
            return
        f["rated_again_on"] = f["rated_again_on"] or f["replied_again_on"]
        if f["rated_again_on"] < f["replied_again_on"]:
            self._error(r, "rated_again_on", f"重新办理评价日期早于重新办理答复日期{label}")

    def _for(self, value: PerUnit, unit: Unit) -> Any:
        if unit.name in value.by_unit:
            return value.by_unit[unit.name]
        return value.by_unit.get(unit.short_name, value.common) if unit.short_name else value.common

    def _result(self, r: SuggestionRow, name: str | None, attribute: str, label: str) -> ResultCategory | None:
        if not name:
            self._error(r, attribute, f"有答复时必须填写{self.columns.header_of[attribute]}{label}")
            return None
        result = self.results.get(name)
        if result is None:
            self._error(r, attribute, f"未知的办理结果“{_data(name)}”{label}")
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
                self._error(r, attribute, f"代表名单中没有“{_data(delegation)}”的“{_data(name)}”（请先导入代表）")
                return None
        if not candidates:
            self._error(r, attribute, f"代表名单中没有“{_data(name)}”（请先导入代表）")
            return None
        if len(candidates) > 1 and prefer:
            preferred = [d for d in candidates if d.delegation and d.delegation.name == prefer]
            candidates = preferred or candidates
        if len(candidates) > 1:
            self._error(r, attribute, f"有 {len(candidates)} 位代表叫“{_data(name)}”，请填写代表团以区分")
            return None
        return candidates[0]

    def _unit(self, r: SuggestionRow, name: str, attribute: str) -> Unit | None:
        unit = self.units.get(name)
        if unit is None:
            self._error(r, attribute, f"未知的承办单位“{_data(name)}”（请先导入单位）")
        return unit

    def save_instance(self, instance: SuggestionRow, is_create: bool, row: Any, **kwargs: Any) -> None:
        self.rows.append(instance)

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        if result.has_errors() or result.has_validation_errors() or not self.rows:
            return
        writer = HistoryWriter(
            self.rows, user=self.user, file_name=self.file_name, batch_id=self.batch_id, stream=self.stream
        )
        # The dry run builds every object the import would write and counts them, without
        # writing: the rows were checked one by one above, against the database as it is.
        writer.write(self.created, save=not kwargs.get("dry_run", False))
        states = Counter(_state_of(r) for r in self.rows)
        self.states = {str(STATE_NAMES[s]): n for s, n in states.items()}
        self.preview = [
            {
                "row": r.excel_row,
                "meeting": r.meeting,
                "number": r.number,
                "title": r.title,
                "state": STATE_NAMES[_state_of(r)],
            }
            for r in self.rows[:50]
        ]


def _data(text: Any) -> str:
    """What a row says, kept as written when a reason is told in the stream's words."""
    return f"{KEEP_OPEN}{text}{KEEP_CLOSE}"


def _state_of(row: SuggestionRow) -> str:
    """The state of a row HistoryWriter.write() has gone through (it sets every row's)."""
    assert row.state is not None
    return row.state


def suggestions_template(stream: str = Stream.SUGGESTION) -> bytes:
    """The empty template of a stream (suggestions or CPPCC proposals) with a sheet explaining
    each column and one listing the names the system knows for it (meetings, categories,
    sources, result categories, units)."""
    columns = columns_of(stream)
    known = [
        ("会议", list(Meeting.objects.filter(term__stream=stream).values_list("name", flat=True))),
        ("类别", list(Category.objects.for_stream(stream).filter(is_active=True).values_list("name", flat=True))),
        ("来源", list(Source.objects.filter(is_active=True).values_list("name", flat=True))),
        ("办理结果", list(ResultCategory.objects.filter(is_active=True).values_list("name", flat=True))),
        ("承办单位", list(Unit.objects.filter(is_active=True).values_list("name", flat=True))),
    ]
    notes = [
        [header, "必填" if header in columns.required else "", columns.help.get(header, "")]
        for header in columns.headers
    ]
    longest = max((len(names) for _t, names in known), default=0)
    names_rows = [[names[i] if i < len(names) else "" for _t, names in known] for i in range(longest)]
    return write_workbook(
        [
            ("提案" if stream == Stream.PROPOSAL else "建议", columns.headers, []),
            ("填写说明", ["列", "必填", "说明"], notes),
            ("可选名称", [t for t, _n in known], names_rows),
        ]
    )
