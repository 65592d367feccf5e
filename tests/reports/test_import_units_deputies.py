"""Units and deputies from their templates: new rows are created, known ones updated by name,
bad rows named; a new delegation is created with its first deputy."""

from __future__ import annotations

import io

import pytest

from deputies.models import Delegation, Deputy
from handling.models import Unit
from reports import excel
from tests import factories as f

pytestmark = pytest.mark.django_db


def book(headers, *rows):
    return io.BytesIO(excel.write_workbook([("s", headers, [list(r) for r in rows])]))


UNIT_HEADERS = ["单位名称", "简称", "单位类型", "联系电话", "地址"]
DEPUTY_HEADERS = ["姓名", "性别", "代表团", "工作单位及职务", "手机", "电子邮箱", "通讯地址"]


def test_units_are_created_and_updated_by_name(staff):
    f.UnitFactory(name="区教育局", phone="1")
    outcome = excel.run_import(
        "units",
        book(
            UNIT_HEADERS,
            ["区教育局", "教育局", "政府部门", "0571-1", ""],
            ["区人民法院", "法院", "法院", "", "法院路1号"],
        ),
        user=staff,
        dry_run=False,
    )
    assert outcome.ok and (outcome.created, outcome.updated) == ({"units": 1}, 1)
    assert Unit.objects.get(name="区教育局").phone == "0571-1"
    assert Unit.objects.get(name="区人民法院").kind == Unit.Kind.COURT


def test_a_bad_unit_row_stops_the_whole_file(staff):
    outcome = excel.run_import(
        "units",
        book(
            UNIT_HEADERS,
            ["区教育局", "", "", "", ""],
            ["区农业局", "", "部委", "", ""],
            ["", "", "", "", ""],
            ["长" * 101, "", "", "", ""],
        ),
        user=staff,
        dry_run=False,
    )
    assert [b.row for b in outcome.bad_rows] == [3, 5]
    assert "单位类型：“部委”不是可选值" in outcome.bad_rows[0].problems[0]
    assert "不能超过 100 个字" in outcome.bad_rows[1].problems[0]
    assert not Unit.objects.exists()


def test_deputies_come_with_their_delegation(staff):
    outcome = excel.run_import(
        "deputies",
        book(
            DEPUTY_HEADERS,
            ["王建国", "男", "城关代表团", "某公司", "13900000000", "w@example.cn", ""],
            ["李红梅", "女", "城关代表团", "", "", "", ""],
        ),
        user=staff,
        dry_run=False,
    )
    assert outcome.ok and outcome.created == {"deputies": 2}
    assert Delegation.objects.get().name == "城关代表团"
    assert Deputy.objects.get(name="王建国").gender == "m"


def test_a_bad_deputy_row_is_named_and_the_dry_run_keeps_nothing(staff):
    outcome = excel.run_import(
        "deputies",
        book(
            DEPUTY_HEADERS,
            ["王建国", "男", "新代表团", "", "", "not-an-email", ""],
            ["", "女", "新代表团", "", "", "", ""],
        ),
        user=staff,
        dry_run=True,
    )
    assert [b.row for b in outcome.bad_rows] == [2, 3]
    assert any("电子邮箱" in p for p in outcome.bad_rows[0].problems)
    assert not Deputy.objects.exists() and not Delegation.objects.exists()


def test_units_and_deputies_export_in_their_template_columns(staff):
    from openpyxl import load_workbook

    f.UnitFactory(name="区教育局")
    f.DeputyFactory(name="王建国")
    units = load_workbook(io.BytesIO(excel.export_units())).active
    deputies = load_workbook(io.BytesIO(excel.export_deputies())).active
    assert [c.value for c in units[1]] == UNIT_HEADERS and units["A2"].value == "区教育局"
    assert [c.value for c in deputies[1]] == DEPUTY_HEADERS and deputies["A2"].value == "王建国"
