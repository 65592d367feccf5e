"""Importing the CPPCC members (政协委员): reference data, imported before the proposals that
name them, as the deputies are (`reports.excel.deputies`, whose rules it follows): a row
updates the member of the same name in the same sector (界别), or adds one; a new sector's name
adds the sector. Columns: 姓名 and 界别, optionally 手机 and 工作单位及职务."""

from __future__ import annotations

from typing import Any

import tablib
from django.db.models import QuerySet
from import_export import fields

from deputies.models import Deputy
from deputies.spreadsheet import write_workbook
from deputies.streams import Stream
from reports.excel.deputies import DelegationWidget, DeputyResource
from reports.excel.widgets import TextWidget
from reports.excel.workbook import ImportFileError

HEADERS = ("姓名", "界别", "手机", "工作单位及职务")


class SectorWidget(DelegationWidget):
    """A sector by name; a new name creates the sector."""

    stream = Stream.PROPOSAL
    kind = "界别"


class MemberResource(DeputyResource):
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget(max_length=50))
    delegation = fields.Field(attribute="delegation", column_name="界别", widget=SectorWidget())
    work_unit = fields.Field(attribute="work_unit", column_name="工作单位及职务", widget=TextWidget(max_length=200))
    phone = fields.Field(attribute="phone", column_name="手机", widget=TextWidget(max_length=30))

    class Meta(DeputyResource.Meta):
        fields: tuple[str, ...] = ("name", "delegation", "phone", "work_unit")

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        missing = [h for h in ("姓名", "界别") if h not in (dataset.headers or [])]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}。请使用下载的模板。")

    def get_queryset(self) -> QuerySet[Deputy]:
        return Deputy.objects.filter(stream=Stream.PROPOSAL).select_related("delegation")

    def init_instance(self, row: Any = None) -> Deputy:
        return Deputy(stream=Stream.PROPOSAL)

    def get_export_fields(self, selected_fields: Any = None) -> list[fields.Field]:
        return [self.fields[name] for name in ("name", "delegation", "phone", "work_unit")]


def export_members(queryset: QuerySet[Deputy] | None = None) -> bytes:
    """The members in the template's columns: the workbook imports again as it is."""
    resource = MemberResource()
    dataset = resource.export(queryset if queryset is not None else resource.get_queryset())
    return write_workbook([("政协委员", list(dataset.headers), list(map(list, dataset)))])


def members_template() -> bytes:
    """The empty template with a sheet explaining each column."""
    notes = [
        ["姓名", "必填"],
        ["界别", "必填；同一界别内姓名不能重复，已存在的委员按姓名和界别更新；新的界别会自动添加"],
        ["手机", "可选；仅供承办单位和工作人员联系使用，不会公开"],
        ["工作单位及职务", "可选"],
    ]
    return write_workbook([("政协委员", list(HEADERS), []), ("填写说明", ["列", "说明"], notes)])
