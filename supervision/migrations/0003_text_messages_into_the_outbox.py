# The log of text messages sent so far (it was supervision's) becomes the outbox's sent text
# messages, beside the notifications they were sent for: the same number, text and time for
# each notification, so nothing is texted again and the record stays. Then the log goes.

from django.db import migrations


def move_text_message_log(apps, schema_editor):
    SmsLog = apps.get_model("supervision", "SmsLog")
    OutboxMessage = apps.get_model("proposals", "OutboxMessage")
    OutboxMessage.objects.bulk_create(
        (
            OutboxMessage(
                notification_id=row.notification_id,
                channel="sms",
                status="sent",
                attempts=1,
                next_attempt_at=row.sent_at,
                address=row.phone,
                body=row.text,
                created_at=row.sent_at,
                sent_at=row.sent_at,
            )
            for row in SmsLog.objects.order_by("pk").iterator()
        ),
        batch_size=1000,
    )


def move_text_message_log_back(apps, schema_editor):
    SmsLog = apps.get_model("supervision", "SmsLog")
    OutboxMessage = apps.get_model("proposals", "OutboxMessage")
    sent = OutboxMessage.objects.filter(channel="sms", status="sent").order_by("pk")
    SmsLog.objects.bulk_create(
        (
            SmsLog(notification_id=row.notification_id, phone=row.address, text=row.body[:500], sent_at=row.sent_at)
            for row in sent.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_supervision_and_reminders"),
        ("proposals", "0004_outbox"),
    ]

    operations = [
        migrations.RunPython(move_text_message_log, move_text_message_log_back),
        migrations.DeleteModel(name="SmsLog"),
    ]
