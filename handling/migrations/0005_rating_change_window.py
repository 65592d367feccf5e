from deputies.beatrows import beat_row_operation
from django.db import migrations, models

# The hourly run that lets waiting ratings take effect, as a beat row (see config/celery.py). A
# frozen copy of the schedule: an administrator may change it in the admin afterwards.
SETTLE_RATINGS = {
    "name": "评价生效",
    "task": "handling.tasks.settle_due_ratings",
    "description": "每小时让修改期已满（或工作人员已处理）的代表评价生效；不满意的答复随即进入重新办理。",
    "crontab": {"minute": "5", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}


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
        beat_row_operation(SETTLE_RATINGS),
    ]
