"""Importing and exporting the undertaking units (承办单位): reference data, imported before the
suggestions that name them. A row updates the unit of the same name, or adds one.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.db.models import QuerySet
from import_export import fields, resources

from deputies.spreadsheet import write_workbook
from handling.models import Unit
from reports.excel.widgets import ChoiceWidget, TextWidget
from reports.excel.workbook import ImportFileError


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


def export_units(queryset: QuerySet[Unit] | None = None) -> bytes:
    resource = UnitResource()
    dataset = resource.export(queryset if queryset is not None else Unit.objects.order_by("order", "name"))
    return write_workbook([("承办单位", list(dataset.headers), list(map(list, dataset)))])


def units_template() -> bytes:
    """The empty template with a sheet explaining each column."""
    headers = [f.column_name for f in UnitResource().get_export_fields()]
    notes = [
        ["单位名称", "必填；已存在的单位按名称更新"],
        ["简称", "如：教育局"],
        ["单位类型", "政府部门、法院、检察院 或 其他，留空为政府部门"],
        ["联系电话", ""],
        ["地址", ""],
    ]
    return write_workbook([("承办单位", headers, []), ("填写说明", ["列", "说明"], notes)])
