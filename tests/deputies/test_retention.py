"""Security audit records expire after AUDIT_RETENTION_DAYS: the owner role purges them (the
purge is recorded), the application's role cannot, and the trail of suggestions never expires."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from deputies.models import AuditRecord
from deputies.retention import RetentionError, purge_expired_audit_records
from deputies.roles import DatabaseRole, roles_sql
from proposals.models import ProposalEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def record_at(moment: dt.datetime, username: str) -> AuditRecord:
    with time_machine.travel(moment, tick=False):
        return AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, username=username)


@pytest.fixture
def old_and_new() -> tuple[AuditRecord, AuditRecord]:
    return (
        record_at(NOW - dt.timedelta(days=200, minutes=1), "expired"),
        record_at(NOW - dt.timedelta(days=199), "kept"),
    )


@override_settings(AUDIT_RETENTION_DAYS=200)
def test_the_purge_deletes_only_records_past_the_retention_and_records_itself(old_and_new, draft):
    events = ProposalEvent.objects.count()
    with time_machine.travel(NOW, tick=False):
        assert purge_expired_audit_records() == 1
    assert list(AuditRecord.objects.values_list("username", flat=True).order_by("id")) == ["kept", ""]
    purge = AuditRecord.objects.get(kind=AuditRecord.Kind.AUDIT_PURGED)
    assert purge.detail == "2025-11-13 10:00 之前的 1 条记录（AUDIT_RETENTION_DAYS=200）"
    assert ProposalEvent.objects.count() == events


@override_settings(AUDIT_RETENTION_DAYS=200)
def test_the_command_says_how_many_it_purged(old_and_new, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("purge_audit_records")
    assert "已清除 2025-11-13 10:00 以前的安全审计记录 1 条（保存期 200 天）" in capsys.readouterr().out


# --- PostgreSQL: the owner only -------------------------------------------------------------------------


@pytest.fixture
def roles() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"test_owner_{suffix}", f"test_app_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute(
            roles_sql(owner=DatabaseRole(owner), app=DatabaseRole(app), database=connection.settings_dict["NAME"])
        )
    return owner, app


def set_role(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")


@pytest.mark.postgres
@override_settings(AUDIT_RETENTION_DAYS=200)
def test_the_app_role_cannot_purge_and_nothing_is_deleted(roles, old_and_new):
    _owner, app = roles
    set_role(app)
    with time_machine.travel(NOW, tick=False), pytest.raises(RetentionError, match="bin/as-owner"):
        purge_expired_audit_records()
    with pytest.raises(CommandError, match="所有者"):
        call_command("purge_audit_records")
    assert AuditRecord.objects.count() == 2


@pytest.mark.postgres
@override_settings(AUDIT_RETENTION_DAYS=200)
def test_the_owner_purges_past_the_trigger_which_is_back_on_afterwards(roles, old_and_new):
    owner, _app = roles
    set_role(owner)
    with time_machine.travel(NOW, tick=False):
        assert purge_expired_audit_records() == 1
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM deputies_auditrecord")
    assert AuditRecord.objects.filter(username="kept").exists()
