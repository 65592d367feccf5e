"""In-app notifications, e-mailed by a Celery task after the transaction commits, so that a
slow mail server never slows a page and a rolled-back step sends nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse

from deputies.models import User
from proposals.models import Notification


def users_with_roles(*roles: str) -> list[User]:
    return list(User.objects.filter(role__in=roles, is_active=True))


def notify(
    recipients: Iterable[User | None],
    kind: str,
    message: Any,
    *,
    proposal: Any = None,
    url: str = "",
) -> list[Notification]:
    """Write one notification per distinct recipient and queue the e-mails."""
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    if not unique:
        return []
    if not url and proposal is not None:
        url = reverse("proposals:detail", args=[proposal.pk])
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, proposal=proposal, message=str(message)[:500], url=url)
            for user in unique.values()
        ]
    )
    to_mail = [row.pk for row, user in zip(rows, unique.values(), strict=True) if user.email]
    if to_mail:
        from proposals.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(to_mail))
    return rows
