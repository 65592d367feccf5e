from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from deputies.retention import RetentionError, purge_expired_audit_records, retention_cutoff


class Command(BaseCommand):
    help = (
        "Delete the security audit records older than AUDIT_RETENTION_DAYS (the purge is itself recorded). "
        "Runs as the tables' owner only: `bin/as-owner purge_audit_records`, e.g. monthly from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        cutoff = retention_cutoff(now)
        try:
            deleted = purge_expired_audit_records(now=now)
        except RetentionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已清除 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 以前的安全审计记录 {deleted} 条"
            f"（保存期 {settings.AUDIT_RETENTION_DAYS} 天）。"
        )
