from django.db import migrations, models
from django.utils import timezone

# The hourly run that lets waiting ratings take effect, as a beat row (see config/celery.py). A
# frozen copy of the schedule: an administrator may change it in the admin afterwards.
SETTLE_RATINGS = {
    "name": "评价生效",
    "task": "handling.tasks.settle_due_ratings",
    "description": "每小时让修改期已满（或工作人员已处理）的代表评价生效；不满意的答复随即进入重新办理。",
    "crontab": {"minute": "5", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        timezone=SETTLE_RATINGS["timezone"], **SETTLE_RATINGS["crontab"]
    )
    PeriodicTask.objects.get_or_create(
        name=SETTLE_RATINGS["name"],
        defaults={
            "task": SETTLE_RATINGS["task"],
            "crontab": schedule,
            "description": SETTLE_RATINGS["description"],
            "enabled": True,
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SETTLE_RATINGS["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0004_deadline_extensions_and_plans"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="changeable_until",
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name="changeable until"),
        ),
        migrations.RunPython(install, remove),
    ]
