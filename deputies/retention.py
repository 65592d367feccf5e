"""Security audit records are kept `AUDIT_RETENTION_DAYS` days (three years unless set, never
less than 180), then purged by the database's owner role: `bin/as-owner purge_audit_records`,
monthly from cron.

Only the security audit log (`AuditRecord`) expires. The suggestions' trail (`ProposalEvent`)
is the record of the handling itself and stays as long as its suggestion.

The append-only trigger refuses every DELETE, so the purge disables it for its own transaction.
Only the table's owner may alter a table, which is what keeps the application's role from doing
the same. `ALTER TABLE` locks the table until the commit: no other session writes or changes a
record while the trigger is off, and logins wait a moment for the purge to finish.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.appendonly import trigger_name
from deputies.audit import record_security_event
from deputies.models import AuditRecord


class RetentionError(Exception):
    pass


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Records created before this moment are past the retention period."""
    return (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def may_purge() -> bool:
    """Whether this connection may lift the trigger: the table's owner (or a superuser)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%s)",
            [AuditRecord._meta.db_table],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def purge_expired_audit_records(*, now: dt.datetime | None = None) -> int:
    """Delete the security audit records older than the retention period; the purge itself is
    recorded. Returns how many were deleted."""
    cutoff = retention_cutoff(now)
    if not may_purge():
        raise RetentionError(
            "只有数据表的所有者角色才能清除过期审计记录：请用 bin/as-owner purge_audit_records 运行（见 README）。"
        )
    quote = connection.ops.quote_name
    table = quote(AuditRecord._meta.db_table)
    trigger = quote(trigger_name(AuditRecord._meta.db_table))
    with transaction.atomic(), connection.cursor() as cursor:
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            # ALTER TABLE refuses a table with deferred foreign-key checks still pending (records
            # written earlier in an enclosing transaction): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(
            f"DELETE FROM {table} WHERE {quote('created_at')} < %s",
            [connection.ops.adapt_datetimefield_value(cutoff)],
        )
        deleted = cursor.rowcount
        if postgresql:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        record_security_event(
            kind=AuditRecord.Kind.AUDIT_PURGED,
            detail=_("%(n)s records before %(when)s (AUDIT_RETENTION_DAYS=%(days)s)")
            % {
                "n": deleted,
                "when": f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M}",
                "days": settings.AUDIT_RETENTION_DAYS,
            },
        )
    return deleted
