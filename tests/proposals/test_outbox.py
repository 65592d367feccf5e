"""The outbox: a step's e-mails and text messages are written with it, in its transaction, and
leave once each through the drain; a failed send waits twice as long each time and is given
up after the last attempt, and the admin sends it again. With the broker unreachable a step
still answers success and its messages wait."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from proposals import notify, outbox
from proposals.models import Notification, OutboxMessage, ProposalState
from tests import factories as f
from tests.brokers import celery_pointed_at, free_port
from tests.workflow import advance

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


class DownMailServer(EmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def person(username: str, email: str = "") -> f.UserFactory:
    return f.UserFactory(username=username, full_name=username, email=email)


def test_a_rolled_back_step_leaves_neither_notices_nor_messages():
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.notify([person("a", "a@example.cn")], "other", "通知")
        raise RuntimeError("the step failed after notifying")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_a_step_queues_one_mail_per_recipient_with_an_address():
    notify.notify([person("a", "a@example.cn"), person("b")], "other", "通知")
    (message,) = OutboxMessage.objects.all()
    assert (message.notification.recipient.username, message.channel, message.status) == ("a", "mail", "pending")


def test_queueing_a_morning_of_reminders_is_one_statement(django_assert_num_queries):
    users = [person(f"u{i}", f"u{i}@example.cn") for i in range(300)]
    notices = Notification.objects.bulk_create(Notification(recipient=u, kind="other", message="提醒") for u in users)
    with django_assert_num_queries(1):
        notify.deliver([(n.pk, n.recipient) for n in notices])
    assert OutboxMessage.objects.count() == 300


def test_after_commit_the_step_sends_its_messages_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify([person("a", "a@example.cn")], "other", "请阅")
    ((sent,),) = [m.to for m in mail.outbox]
    message = OutboxMessage.objects.get()
    assert (sent, message.status, message.address) == ("a@example.cn", "sent", "a@example.cn")
    assert "请阅" in message.body and message.notification.emailed_at == message.sent_at


def test_each_message_is_sent_once_however_often_the_drain_runs():
    notify.notify([person("a", "a@example.cn"), person("b", "b@example.cn")], "other", "通知")
    assert outbox.drain().sent == 2
    assert outbox.drain().sent == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.cn", "b@example.cn"]


def test_a_failed_send_waits_twice_as_long_each_time_then_is_given_up(settings):
    settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_MAX_ATTEMPTS = 60, 3
    settings.EMAIL_BACKEND = "tests.proposals.test_outbox.DownMailServer"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        notify.notify([person("a", "a@example.cn")], "other", "通知")
        waits = []
        for _attempt in range(3):
            assert outbox.drain().failed == 1
            message = OutboxMessage.objects.get()
            waits.append(message.next_attempt_at - timezone.now())
            clock.shift(message.next_attempt_at - timezone.now())
    assert waits[:2] == [dt.timedelta(seconds=60), dt.timedelta(seconds=120)]
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.last_error == "ConnectionRefusedError: mail server down"
    assert message.notification.emailed_at is None


def test_the_admin_sends_a_given_up_message_again(admin_client, django_capture_on_commit_callbacks):
    notify.notify([person("a", "a@example.cn")], "other", "通知")
    OutboxMessage.objects.update(status=Status.FAILED, attempts=8, last_error="SMTPServerDisconnected")
    changelist = reverse("admin:proposals_outboxmessage_changelist")
    assert "SMTPServerDisconnected" in admin_client.get(changelist, {"status__exact": "failed"}).content.decode()
    selected = list(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "send_again", "_selected_action": selected})
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("sent", 1)
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]


def test_a_recipient_whose_address_is_gone_is_not_sent_and_not_retried():
    recipient = person("a", "a@example.cn")
    notify.notify([recipient], "other", "通知")
    recipient.email = ""
    recipient.save()
    assert outbox.drain().cancelled == 1
    message = OutboxMessage.objects.get()
    assert message.status == "cancelled" and "邮箱" in message.last_error and not mail.outbox


def test_the_command_sends_what_is_due(capsys):
    notify.notify([person("a", "a@example.cn")], "other", "通知")
    call_command("send_outbox")
    assert "已发送 1 条" in capsys.readouterr().out and len(mail.outbox) == 1


def test_with_the_broker_unreachable_a_step_answers_and_its_messages_wait(
    client, draft, cast, deputy, unit_handler, caplog, django_capture_on_commit_callbacks
):
    proposal = advance(draft, ProposalState.IN_HANDLING, cast)
    today = timezone.localdate().isoformat()
    contact = {"kind": "phone", "stage": "during", "contact_date": today, "people": "王建国", "summary": "电话沟通"}
    client.force_login(unit_handler)
    with celery_pointed_at(f"redis://127.0.0.1:{free_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("handling:contact", args=[proposal.assignments.get().pk]), contact)
    assert response.status_code == 302
    waiting = OutboxMessage.objects.get(status=Status.PENDING, notification__kind="contact")
    assert waiting.notification.recipient == deputy.user
    assert "proposals.tasks.drain_outbox not queued now" in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_send_each_message_once():
    recipients = [person(f"u{i}", f"u{i}@example.cn") for i in range(40)]
    notices = Notification.objects.bulk_create(
        Notification(recipient=r, kind="other", message="通知") for r in recipients
    )
    outbox.queue(OutboxMessage.Channel.MAIL, [n.pk for n in notices])  # queued, nobody woken
    start = threading.Barrier(2)

    def drain() -> None:
        start.wait()
        try:
            outbox.drain()
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in recipients)
