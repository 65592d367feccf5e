"""Reading the security audit log: the filters of its page and what its export holds
(the page itself: `deputies.views.audit_records`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import AuditRecord

# An export larger than this is refused: narrow the filters (a year of a busy site's logins).
EXPORT_LIMIT = 50_000

EXPORT_HEADERS = ("时间", "类型", "用户名", "姓名", "IP 地址", "方法", "页面", "详情")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_records(values: Mapping[str, Any]) -> QuerySet[AuditRecord]:
    """The records matching the page's cleaned filters, newest first. Dates are the site's
    local days; the end date is included."""
    records = AuditRecord.objects.select_related("user").order_by("-created_at", "-id")
    if who := values.get("who"):
        records = records.filter(Q(username__icontains=who) | Q(user__full_name__icontains=who))
    if kind := values.get("kind"):
        records = records.filter(kind=kind)
    if start := values.get("date_from"):
        records = records.filter(created_at__gte=_start_of(start))
    if end := values.get("date_to"):
        records = records.filter(created_at__lt=_start_of(end + dt.timedelta(days=1)))
    if text := values.get("text"):
        records = records.filter(Q(path__icontains=text) | Q(detail__icontains=text))
    return records


def export_rows(records: QuerySet[AuditRecord]) -> Iterator[list[str | None]]:
    for record in records.iterator(chunk_size=2000):
        yield [
            f"{timezone.localtime(record.created_at):%Y-%m-%d %H:%M:%S}",
            record.get_kind_display(),
            record.username,
            record.user.full_name if record.user else "",
            record.ip_address,
            record.method,
            record.path,
            record.detail,
        ]


def describe_filters(values: Mapping[str, Any]) -> str:
    """The filters of an export, for its own audit record."""
    parts = [f"{name}={value}" for name, value in values.items() if value not in (None, "")]
    return " ".join(parts) or _("no filter")
