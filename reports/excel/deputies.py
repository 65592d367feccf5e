"""Importing and exporting the deputies (代表): reference data, imported before the suggestions
that name them. A row updates the deputy of the same name in the same delegation, or adds one;
a new delegation's name adds the delegation.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.db.models import QuerySet
from import_export import fields, resources, widgets

from deputies.models import Delegation, Deputy
from deputies.spreadsheet import write_workbook
from deputies.streams import Stream
from reports.excel.widgets import ChoiceWidget, TextWidget
from reports.excel.workbook import ImportFileError, cell_text


class DelegationWidget(widgets.ForeignKeyWidget):
    """A delegation by name; a new name creates the delegation (inside the import's transaction).
    The members' import reads sectors (界别) the same way (`stream`, `kind`)."""

    stream = Stream.SUGGESTION
    kind = "代表团"

    def __init__(self) -> None:
        super().__init__(Delegation, "name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Delegation | None:
        name = cell_text(value)
        if not name:
            return None
        if len(name) > 100:
            raise ValueError(f"{self.kind}名称不能超过 100 个字")
        delegation, _created = Delegation.objects.get_or_create(stream=self.stream, name=name)
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
        fields: tuple[str, ...] = ("name", "gender", "delegation", "work_unit", "phone", "email", "address")
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
        return Deputy.objects.filter(stream=Stream.SUGGESTION).select_related("delegation")

    def dehydrate_delegation(self, deputy: Deputy) -> str:
        return deputy.delegation.name if deputy.delegation else ""


def export_deputies(queryset: QuerySet[Deputy] | None = None) -> bytes:
    resource = DeputyResource()
    queryset = queryset if queryset is not None else resource.get_queryset()
    dataset = resource.export(queryset)
    return write_workbook([("代表", list(dataset.headers), list(map(list, dataset)))])


def deputies_template() -> bytes:
    """The empty template with a sheet explaining each column."""
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
