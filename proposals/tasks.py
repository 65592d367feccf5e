"""Thin tasks: load by id, then do the work."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from proposals.models import Notification

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
