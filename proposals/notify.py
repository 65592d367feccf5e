"""In-app notifications, e-mailed by a Celery task after the transaction commits, so that a
slow mail server never slows a page and a rolled-back step sends nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse

from deputies.models import Role, User
from proposals.models import Notification


def users_with_roles(*roles: str) -> list[User]:
    return list(User.objects.filter(role__in=roles, is_active=True))


def link(user: User, proposal: Any) -> str:
    """Where a notice about `proposal` takes `user` (in the app and in the e-mail): a deputy to
    their own phone page of it, everyone else to the suggestion's page."""
    if proposal is None:
        return ""
    name = "proposals:mine_detail" if user.role == Role.DEPUTY else "proposals:detail"
    return reverse(name, args=[proposal.pk])


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
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                proposal=proposal,
                message=str(message)[:500],
                url=url or link(user, proposal),
            )
            for user in unique.values()
        ]
    )
    to_mail = [row.pk for row, user in zip(rows, unique.values(), strict=True) if user.email]
    if to_mail:
        from proposals.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(to_mail))
    return rows
