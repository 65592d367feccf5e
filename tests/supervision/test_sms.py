"""Text messages: an interface with a logging implementation; a provider is plugged in by a
setting. Reminders reach those with a mobile number, at most once per notification."""

from __future__ import annotations

import pytest
from django.test import override_settings

from proposals import outbox, sms
from proposals.models import OutboxMessage
from supervision.reminders import run_daily_scan
from tests.supervision.conftest import due_in, issued_days_ago
from tests.workflow import advance

pytestmark = pytest.mark.django_db
SMS = OutboxMessage.Channel.SMS


class RecordingSender:
    """A provider as a deployment would plug it in (SMS_SENDER=dotted.path.To.Class)."""

    sent: list[tuple[str, str]] = []
    fail = False

    def send(self, phone: str, text: str) -> None:
        if RecordingSender.fail:
            raise OSError("gateway unreachable")
        RecordingSender.sent.append((phone, text))


@pytest.fixture
def recording():
    RecordingSender.sent, RecordingSender.fail = [], False
    with override_settings(SMS_SENDER="tests.supervision.test_sms.RecordingSender"):
        yield RecordingSender


def test_the_default_sender_writes_to_the_log(caplog):
    with caplog.at_level("INFO", logger="jianyi.sms"):
        sms.get_sender().send("13800001111", "测试短信")
    assert "SMS to 13800001111: 测试短信" in caplog.text


@override_settings(SMS_SENDER="")
def test_an_empty_setting_turns_text_messages_off(handled, unit_handler, django_capture_on_commit_callbacks):
    assert sms.get_sender() is None
    unit_handler.phone = "13800001111"
    unit_handler.save()
    due_in(handled, 7)
    with django_capture_on_commit_callbacks(execute=True):
        run_daily_scan()
    assert not OutboxMessage.objects.filter(channel=SMS).exists()


def test_a_plugged_in_provider_texts_the_reminders(
    recording, handled, unit_handler, django_capture_on_commit_callbacks
):
    unit_handler.phone = "13800001111"
    unit_handler.save()
    due_in(handled, 7)
    with django_capture_on_commit_callbacks(execute=True):
        run_daily_scan()
    ((phone, text),) = recording.sent
    assert phone == "13800001111" and text.startswith("【建议办理】答复期限提醒")
    logged = OutboxMessage.objects.get(channel=SMS)  # what was texted to which number
    assert (logged.status, logged.address, logged.body) == ("sent", "13800001111", text)


def test_a_notification_is_texted_once_even_when_the_drain_runs_again(recording, handled, unit_handler):
    unit_handler.phone = "13800001111"
    unit_handler.save()
    due_in(handled, 7)
    run_daily_scan()  # queued in the outbox; the wake-up after commit never runs in this test
    outbox.drain()
    assert outbox.drain().sent == 0
    assert len(recording.sent) == 1
    assert OutboxMessage.objects.get(channel=SMS).status == "sent"


def test_a_failed_send_is_retried_later(recording, handled, unit_handler, settings):
    unit_handler.phone = "13800001111"
    unit_handler.save()
    due_in(handled, 7)
    run_daily_scan()
    recording.fail = True
    outbox.drain()
    message = OutboxMessage.objects.get(channel=SMS)
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "OSError: gateway unreachable")
    recording.fail = False
    outbox.drain()
    assert recording.sent == []  # not due yet: it waits OUTBOX_RETRY_SECONDS
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox.drain().sent == 1
    assert len(recording.sent) == 1


def test_deputies_are_texted_at_the_number_of_their_record(
    recording, draft, cast, deputy, django_capture_on_commit_callbacks
):
    proposal = advance(draft, "replied", cast)
    issued_days_ago(proposal, 15)
    with django_capture_on_commit_callbacks(execute=True):
        run_daily_scan()
    assert [phone for phone, _text in recording.sent] == [deputy.phone]


def test_long_messages_are_cut_to_one_message():
    text = sms.message_text("长" * 400)
    assert len(text) == sms.MAX_LENGTH and text.endswith("…")
