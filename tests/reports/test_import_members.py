"""CPPCC members from their template (姓名, 界别, optional 手机, 工作单位及职务): the same dry
run, all rows or none, clear errors; a new sector is created with its first member, and a
member never updates a deputy of the same name."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deputies.models import Delegation, Deputy
from deputies.streams import Stream
from reports import excel
from reports.forms import likely_kind
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "界别", "手机", "工作单位及职务"]


def book(headers, *rows):
    return io.BytesIO(excel.write_workbook([("s", headers, [list(r) for r in rows])]))


def test_members_are_created_in_their_sectors_and_updated_by_name(staff):
    f.DeputyFactory(name="陈思远")  # a deputy of the same name stays a deputy
    outcome = excel.run_import(
        "members",
        book(HEADERS, ["陈思远", "经济界", "13900000001", "远大机械董事长"], ["周文静", "教育界", "", ""]),
        user=staff,
        dry_run=False,
    )
    assert outcome.ok and outcome.created == {"members": 2}
    member = Deputy.objects.get(name="陈思远", stream=Stream.PROPOSAL)
    assert (member.delegation.name, member.delegation.stream, member.phone) == (
        "经济界",
        Stream.PROPOSAL,
        "13900000001",
    )
    assert Deputy.objects.filter(name="陈思远", stream=Stream.SUGGESTION).exists()
    again = excel.run_import(
        "members", book(HEADERS, ["周文静", "教育界", "13900000002", ""]), user=staff, dry_run=False
    )
    assert again.ok and again.updated == 1
    assert Deputy.objects.get(name="周文静").phone == "13900000002"


def test_a_bad_row_names_its_reason_and_nothing_is_written(staff):
    outcome = excel.run_import(
        "members", book(HEADERS, ["陈思远", "经济界", "", ""], ["", "教育界", "", ""]), user=staff, dry_run=False
    )
    assert not outcome.ok and [bad.row for bad in outcome.bad_rows] == [3]
    assert not Deputy.objects.filter(stream=Stream.PROPOSAL).exists()
    assert not Delegation.objects.filter(stream=Stream.PROPOSAL).exists()


def test_a_workbook_without_the_sector_column_is_refused(staff):
    outcome = excel.run_import("members", book(["姓名", "手机"], ["陈思远", ""]), user=staff, dry_run=True)
    assert not outcome.ok and "界别" in " ".join(outcome.errors)


def test_the_members_template_is_recognised_beside_the_deputies(staff):
    assert likely_kind(HEADERS) == "members"
    assert likely_kind(["姓名", "性别", "代表团", "工作单位及职务", "手机", "电子邮箱", "通讯地址"]) == "deputies"


def test_import_members_command_dry_run_writes_nothing(proposals_staff, tmp_path, capsys):
    path = tmp_path / "委员.xlsx"
    path.write_bytes(book(HEADERS, ["陈思远", "经济界", "", ""]).getvalue())
    call_command("import_members", str(path), "--dry-run")
    assert not Deputy.objects.filter(stream=Stream.PROPOSAL).exists()
    call_command("import_members", str(path))
    assert Deputy.objects.filter(stream=Stream.PROPOSAL, name="陈思远").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book(HEADERS, ["", "经济界", "", ""]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_members", str(bad))


def test_the_members_export_imports_again_as_it_is(staff):
    excel.run_import(
        "members", book(HEADERS, ["陈思远", "经济界", "13900000001", "远大机械董事长"]), user=staff, dry_run=False
    )
    f.DeputyFactory(name="王建国")  # a deputy: not in the members' export
    exported = excel.export_members()
    again = excel.run_import("members", io.BytesIO(exported), user=staff, dry_run=False)
    assert again.ok and again.created == {"members": 0} and again.unchanged == 1
    assert Deputy.objects.filter(stream=Stream.PROPOSAL).count() == 1
