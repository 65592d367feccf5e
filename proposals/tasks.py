"""Thin tasks: load by id, then do the work. The delivery of notifications (proposals/notify.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from proposals import sms
from proposals.models import Notification, SmsLog

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_notification_emails(notification_ids: list[int]) -> int:
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    for notification in pending:
        recipient = notification.recipient
        if not recipient.email:
            continue
        link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else settings.SITE_URL
        send_mail(
            subject=f"【建议办理】{notification.get_kind_display()}",
            message=f"{recipient.display_name}：\n\n{notification.message}\n\n{link}\n",
            from_email=None,
            recipient_list=[recipient.email],
        )
        # Mark each one as sent as soon as it is, so that a retry after a failure half-way
        # does not mail the first ones twice.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


# Any failure of the provider is retried (with backoff): what was sent is logged and skipped.
@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def send_text_messages(notification_ids: list[int]) -> int:
    """Text each notification's recipient, at most once per notification.

    The log row is written in the transaction around the sending: if the provider raises,
    the row is rolled back and the retry sends it; one that was sent stays logged and is
    skipped by a retry (the unique notification column).
    """
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
