"""Moving to the outbox keeps the record of the text messages already sent: each becomes a sent
text message of the outbox (same number, text and time), so the drain never sends it again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from proposals.models import OutboxMessage
from proposals.outbox import drain

# The last state with the old log (supervision's), and the outbox already there to move it into.
BEFORE = [("supervision", "0002_supervision_and_reminders"), ("proposals", "0004_outbox")]


@pytest.mark.django_db(transaction=True)
def test_the_text_messages_already_sent_become_sent_messages_of_the_outbox():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("deputies", "User").objects.create(username="handler", phone="13800001111")
    notice = old.get_model("proposals", "Notification").objects.create(recipient=user, kind="deadline", message="提醒")
    sent_at = dt.datetime(2026, 11, 2, 7, 30, tzinfo=dt.UTC)
    old.get_model("supervision", "SmsLog").objects.create(
        notification=notice, phone="13800001111", text="【建议办理】提醒"
    )
    old.get_model("supervision", "SmsLog").objects.update(sent_at=sent_at)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    message = OutboxMessage.objects.get()
    assert (message.notification_id, message.channel, message.status) == (notice.pk, "sms", "sent")
    assert (message.address, message.body, message.sent_at) == ("13800001111", "【建议办理】提醒", sent_at)
    assert drain().sent == 0
