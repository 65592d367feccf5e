from django.db import migrations
from django.utils import timezone

# The nightly removal of empty drafts as a beat row (see config/celery.py). A frozen copy of the
# schedule: an administrator may change it in the admin afterwards, and this never runs again.
DISCARD_EMPTY_DRAFTS = {
    "name": "清除空草稿",
    "task": "proposals.tasks.discard_empty_drafts",
    "description": "每天凌晨撤下超过一天仍无标题、无正文、无附件的空草稿，使它们不再出现在代表的列表中（办理记录保留）。",
    "crontab": {"minute": "15", "hour": "3", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        timezone=DISCARD_EMPTY_DRAFTS["timezone"], **DISCARD_EMPTY_DRAFTS["crontab"]
    )
    PeriodicTask.objects.get_or_create(
        name=DISCARD_EMPTY_DRAFTS["name"],
        defaults={
            "task": DISCARD_EMPTY_DRAFTS["task"],
            "crontab": schedule,
            "description": DISCARD_EMPTY_DRAFTS["description"],
            "enabled": True,
        },
    )
    # Tell a running beat that the schedule changed (what the admin does on save).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=DISCARD_EMPTY_DRAFTS["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0006_outbox_drain_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
