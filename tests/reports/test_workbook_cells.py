"""A workbook is parsed once per import: applying takes the cells the upload's check read, a file
changed in between is read afresh and checked again, and without a cache the file is simply
read again."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache

from handling.models import Unit
from reports import excel
from reports.excel import workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def units_file(rows):
    return excel.write_workbook([("s", ["单位名称", "简称", "单位类型"], rows)])


def run(data, *, dry_run, user):
    return excel.run_import("units", io.BytesIO(data), user=user, dry_run=dry_run)


def test_applying_after_the_check_does_not_parse_the_file_again(staff, monkeypatch):
    data = units_file([["区教育局", "教育局", "政府部门"], ["区财政局", "", "政府部门"]])
    assert run(data, dry_run=True, user=staff).ok and not Unit.objects.exists()

    def no_parsing(*args, **kwargs):
        raise AssertionError("the workbook was parsed again")

    monkeypatch.setattr(workbook, "load_workbook", no_parsing)
    outcome = run(data, dry_run=False, user=staff)
    assert outcome.ok and outcome.created == {"units": 2}
    assert set(Unit.objects.values_list("name", flat=True)) == {"区教育局", "区财政局"}


def test_a_file_changed_after_the_check_is_read_and_checked_again(staff):
    checked = units_file([["区教育局", "", "政府部门"]])
    assert run(checked, dry_run=True, user=staff).ok
    changed = units_file([["区教育局", "", "部委"]])
    outcome = run(changed, dry_run=False, user=staff)
    assert not outcome.ok and [b.row for b in outcome.bad_rows] == [2]
    assert "“部委”不是可选值" in outcome.bad_rows[0].problems[0]
    assert not Unit.objects.exists()


def test_rows_checked_good_are_checked_again_when_applied(staff):
    data = units_file([["区教育局", "教育局", "政府部门"]])
    assert run(data, dry_run=True, user=staff).ok
    assert run(data, dry_run=False, user=staff).ok
    # The same cells once more: the unit exists now, so it is an update, not a second unit.
    again = run(data, dry_run=False, user=staff)
    assert again.ok and again.created == {"units": 0} and Unit.objects.count() == 1


def test_without_a_cache_the_file_is_read_again(staff, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    data = units_file([["区教育局", "", "政府部门"]])
    assert run(data, dry_run=True, user=staff).ok
    assert run(data, dry_run=False, user=staff).ok and Unit.objects.count() == 1


def test_the_cells_read_are_those_of_the_file(staff):
    data = units_file([["区教育局", "", "政府部门"], [None, None, None], ["=1+1", "", "政府部门"]])
    first = workbook.read_workbook(io.BytesIO(data))
    kept = workbook.read_workbook(io.BytesIO(data))
    assert first.headers == kept.headers == ["单位名称", "简称", "单位类型", "_row"]
    assert list(first) == list(kept) == [("区教育局", None, "政府部门", 2), ("=1+1", None, "政府部门", 4)]
