"""The Excel export of any filtered list: the list page's filters (`filter_proposals`), a
figure's list, only what the user may see, in the import template's columns."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from deputies.models import AuditRecord
from reports import excel
from tests.reports.crafted import YEAR

pytestmark = pytest.mark.django_db


def rows(response):
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = list(sheet.iter_rows(values_only=True))
    return values[0], [dict(zip(values[0], r, strict=True)) for r in values[1:]]


def test_the_export_has_the_import_templates_columns(client, year):
    client.force_login(year.staff)
    response = client.get(reverse("reports:export_proposals"), {"year": YEAR})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    headers, data = rows(response)
    assert list(headers) == excel.SUGGESTION_HEADERS
    assert len(data) == 23  # every suggestion but the draft
    c11 = next(r for r in data if r["标题"] == "关于c11事项的建议")
    assert (c11["办理结果"], c11["结果评价"], c11["重新办理结果"], c11["重新办理结果评价"]) == (
        "因条件限制暂时难以解决",
        "不满意",
        "列入当年计划解决",
        "基本满意",
    )
    c13 = next(r for r in data if r["标题"] == "关于c13事项的建议")
    assert c13["分办单位"] == "区教育局、区交通运输局"
    assert c13["办理结果"] == "区教育局：已经解决或基本解决；区交通运输局：因条件限制暂时难以解决"
    c1 = next(r for r in data if r["标题"] == "关于c1事项的建议")
    assert (c1["协办单位"], c1["是否重点督办"], c1["督办主题"], c1["领办领导"]) == (
        "区财政局",
        "是",
        "义务教育优质均衡发展",
        "刘领导",
    )


def test_the_list_filters_apply(client, year):
    client.force_login(year.staff)
    _h, data = rows(client.get(reverse("reports:export_proposals"), {"category": year.categories["W"].pk}))
    assert sorted(r["标题"] for r in data) == ["关于c14事项的建议", "关于reg1事项的建议"]
    _h, data = rows(client.get(reverse("reports:export_proposals"), {"year": YEAR, "figure": "rehandling"}))
    assert [r["标题"] for r in data] == ["关于reh1事项的建议"]


def test_a_unit_exports_only_its_own_suggestions(client, year):
    client.force_login(year.handlers["U3"])
    _h, data = rows(client.get(reverse("reports:export_proposals")))
    assert sorted(r["标题"] for r in data) == ["关于c11事项的建议", "关于c12事项的建议"]


def test_a_deputy_cannot_export(client, year):
    deputy = year.p("c1").lead_deputy.user
    client.force_login(deputy)
    assert client.get(reverse("reports:export_proposals")).status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=deputy).exists()


def test_an_unknown_figure_is_not_exported(client, year):
    client.force_login(year.staff)
    assert client.get(reverse("reports:export_proposals"), {"figure": "nope", "year": YEAR}).status_code == 404


def test_the_file_is_named_for_the_items_it_holds(client, staff, proposals_staff, supervision):
    from urllib.parse import unquote

    for who, name in ((staff, "建议导出"), (proposals_staff, "提案导出"), (supervision, "建议提案导出")):
        client.force_login(who)
        response = client.get(reverse("reports:export_proposals"))
        assert name in unquote(response["Content-Disposition"]), who.role
