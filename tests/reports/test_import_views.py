"""The import pages: a template to download, an upload checked at once (what would be created,
every bad row), then applied once, as a whole."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from deputies.models import AuditRecord
from handling.models import Unit
from reports import excel
from reports.models import ImportBatch
from tests import files

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(rows, name="单位.xlsx"):
    data = excel.write_workbook([("s", ["单位名称", "简称", "单位类型"], rows)])
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_staff_download_each_template(client, staff):
    client.force_login(staff)
    for kind, first in (("units", "单位名称"), ("deputies", "姓名"), ("suggestions", "会议")):
        response = client.get(reverse("reports:import_template", args=[kind]))
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        assert load_workbook(io.BytesIO(response.getvalue())).active["A1"].value == first
    assert client.get(reverse("reports:import_template", args=["cats"])).status_code == 404


def test_an_upload_is_checked_then_applied_once(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("reports:import"), {"kind": "units", "file": upload([["区教育局", "教育局", "政府部门"]])}
    )
    batch = ImportBatch.objects.get()
    assert response.url == reverse("reports:import_batch", args=[batch.pk])
    assert batch.status == ImportBatch.Status.CHECKED and not Unit.objects.exists()
    page = client.get(response.url).content.decode()
    assert "将要导入的内容" in page and "确认导入全部数据" in page
    client.post(reverse("reports:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and Unit.objects.count() == 1
    again = client.post(reverse("reports:import_apply", args=[batch.pk]), follow=True)
    assert "只能导入一次" in again.content.decode() and Unit.objects.count() == 1


def test_bad_rows_are_listed_and_cannot_be_applied(client, staff):
    client.force_login(staff)
    client.post(
        reverse("reports:import"), {"kind": "units", "file": upload([["区教育局", "", ""], ["区农业局", "", "部委"]])}
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    page = client.get(reverse("reports:import_batch", args=[batch.pk])).content.decode()
    assert "第 3 行" in page and "“部委”不是可选值" in page and "确认导入全部数据" not in page
    client.post(reverse("reports:import_apply", args=[batch.pk]))
    assert not Unit.objects.exists()


def test_a_file_that_is_not_xlsx_keeps_the_form(client, staff):
    client.force_login(staff)
    bad = SimpleUploadedFile("单位.xlsx", b"%PDF-1.4 nope", content_type=XLSX)
    response = client.post(reverse("reports:import"), {"kind": "units", "file": bad})
    assert response.status_code == 400 and "“单位.xlsx”不是 Excel 工作簿（.xlsx）" in response.content.decode()
    assert not ImportBatch.objects.exists()
    wrong_name = client.post(reverse("reports:import"), {"kind": "deputies", "file": SimpleUploadedFile("a.xls", b"x")})
    assert "请上传 .xlsx 文件" in wrong_name.content.decode()
    assert 'value="deputies" selected' in wrong_name.content.decode()


@pytest.mark.parametrize("who", ["leader", "unit_handler", "deputy"])
def test_only_staff_import(client, request, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client.force_login(user)
    assert client.get(reverse("reports:import")).status_code == 404
    assert (
        client.post(reverse("reports:import"), {"kind": "units", "file": upload([["区教育局", "", ""]])}).status_code
        == 404
    )
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=user).exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (files.docx(), "内容却是 Word 文档"),
        (files.plain_zip({"xl/workbook.xml": b"<workbook/>", "xl/run.exe": b"MZ"}), "内含可执行程序（xl/run.exe）"),
        (files.nested_zip_bomb(), "压缩比超过 100 比 1"),
        (files.lying_zip(), "被篡改"),
    ],
)
def test_the_workbook_is_checked_as_an_office_package_before_it_is_read(client, staff, content, reason):
    client.force_login(staff)
    upload = SimpleUploadedFile("单位.xlsx", content, content_type=XLSX)
    response = client.post(reverse("reports:import"), {"kind": "deputies", "file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "“单位.xlsx”" in page and reason in page
    assert 'value="deputies" selected' in page
    assert not ImportBatch.objects.exists()


def test_the_kind_must_be_chosen_every_time(client, staff):
    client.force_login(staff)
    page = client.get(reverse("reports:import")).content.decode()
    assert 'value="" selected' in page or '<option value="">' in page
    response = client.post(reverse("reports:import"), {"file": upload([["区教育局", "", ""]])})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_workbook_whose_columns_fit_another_kind_names_that_kind(client, staff):
    client.force_login(staff)
    response = client.post(reverse("reports:import"), {"kind": "suggestions", "file": upload([["区教育局", "", ""]])})
    page = response.content.decode()
    assert response.status_code == 400 and "这个表格的列像是『承办单位』导入模板" in page
    assert not ImportBatch.objects.exists()


def test_each_bodys_staff_import_their_own_people_and_items_and_units(client, staff, proposals_staff):
    client.force_login(proposals_staff)
    offered = client.get(reverse("reports:import")).context["form"].fields["kind"].choices
    assert [value for value, _label in offered] == ["", "units", "members", "proposals"]
    people = excel.write_workbook([("s", ["姓名", "性别", "代表团"], [["钱新代表", "女", "第一代表团"]])])
    refused = client.post(
        reverse("reports:import"), {"kind": "deputies", "file": SimpleUploadedFile("代表.xlsx", people, XLSX)}
    )
    assert refused.status_code == 400 and "kind" in refused.context["form"].errors
    assert not ImportBatch.objects.exists()
    client.force_login(staff)
    offered = client.get(reverse("reports:import")).context["form"].fields["kind"].choices
    assert [value for value, _label in offered] == ["", "units", "deputies", "suggestions"]


def test_each_bodys_staff_export_their_own_people_in_their_import_template(
    client, staff, proposals_staff, deputy, member
):
    refused = AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED)
    for user, mine, theirs, person, other, group in (
        (staff, "deputies", "members", deputy, member, "代表团"),
        (proposals_staff, "members", "deputies", member, deputy, "界别"),
    ):
        client.force_login(user)
        answer = client.get(reverse("reports:export_reference", args=[mine]))
        sheet = load_workbook(io.BytesIO(answer.content)).active
        headers = [cell.value for cell in sheet[1]]
        assert headers[0] == "姓名" and group in headers
        names = [row[0].value for row in sheet.iter_rows(min_row=2)]
        assert person.name in names and other.name not in names
        before = refused.count()
        assert client.get(reverse("reports:export_reference", args=[theirs])).status_code == 404
        assert refused.count() == before + 1
        links = client.get(reverse("reports:import")).content.decode()
        assert reverse("reports:export_reference", args=[mine]) in links
        assert reverse("reports:export_reference", args=[theirs]) not in links
