"""Notifications: the one delivery path of every app.

A step writes its notices in its own transaction (`notify`, or `deliver` for rows written in
bulk, as the daily scan does). After commit, each notice is e-mailed to a recipient with an
address and, when the step asks for it (reminders and urging notices), texted to one with a
mobile number, by Celery tasks (proposals/tasks.py): a slow mail server never slows a page,
and a rolled-back step sends nothing.

A notice about a suggestion may name the audiences allowed to read it (`seen_by`, see
proposals/events.py): a recipient outside them is left out, so the handlers' working papers
never reach a deputy's mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from deputies.models import Role, User
from proposals.models import Notification, Proposal
from proposals.rules import in_audience
from proposals.sms import phone_of
from proposals.tasks import send_notification_emails, send_text_messages

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)

# Tasks take the ids in chunks, so one task never carries a whole morning's reminders.
CHUNK = 500


def users_with_roles(*roles: str) -> list[User]:
    return list(User.objects.filter(role__in=roles, is_active=True))


def link(user: User, proposal: Proposal | None) -> str:
    """Where a notice about `proposal` takes `user` (in the app and in the e-mail): a deputy to
    their own phone page of it, everyone else to the suggestion's page."""
    if proposal is None:
        return ""
    name = "proposals:mine_detail" if user.role == Role.DEPUTY else "proposals:detail"
    return reverse(name, args=[proposal.pk])


def notify(
    recipients: Iterable[User | None],
    kind: str,
    message: StrOrPromise,
    *,
    proposal: Proposal | None = None,
    url: str = "",
    seen_by: frozenset[str] | None = None,
    text: bool = False,
) -> list[Notification]:
    """Write one notification per distinct active recipient, and deliver it after commit (by
    mail, and by text message when `text`). With `seen_by`, only those audiences of `proposal`."""
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    if seen_by is not None and proposal is not None:
        outside = [pk for pk, user in unique.items() if not in_audience(user, proposal, seen_by)]
        for pk in outside:
            log.warning("notice %s about suggestion %s not sent to user %s: not in %s", kind, proposal.pk, pk, seen_by)
            del unique[pk]
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
    deliver([(row.pk, user) for row, user in zip(rows, unique.values(), strict=True)], text=text)
    return rows


def deliver(notifications: Iterable[tuple[int, User]], *, text: bool = False) -> None:
    """After commit, mail each notification (id, recipient) to a recipient with an address and,
    with `text`, text it to one with a mobile number (when a sender is configured)."""
    pairs = list(notifications)
    to_mail = [pk for pk, user in pairs if user.email]
    to_text = [pk for pk, user in pairs if phone_of(user)] if text and settings.SMS_SENDER else []
    for ids, task in ((to_mail, send_notification_emails), (to_text, send_text_messages)):
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            transaction.on_commit(partial(task.delay, chunk))
