"""With Redis stopped, the steps that notify people still answer success and keep their
messages in the outbox; once Redis is back, a real worker's drain sends each message exactly
once, and a second drain sends nothing more. A real redis-server of the test's own is stopped
and started again; the app's Celery is not eager here."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from handling.models import Reply
from proposals.models import Notification, OutboxMessage, ProposalState
from proposals.tasks import drain_outbox
from tests.brokers import RedisServer, Worker, celery_pointed_at, wait_for
from tests.workflow import advance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def drains_done(worker: Worker) -> int:
    return worker.log_text().count("Task proposals.tasks.drain_outbox[") // 2  # received, then succeeded


def test_with_redis_stopped_the_steps_answer_and_each_message_leaves_once_when_it_is_back(
    client, draft, cast, deputy, unit_handler, unit_head, staff, result_a, redis_server, tmp_path, caplog
):
    for person in (unit_handler, unit_head, staff):
        person.email = f"{person.username}@example.cn"
        person.save(update_fields=["email"])
    proposal = advance(draft, ProposalState.IN_HANDLING, cast)  # eager here: its mail is sent now
    assignment = proposal.assignments.get()
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
    started = timezone.now()
    worker = Worker(redis_server.url, tmp_path)
    try:
        with celery_pointed_at(redis_server.url), caplog.at_level("WARNING", logger="deputies.broker"):
            redis_server.stop()
            answers = []

            def step(who, url, data=None):
                client.force_login(who)
                answers.append(client.post(url, data or {}).status_code)

            today = timezone.localdate().isoformat()
            contact = {
                "kind": "phone",
                "stage": "during",
                "contact_date": today,
                "people": "王建国",
                "summary": "电话沟通",
            }
            step(unit_handler, reverse("handling:contact", args=[assignment.pk]), contact)
            letter = {"signer": "张局长", "result_category": result_a.pk, "body": "已完成扩建。", "action": "submit"}
            step(unit_handler, reverse("handling:reply_edit", args=[assignment.pk]), letter)
            reply = Reply.objects.get()
            step(unit_head, reverse("handling:reply_step", args=[reply.pk, "approve"]))
            step(staff, reverse("handling:reply_step", args=[reply.pk, "issue"]))
            rate = reverse("handling:rate", args=[reply.pk])
            step(deputy.user, rate, {"attitude": "satisfied", "result": "basic", "confirmed": "1"})
            step(deputy.user, rate, {"settle": "1"})  # 确认，不再修改: the rating takes effect now

            assert answers == [302] * 6
            reply.refresh_from_db()
            assert (reply.state, reply.assignment.proposal.state) == ("issued", ProposalState.CLOSED)
            assert "not queued now" in caplog.text
            # The outbox holds one e-mail for each notice of these steps to someone with an address.
            notices = Notification.objects.filter(created_at__gte=started).exclude(recipient__email="")
            waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
            assert sorted(waiting.values_list("notification_id", flat=True)) == sorted(n.pk for n in notices)
            expected = Counter(n.recipient.email for n in notices.select_related("recipient"))
            assert {deputy.user.email, unit_head.email, staff.email, unit_handler.email} <= set(expected)

            redis_server.start()
            worker.start()
            drain_outbox.delay()  # what beat does every minute
            wait_for(lambda: not waiting.exists(), "the outbox sent")
            wait_for(lambda: drains_done(worker) == 1, "the drain finished")
            assert worker.mails_to() == expected
            assert not Notification.objects.filter(pk__in=notices, emailed_at__isnull=True).exists()

            drain_outbox.delay()
            wait_for(lambda: drains_done(worker) == 2, "the second drain finished")
            assert worker.mails_to() == expected
    finally:
        worker.stop()
