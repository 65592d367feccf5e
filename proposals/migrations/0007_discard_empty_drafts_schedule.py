from deputies.beatrows import beat_row_operation
from django.db import migrations

# The nightly removal of empty drafts as a beat row (see config/celery.py). A frozen copy of the
# schedule: an administrator may change it in the admin afterwards, and this never runs again.
DISCARD_EMPTY_DRAFTS = {
    "name": "清除空草稿",
    "task": "proposals.tasks.discard_empty_drafts",
    "description": "每天凌晨撤下超过一天仍无标题、无正文、无附件的空草稿，使它们不再出现在代表的列表中（办理记录保留）。",
    "crontab": {"minute": "15", "hour": "3", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0006_outbox_drain_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        beat_row_operation(DISCARD_EMPTY_DRAFTS),
    ]
