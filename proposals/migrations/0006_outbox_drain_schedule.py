from django.db import migrations
from django.utils import timezone

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


def install_outbox_drain(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    schedule, _ = IntervalSchedule.objects.get_or_create(every=OUTBOX_DRAIN["every_minutes"], period="minutes")
    PeriodicTask.objects.get_or_create(
        name=OUTBOX_DRAIN["name"],
        defaults={
            "task": OUTBOX_DRAIN["task"],
            "interval": schedule,
            "description": OUTBOX_DRAIN["description"],
            "expire_seconds": OUTBOX_DRAIN["expire_seconds"],
            "enabled": True,
        },
    )
    # Tell a running beat that the schedule changed (what the admin does on save).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_outbox_drain(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=OUTBOX_DRAIN["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0005_proposalevent_append_only_grants"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(install_outbox_drain, remove_outbox_drain),
    ]
