"""The security baseline (等保 2.0 level 3): lockout, login auditing, idle timeout, refused
access audited, and audit records that can only be appended (the password rules are in
test_passwords.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deputies.appendonly import AppendOnlyError
from deputies.models import AuditRecord
from proposals.models import ProposalEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_successful_login_is_audited(client, staff):
    response = login(client, "staff", PASSWORD)
    assert response.status_code == 302
    record = AuditRecord.objects.get(kind=AuditRecord.Kind.LOGIN)
    assert (record.user, record.ip_address) == (staff, "127.0.0.1")


def test_a_failed_login_is_audited_and_the_form_explains_in_chinese(client, staff):
    response = login(client, "staff", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOGIN_FAILED, username="staff").count() == 1


def test_five_failures_lock_the_account_for_thirty_minutes(client, staff):
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            login(client, "staff", "wrong-password")
        # Even the right password is refused now, from any address.
        other = Client(REMOTE_ADDR="10.0.0.99")
        response = login(other, "staff", PASSWORD)
        assert response.status_code == 429
        assert "账号已锁定 30 分钟" in response.content.decode()  # in minutes, not "PT30M"
        assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOCKED_OUT, username="staff").exists()
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert login(Client(), "staff", PASSWORD).status_code == 429
    with time_machine.travel(T0 + dt.timedelta(minutes=31), tick=False):
        assert login(Client(), "staff", PASSWORD).status_code == 302


def test_four_failures_do_not_lock(client, staff):
    for _ in range(4):
        login(client, "staff", "wrong-password")
    assert login(client, "staff", PASSWORD).status_code == 302


def test_an_idle_session_ends_after_thirty_minutes(client, staff):
    with time_machine.travel(T0, tick=False):
        login(client, "staff", PASSWORD)
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=25), tick=False):
        assert client.get(reverse("home")).status_code == 200  # activity renews the session
    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        assert client.get(reverse("home")).status_code == 200  # 25 minutes after the last request
    with time_machine.travel(T0 + dt.timedelta(minutes=81), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def session_writes(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for q in captured.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"])


def test_a_plain_get_within_the_minute_does_not_write_the_session(client, staff):
    with time_machine.travel(T0, tick=False):
        login(client, "staff", PASSWORD)
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False):
        assert session_writes(client, reverse("home")) == 0
    with time_machine.travel(T0 + dt.timedelta(seconds=59), tick=False):
        assert session_writes(client, reverse("home")) == 0
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        assert session_writes(client, reverse("home")) == 1  # a minute on: the idle timeout is pushed back
    with time_machine.travel(T0 + dt.timedelta(seconds=90), tick=False):
        assert session_writes(client, reverse("home")) == 0


def test_the_idle_timeout_counts_from_the_last_refresh_and_never_runs_late(client, staff):
    with time_machine.travel(T0, tick=False):
        login(client, "staff", PASSWORD)
    with time_machine.travel(T0 + dt.timedelta(seconds=50), tick=False):
        assert client.get(reverse("home")).status_code == 200  # not saved: within the minute
    with time_machine.travel(T0 + dt.timedelta(minutes=30, seconds=1), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_refused_request_is_audited(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(reverse("logout"))  # no CSRF token: Django refuses with 403
    assert response.status_code == 403
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=staff).exists()


@pytest.mark.parametrize("model", [AuditRecord, ProposalEvent])
def test_audit_records_cannot_be_changed_or_deleted_through_the_app(model, draft, staff):
    if model is AuditRecord:
        record = AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, user=staff, username="staff")
    else:
        record = draft.events.get()
    record.note = "篡改"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=record.pk).update(created_at=T0)
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=record.pk).delete()
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("url_name", ["admin:deputies_auditrecord", "admin:proposals_proposalevent"])
def test_the_admin_shows_audit_records_but_offers_no_change_or_delete(client, admin_user, draft, url_name):
    AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, user=admin_user, username="admin")
    client.force_login(admin_user)
    assert client.get(reverse(f"{url_name}_changelist")).status_code == 200
    model = AuditRecord if "auditrecord" in url_name else ProposalEvent
    record = model.objects.first()
    assert client.get(reverse(f"{url_name}_add")).status_code == 403
    assert client.post(reverse(f"{url_name}_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    page = client.get(reverse(f"{url_name}_change", args=[record.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["deputies_auditrecord", "proposals_proposalevent"])
def test_postgresql_refuses_update_and_delete_even_to_raw_sql(table, draft, staff):
    AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, user=staff, username="staff")
    for statement in (f"UPDATE {table} SET created_at = now()", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
