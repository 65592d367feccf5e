"""Notifications: the one delivery path of every app.

A step writes its notices in its own transaction (`notify`, or `deliver` for rows written in
bulk, as the daily scan does), and in the same transaction queues their messages in the outbox:
an e-mail to each recipient with an address and, when the step asks for it (reminders and
urging notices), a text message to each one with a mobile number. After commit the drain is
woken to send them at once; the outbox (proposals/outbox.py) says how they leave, once each,
whether Redis is up or not. A slow mail server never slows a page, and a rolled-back step
sends nothing.

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

from deputies.access import SUBMITTER_ROLES
from deputies.broker import send_quietly
from deputies.models import Role, User
from deputies.sms import phone_of
from deputies.streams import Stream
from proposals import outbox
from proposals.models import Notification, OutboxMessage, Proposal
from proposals.rules import in_audience
from proposals.tasks import drain_outbox

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)

# The drain is woken with the ids in chunks, so one task never carries a whole morning's reminders.
CHUNK = 500


def users_with_roles(*roles: str) -> list[User]:
    return list(User.objects.filter(role__in=roles, is_active=True))


def office_staff(proposal: Proposal, *also: str) -> list[User]:
    """The staff of the body that sets up `proposal` (the congress's for a suggestion, the
    proposals committee's for a proposal), and the users of the roles `also`."""
    setup = Role.PROPOSALS_STAFF if proposal.stream == Stream.PROPOSAL else Role.STAFF
    return users_with_roles(setup, *also)


def link(user: User, proposal: Proposal | None) -> str:
    """Where a notice about `proposal` takes `user` (in the app and in the e-mail): a deputy to
    their own phone page of it, everyone else to the suggestion's page."""
    if proposal is None:
        return ""
    name = "proposals:mine_detail" if user.role in SUBMITTER_ROLES else "proposals:detail"
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
    """Queue the messages of each notification (id, recipient) in the caller's transaction: an
    e-mail to a recipient with an address and, with `text`, a text message to one with a
    mobile number (when a sender is configured); after commit, wake the drain for them."""
    pairs = list(notifications)
    to_mail = [pk for pk, user in pairs if user.email]
    to_text = [pk for pk, user in pairs if phone_of(user)] if text and settings.SMS_SENDER else []
    queued = outbox.queue(OutboxMessage.Channel.MAIL, to_mail) + outbox.queue(OutboxMessage.Channel.SMS, to_text)
    if queued:
        transaction.on_commit(partial(send_now, queued))


def send_now(message_ids: list[int]) -> None:
    """Ask for these outbox messages to be sent at once (with eager tasks, send them here). When
    Redis is down, give up quietly: beat's drain sends them once it is back."""
    for start in range(0, len(message_ids), CHUNK):
        if not send_quietly(drain_outbox, message_ids[start : start + CHUNK]):
            return
