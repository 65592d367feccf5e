"""Thin tasks: the daily scan (run by beat), and text messages after commit."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction

from proposals import sms
from proposals.models import Notification

log = logging.getLogger(__name__)

# The name of the beat row (see config/celery.py and the supervision data migration).
DAILY_SCAN_TASK = "supervision.tasks.daily_scan"


@shared_task(name=DAILY_SCAN_TASK)
def daily_scan(today: str | None = None) -> dict[str, int]:
    """The daily reminder scan. `today` (ISO date) is for catching up a given day by hand."""
    from supervision.reminders import run_daily_scan

    return run_daily_scan(dt.date.fromisoformat(today) if today else None)


# Any failure of the provider is retried (with backoff): what was sent is logged and skipped.
@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def send_text_messages(notification_ids: list[int]) -> int:
    """Text each notification's recipient, at most once per notification.

    The log row is written in the transaction around the sending: if the provider raises,
    the row is rolled back and the retry sends it; one that was sent stays logged and is
    skipped by a retry (the unique notification column).
    """
    from supervision.models import SmsLog

    sender = sms.get_sender()
    if sender is None:
        return 0
    sent = 0
    pending = (
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(pk__in=SmsLog.objects.filter(notification_id__in=notification_ids).values("notification_id"))
        .select_related("recipient__deputy")
    )
    for notification in pending:
        phone = sms.phone_of(notification.recipient)
        if not phone:
            continue
        text = sms.message_text(notification.message)
        with transaction.atomic():
            _log, created = SmsLog.objects.get_or_create(
                notification=notification, defaults={"phone": phone, "text": text}
            )
            if not created:
                continue
            sender.send(phone, text)
        sent += 1
    return sent
