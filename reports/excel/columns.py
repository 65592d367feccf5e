"""The suggestions' columns: one list, `SUGGESTION_COLUMNS`, read by the template, the import
and the export, so an export of any list re-imports cleanly; the words a cell may hold for
a satisfaction, a channel, a period or a state; and `SuggestionRow`, what one row says.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from import_export import widgets

from deputies.models import Deputy, User
from deputies.streams import Stream, in_stream_words
from handling.models import Satisfaction, Unit
from proposals.models import Category, Meeting, Proposal, ProposalState, Source
from reports.excel.widgets import (
    ChoiceWidget,
    DateWidget,
    NamesWidget,
    NumberWidget,
    PerUnit,
    PerUnitWidget,
    TextWidget,
    YesNoWidget,
)

S = ProposalState
SATISFACTION_LABELS = {
    "满意": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.BASIC,
    "不满意": Satisfaction.UNSATISFIED,
}
SATISFACTION_NAMES = {v: k for k, v in SATISFACTION_LABELS.items()}
CHANNEL_LABELS = {"大会": Proposal.Channel.MEETING, "闭会": Proposal.Channel.BETWEEN}
CHANNEL_NAMES: dict[str, str] = {v: k for k, v in CHANNEL_LABELS.items()}
PERIOD_LABELS = {"一般": False, "复杂": True}
UNNUMBERED_STATES = {"待审查": S.SUBMITTED, "退回修改": S.RETURNED, "已撤回": S.WITHDRAWN, "不予立案": S.NOT_ACCEPTED}
STATE_NAMES: dict[str, str] = {
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

# (attribute, header, widget, required). The first twenty are the template's core; the others
# are optional and make an export re-import without losing what the figures count.
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
    "领办领导": "重点督办必填：领办领导（在用的领导账号）的姓名或登录名",
}

# The proposal stream's workbook (政协委员提案) names its number, people and groups in its own
# words; every other column is the suggestions' own.
PROPOSAL_HEADERS = {
    "建议编号": "提案编号",
    "领衔代表": "领衔委员",
    "附议代表": "联名委员",
    "代表团": "界别",
    "已联系代表": "已联系委员",
}
PROPOSAL_HELP = {
    "会议": "会议名称，须与系统中的政协会议一致，如：政协第十三届三次会议（先在管理后台添加会议）",
    "领衔委员": "领衔委员姓名，或提出集体提案的党派、团体、专委会的名称，须已在委员名单中（可先导入委员）",
    "联名委员": "联名委员姓名，多个用“、”分隔；集体提案不填",
}


@dataclass(frozen=True)
class Columns:
    """One stream's workbook: the same columns, each under the stream's header, and their help."""

    stream: str
    columns: list[tuple[str, str, widgets.Widget, bool]]
    help: dict[str, str]
    headers: list[str] = field(init=False)
    required: list[str] = field(init=False)
    header_of: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # frozen: the derived lists are set once, here
        object.__setattr__(self, "headers", [header for _a, header, _w, _r in self.columns])
        object.__setattr__(self, "required", [header for _a, header, _w, required in self.columns if required])
        object.__setattr__(self, "header_of", {attribute: header for attribute, header, _w, _r in self.columns})


def _columns(stream: str) -> Columns:
    if stream == Stream.SUGGESTION:
        return Columns(stream, SUGGESTION_COLUMNS, COLUMN_HELP)
    renamed = [(a, PROPOSAL_HEADERS.get(h, h), w, r) for a, h, w, r in SUGGESTION_COLUMNS]
    help_ = {PROPOSAL_HEADERS.get(h, h): in_stream_words(text) for h, text in COLUMN_HELP.items()}
    return Columns(stream, renamed, help_ | PROPOSAL_HELP)


COLUMNS: dict[str, Columns] = {stream: _columns(stream) for stream in Stream.values}


def columns_of(stream: str) -> Columns:
    return COLUMNS[stream]


class SuggestionRow:
    """What one row says, as the import-export fields set it, then resolved to objects.

    `units` holds each answering unit with the facts of its part (days, result, ratings);
    without units, `state` is the state the row describes. With units the state follows from
    their facts, worked out when the row is written (`reports.excel.history`)."""

    # What the columns hold (see SUGGESTION_COLUMNS): set by the widgets, or None for a column
    # the workbook leaves out. Declared only, never given a class default: the import asks
    # `hasattr` which columns it read.
    meeting: str | None
    number: int | None
    title: str | None
    lead_deputy: str | None
    cosigners: list[str]
    delegation: str | None
    submitted_on: dt.date | None
    channel: str | None
    category: str | None
    source: str | None
    body: str | None
    lead_unit: str | None
    co_units: list[str]
    assigned_on: PerUnit
    is_complex: bool | None
    replied_on: PerUnit
    result: PerUnit
    attitude: PerUnit
    rating: PerUnit
    is_key: bool | None
    state_name: str | None
    separate_units: list[str]
    reply_text: PerUnit
    is_public: PerUnit
    rated_on: PerUnit
    replied_again_on: PerUnit
    result_again: PerUnit
    attitude_again: PerUnit
    rating_again: PerUnit
    rated_again_on: PerUnit
    contacted: PerUnit
    face_to_face: PerUnit
    key_theme: str | None
    key_leader: str | None
    # What they name, looked up by `SuggestionResource._resolve`.
    meeting_obj: Meeting | None
    category_obj: Category | None
    source_obj: Source | None
    lead_obj: Deputy | None
    cosigner_objs: list[Deputy]
    lead_unit_obj: Unit | None
    co_unit_objs: list[Unit]
    separate_unit_objs: list[Unit]
    answering: list[Unit]
    key_leader_obj: User | None

    def __init__(self) -> None:
        self.excel_row = 0
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.state: str | None = None
        self.units: list[tuple[Unit, dict[str, Any]]] = []
