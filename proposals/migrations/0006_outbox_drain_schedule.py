from deputies.beatrows import beat_row_operation
from django.db import migrations

# The outbox's drain as a beat row (see config/celery.py). A frozen copy of the schedule: an
# administrator may change it in the admin afterwards, and this never runs again.
OUTBOX_DRAIN = {
    "name": "发送待发消息",
    "task": "proposals.tasks.drain_outbox",
    "description": "每分钟发送发件箱中到期的邮件和短信：Redis 中断期间写入的、发送失败待重试的，都在这里发出（每条只发一次）。",
    "every_minutes": 1,
    # A run still waiting in the queue after two minutes is dropped: the next one does its work
    # (a worker back after an hour runs one drain, not sixty).
    "expire_seconds": 120,
}


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0005_proposalevent_append_only_grants"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        beat_row_operation(OUTBOX_DRAIN),
    ]
