"""The outbox: how e-mails and text messages leave.

1. A step writes its notifications and, in the same transaction, one `OutboxMessage` per
   message to send (`queue`, called by proposals/notify.py): one INSERT whatever their number,
   since the daily scan queues tens of thousands at once. The step's data, its notices and its
   messages commit together or not at all.
2. After commit the step wakes the drain for its own messages (proposals.tasks.drain_outbox,
   queued with deputies.broker.send_quietly). With Redis down that only logs a warning: the
   page has already answered success, and the messages wait in the table.
3. `drain` sends what is due. Beat runs it every minute over every due message (the schedule
   is in config/celery.py), so whatever was queued while Redis was down, or failed, leaves on
   the next run after it comes back. It takes one message at a time in its own transaction:
   the row is locked (FOR UPDATE SKIP LOCKED on PostgreSQL: concurrent drains never take the
   same message, nor wait for each other; SQLite lets one writer in at a time), sent, and
   marked sent before the commit releases it. A failed send counts an attempt and waits
   OUTBOX_RETRY_SECONDS, twice as long after each further failure; after OUTBOX_MAX_ATTEMPTS it
   is given up (failed), which the admin lists and can send again.

So each message goes out once. The one gap no outbox closes: a crash after the mail server
accepted a message and before the commit sends it again at the next drain (twice rather than
never).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from types import TracebackType

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies import sms
from proposals.models import Notification, OutboxMessage

log = logging.getLogger(__name__)
Channel = OutboxMessage.Channel
Status = OutboxMessage.Status

# However many failures, the next attempt is never more than this far off.
LONGEST_WAIT = dt.timedelta(hours=6)


def queue(channel: str, notification_ids: Sequence[int]) -> list[int]:
    """Queue a message on `channel` for each notification, in the caller's transaction; returns
    the new messages' ids. A notification already queued on that channel is skipped."""
    if not notification_ids:
        return []
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    columns = "notification_id, channel, status, attempts, next_attempt_at, last_error, address, body, created_at"
    # The ids as one text parameter (psycopg adapts a list of 100,000 ints one by one, in seconds).
    listed = ",".join(str(int(pk)) for pk in notification_ids)
    if connection.vendor == "postgresql":
        source = "SELECT n, %s, %s, 0, %s, '', '', '', %s FROM unnest(%s::text::bigint[]) AS n"
        ids = "{" + listed + "}"
    else:
        # SQLite: a JSON array; "WHERE true" tells ON CONFLICT from a join.
        source = "SELECT value, %s, %s, 0, %s, '', '', '', %s FROM json_each(%s) WHERE true"
        ids = "[" + listed + "]"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) {source} ON CONFLICT DO NOTHING RETURNING id",
            [channel, Status.PENDING, now, now, ids],
        )
        return [int(pk) for (pk,) in cursor.fetchall()]


@dataclass
class Drained:
    """What one drain did: messages sent, sends that failed (to be tried again, or given up),
    messages dropped because there was nothing to send them to."""

    sent: int = 0
    failed: int = 0
    cancelled: int = 0


class Postman:
    """The ways out, opened once per drain: one connection to the mail server for every mail,
    and the configured text-message sender."""

    def __init__(self) -> None:
        self._mail: BaseEmailBackend | None = None
        self.sms = sms.get_sender()

    def mail(self, address: str, subject: str, body: str) -> None:
        if self._mail is None:
            self._mail = get_connection()
            self._mail.open()
        try:
            EmailMessage(subject, body, to=[address], connection=self._mail).send()
        except Exception:
            self.close()  # the connection may be broken: the next mail opens a new one
            raise

    def text(self, phone: str, body: str) -> None:
        assert self.sms is not None
        self.sms.send(phone, body)

    def close(self) -> None:
        if self._mail is not None:
            try:
                self._mail.close()
            except Exception:  # a broken connection may fail to close too; it is dropped anyway
                log.debug("mail connection did not close cleanly", exc_info=True)
            self._mail = None

    def __enter__(self) -> Postman:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def drain(*, ids: Collection[int] | None = None, seconds: float | None = None) -> Drained:
    """Send the due messages (only those of `ids` when given), one transaction each, for at most
    `seconds` (OUTBOX_DRAIN_SECONDS): what is left waits for the next drain."""
    deadline = time.monotonic() + (settings.OUTBOX_DRAIN_SECONDS if seconds is None else seconds)
    outcome = Drained()
    with Postman() as postman:
        while time.monotonic() < deadline:
            with transaction.atomic():
                message = _claim(ids)
                if message is None:
                    break
                _send(message, postman, outcome)
    if outcome.sent or outcome.failed or outcome.cancelled:
        log.info("outbox: %s sent, %s failed, %s not sendable", outcome.sent, outcome.failed, outcome.cancelled)
    return outcome


def _claim(ids: Collection[int] | None) -> OutboxMessage | None:
    """The next due message, locked until the transaction ends; one another drain holds is skipped."""
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    return (
        due.select_related("notification__recipient__deputy")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_attempt_at", "id")
        .first()
    )


def _send(message: OutboxMessage, postman: Postman, outcome: Drained) -> None:
    notification = message.notification
    recipient = notification.recipient
    now = timezone.now()
    if message.channel == Channel.MAIL:
        address = recipient.email
        subject = f"【建议办理】{notification.get_kind_display()}"
        link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else settings.SITE_URL
        body = f"{recipient.display_name}：\n\n{notification.message}\n\n{link}\n"
    else:
        address = sms.phone_of(recipient)
        subject = ""
        body = sms.message_text(notification.message)
    unsendable = ""
    if not address:
        unsendable = (
            _("The recipient has no e-mail address any more.")
            if message.channel == Channel.MAIL
            else _("The recipient has no mobile number any more.")
        )
    elif message.channel == Channel.SMS and postman.sms is None:
        unsendable = _("Text messages are turned off (SMS_SENDER is empty).")
    if unsendable:
        message.status, message.last_error = Status.CANCELLED, unsendable
        message.save(update_fields=["status", "last_error"])
        outcome.cancelled += 1
        return
    message.attempts += 1
    try:
        if message.channel == Channel.MAIL:
            postman.mail(address, subject, body)
        else:
            postman.text(address, body)
    except Exception as exc:  # any failure of the mail server or the provider: try again later
        message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = Status.FAILED
            log.error("outbox message %s given up after %s attempts: %s", message.pk, message.attempts, exc)
        else:
            message.next_attempt_at = now + retry_wait(message.attempts)
            log.warning("outbox message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
        message.save(update_fields=["attempts", "status", "next_attempt_at", "last_error"])
        outcome.failed += 1
        return
    message.status, message.sent_at = Status.SENT, now
    message.address, message.body = address, body
    message.save(update_fields=["attempts", "status", "sent_at", "address", "body"])
    if message.channel == Channel.MAIL:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=now)
    outcome.sent += 1


def retry_wait(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failure: OUTBOX_RETRY_SECONDS, doubled each time."""
    wait = dt.timedelta(seconds=settings.OUTBOX_RETRY_SECONDS * 2 ** min(attempts - 1, 20))
    return min(wait, LONGEST_WAIT)


def send_again(messages: QuerySet[OutboxMessage]) -> list[int]:
    """Put given-up messages back in the queue, due now and with their attempts counted afresh
    (the last error stays until the next attempt); returns their ids."""
    ids = list(messages.filter(status=Status.FAILED).values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    return ids


def oldest_pending_age(now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long the oldest message still waiting has waited; None when none waits."""
    oldest = OutboxMessage.objects.filter(status=Status.PENDING).aggregate(oldest=Min("created_at"))["oldest"]
    if oldest is None:
        return None
    return (now or timezone.now()) - oldest
